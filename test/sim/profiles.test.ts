import { describe, expect, it } from 'vitest';

import { PROFILES, renderProfile, usableProfiles } from '../../electron/demo/sim-profiles';
import { parseFindings } from '../../electron/platforms/findings';
import {
  currentScriptSha256,
  generatedSource,
  isCaptured,
  loadProfiles,
  missingSections,
} from './profile-files';

const REGENERATE = 'npx tsx test/sim/capture-profiles.ts --generate-only';

describe('simulator profiles', () => {
  it('are compiled into the module the demo bundles, as test/sim/profiles has them', async () => {
    const files = loadProfiles();
    const byId = new Map(PROFILES.map((p) => [p.id, p]));
    // The captures are this folder's own: they must match exactly (on failure: `${REGENERATE}`).
    for (const p of files.filter(isCaptured)) expect(byId.get(p.id), `${p.id}: ${REGENERATE}`).toEqual(p);
    // Adapter fixtures change under other people's work; a stale copy still replays a real output, so
    // only say so.
    const drift = files.filter((p) => !isCaptured(p) && JSON.stringify(byId.get(p.id)) !== JSON.stringify(p));
    if (drift.length > 0)
      console.warn(
        `simulator profiles older than their fixtures: ${drift.map((p) => p.id).join(', ')} — ${REGENERATE}`,
      );
    expect(await generatedSource(PROFILES.map((p) => ({ ...p })))).toContain('CAPTURED_PROFILES');
  });

  it('parse as a scan would, or fail only where Patchbay has no adapter yet or the output is broken', () => {
    const usable = new Set(usableProfiles().map((p) => p.id));
    expect(usable.size).toBeGreaterThanOrEqual(5);
    for (const p of PROFILES) {
      if (!usable.has(p.id)) {
        expect(() => parseFindings(p.output), p.id).toThrow();
        continue;
      }
      const f = parseFindings(p.output);
      expect(f.packageManager, p.id).toBe(p.platform);
      expect(f.facts.bootId, p.id).not.toBe('');
    }
  });

  it('change only boot id and uptime per host, keeping patches and list ages', () => {
    const bootId = '00000000-1111-4222-8333-444444444444';
    for (const p of usableProfiles()) {
      const before = parseFindings(p.output);
      const after = parseFindings(renderProfile(p, { bootId, uptimeSeconds: 42 }));
      expect([after.facts.bootId, after.facts.uptimeSeconds], p.id).toEqual([bootId, 42]);
      const blank = (f: typeof before) => ({ ...f, facts: { ...f.facts, bootId: '', uptimeSeconds: 0 } });
      expect(blank(after), p.id).toEqual(blank(before));
    }
  });

  it('have every section the collection script in use now prints for their platform', () => {
    // An output from an older script still parses (the parsers tolerate a missing section), so parsing
    // alone cannot notice; but a host of today prints these sections, and a profile without them replays
    // a host Patchbay no longer meets (e.g. apt without apt-policy: no security fix behind a newer
    // candidate, no held package's update). Re-capture: `npx tsx test/sim/capture-profiles.ts` (root).
    const lacking = PROFILES.map((p) => ({ id: p.id, missing: missingSections(p) })).filter(
      (p) => p.missing.length > 0,
    );
    expect(lacking).toEqual([]);
    // The check itself: the section list is the script's, so it cannot pass by finding nothing to want.
    const apt = PROFILES.find((p) => p.platform === 'apt');
    expect(
      apt && missingSections({ ...apt, output: apt.output.replace('@@PATCHBAY:apt-policy@@', '') }),
    ).toEqual(['apt-policy']);
  });

  it('were captured with the collection script in use now (else re-run capture-profiles)', () => {
    const stale = PROFILES.filter((p) => p.scriptSha256 && p.scriptSha256 !== currentScriptSha256());
    // A different hash with every section present (checked above) is only a changed command inside a
    // section: the output still has today's shape, so say so loudly instead of failing.
    if (stale.length > 0)
      console.warn(
        `simulator profiles captured with an older COLLECT_SCRIPT: ${stale.map((p) => p.id).join(', ')} — ` +
          're-run `npx tsx test/sim/capture-profiles.ts` (needs root)',
      );
    expect(PROFILES.filter((p) => p.scriptSha256).length).toBeGreaterThan(0);
  });
});
