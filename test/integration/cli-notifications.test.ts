import { spawn } from 'node:child_process';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tempDir } from '../helpers/temp';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server';

// `patchbay notifications` from the built CLI (`npm run build` first) against a real data folder: the
// webhook URL goes in on stdin (never argv), "test" reaches a loopback webhook, and a refusal is exit 1.
const BIN = path.resolve('bin/patchbay.cjs');

/** Runs the CLI asynchronously (the webhook server lives in this process, so spawnSync would block it). */
function run(
  dataDir: string,
  args: string[],
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

let hook: WebhookServer;
let base = '';
beforeAll(async () => {
  hook = await startWebhookServer((url) =>
    url.startsWith('/revoked/') ? { status: 403, text: 'invalid_token' } : { status: 200, text: 'ok' },
  );
  base = hook.base;
});
afterAll(() => hook.close());

describe('patchbay notifications', () => {
  it('sets the webhook from stdin, shows only its origin, tests it and fails on a refusal', async () => {
    const dir = tempDir();
    const set = await run(
      dir,
      ['notifications', 'set', '--webhook-url', '--password-stdin', '--desktop', 'off'],
      `${base}/services/T1/B2/cli-secret\n`,
    );
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toBe(
      `Desktop notifications: off\nWebhook: sends to ${base} as Slack-compatible (format auto)\n`,
    );
    const shown = await run(dir, ['notifications', 'show']);
    expect(shown.stdout).not.toContain('cli-secret');
    hook.posts.length = 0;
    const ok = await run(dir, ['notifications', 'test']);
    expect(ok).toMatchObject({
      code: 0,
      stdout: `Desktop: off\nWebhook: ${base} accepted the message (HTTP 200)\n`,
    });
    expect(hook.posts).toHaveLength(1);
    await run(
      dir,
      ['notifications', 'set', '--webhook-url', '--password-stdin'],
      `${base}/revoked/T1/B2/cli-secret\n`,
    );
    const refused = await run(dir, ['notifications', 'test']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`Webhook: ${base} answered HTTP 403: invalid_token`);
  });

  it('refuses the URL as an argument and a plain-http URL to another host', async () => {
    const dir = tempDir();
    const inArgv = await run(dir, ['notifications', 'set', `--webhook-url=${base}/x`]);
    expect(inArgv.code).toBe(2);
    const plain = await run(
      dir,
      ['notifications', 'set', '--webhook-url', '--password-stdin'],
      'http://hooks.example.org/x\n',
    );
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/must be an https:\/\/ URL/);
  });
});
