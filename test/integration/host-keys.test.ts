import { describe, expect, it } from 'vitest';

import { ed25519, sshMachine } from '../helpers/inventory';
import { fileCore } from '../helpers/temp';

describe('host keys through the API', () => {
  it('imports known_hosts for inventory machines, lists them without key material, and forgets them', async () => {
    const { core } = fileCore();
    await core.handlers['machines.create']({ machine: sshMachine('a', 'a.example.com') });
    await core.handlers['machines.create']({ machine: sshMachine('b', '192.0.2.7', { port: 2222 }) });
    const ka = ed25519();
    const kb = ed25519();
    const text = [
      `a.example.com ssh-ed25519 ${ka.b64}`,
      `[192.0.2.7]:2222 ssh-ed25519 ${kb.b64}`,
      `@cert-authority *.example.com ssh-ed25519 ${ed25519().b64}`,
      'garbage line',
    ].join('\n');
    const report = await core.handlers['hostKeys.importKnownHosts']({ text });
    expect(report).toMatchObject({ imported: 2, unchanged: 0, notFound: 0, conflicts: [] });
    expect(report.skipped.map((s) => s.line).sort()).toEqual([3, 4]);
    const listed = await core.handlers['hostKeys.list']({});
    expect(listed.map((k) => [k.address, k.port, k.fingerprint, k.source])).toEqual([
      ['192.0.2.7', 2222, kb.fingerprint, 'known_hosts'],
      ['a.example.com', 22, ka.fingerprint, 'known_hosts'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(ka.b64);
    // A different key for an already pinned host is reported, never silently replaced.
    const other = ed25519();
    const again = await core.handlers['hostKeys.importKnownHosts']({
      text: `a.example.com ssh-ed25519 ${other.b64}`,
    });
    expect(again.conflicts).toEqual([
      {
        address: 'a.example.com',
        port: 22,
        keyType: 'ssh-ed25519',
        pinnedFingerprint: ka.fingerprint,
        knownHostsFingerprint: other.fingerprint,
      },
    ]);
    expect(await core.handlers['hostKeys.forget']({ address: 'A.example.com', port: 22 })).toEqual({
      removed: 1,
    });
    expect((await core.handlers['hostKeys.list']({})).length).toBe(1);
    await core.close();
  });
});
