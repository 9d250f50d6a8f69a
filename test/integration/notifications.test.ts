import fs from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EventMap } from '../../shared/ipc';
import { fileCore } from '../helpers/temp';
import { startWebhookServer, type WebhookPost, type WebhookServer } from '../helpers/webhook-server';

// Notification settings, "Send test" and the runner's notifier through a real core (SQLite file, key-file
// secret box), with a loopback server standing in for the chat webhook.

const SECRET = 'T0PSECRET/B0ARD/xoxb-7781';
let hook: WebhookServer;
let base = '';
let posts: WebhookPost[] = [];

beforeAll(async () => {
  hook = await startWebhookServer((url) =>
    url.startsWith('/broken/') ? { status: 500, text: 'invalid_token' } : { status: 200, text: 'ok' },
  );
  base = hook.base;
  posts = hook.posts;
});
afterAll(() => hook.close());

/** Every byte of the data folder's files (database, WAL, log), to look for the secret in. */
const folderBytes = (dir: string): string =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) =>
      e.isDirectory()
        ? folderBytes(`${dir}/${e.name}`)
        : fs.readFileSync(`${dir}/${e.name}`).toString('latin1'),
    )
    .join('\n');

describe('notifications through the core', () => {
  it('stores the webhook URL sealed, shows only its origin and audits the change without the secret', async () => {
    const { core, dataDir } = fileCore();
    try {
      expect(await core.handlers['notifications.get']({})).toEqual({
        desktop: true,
        webhook: { enabled: false, origin: null, format: 'auto', effectiveFormat: null, problem: null },
      });
      const after = await core.handlers['notifications.set']({ webhookUrl: `${base}/hooks/${SECRET}` });
      expect(after.webhook).toEqual({
        enabled: true,
        origin: base,
        format: 'auto',
        effectiveFormat: 'slack',
        problem: null,
      });
      expect(JSON.stringify(after)).not.toContain('T0PSECRET');
      const entry = core.services.audit.list({ action: 'settings.notifications' }).items[0];
      expect(entry?.subject).toBe(`notifications: webhook set to ${base}, webhook on`);
      expect(JSON.stringify(entry)).not.toContain('T0PSECRET');
      expect(folderBytes(dataDir)).not.toContain('T0PSECRET');
      // A plain-http URL elsewhere than this computer is refused by the request schema.
      const refused = await core.dispatch('notifications.set', { webhookUrl: 'http://hooks.example.org/x' });
      expect(refused.ok).toBe(false);
      expect(await core.handlers['notifications.set']({ webhookUrl: null })).toMatchObject({
        webhook: { enabled: false, origin: null },
      });
    } finally {
      await core.close();
    }
  });

  it('sends a test to the desktop and the webhook, and says how each went', async () => {
    const { core } = fileCore();
    const shown: EventMap['notification.show'][] = [];
    core.subscribe((channel, payload) => {
      if (channel === 'notification.show') shown.push(payload as EventMap['notification.show']);
    });
    try {
      await core.handlers['notifications.set']({
        webhookUrl: `${base}/hooks/${SECRET}`,
        webhookFormat: 'teams',
      });
      posts.length = 0;
      const r = await core.handlers['notifications.test']({});
      expect(r).toEqual({
        desktop: true,
        webhook: { ok: true, message: `${base} accepted the message (HTTP 200)` },
      });
      expect(shown.map((s) => s.items.map((i) => [i.kind, i.title]))).toEqual([
        [['test', 'Patchbay test notification']],
      ]);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.url).toBe(`/hooks/${SECRET}`);
      expect(posts[0]?.body.attachments).toHaveLength(1);

      await core.handlers['notifications.set']({ desktop: false, webhookUrl: `${base}/broken/${SECRET}` });
      shown.length = 0;
      const broken = await core.handlers['notifications.test']({});
      expect(broken).toEqual({
        desktop: false,
        webhook: { ok: false, message: `${base} answered HTTP 500: invalid_token` },
      });
      expect(shown).toEqual([]);
    } finally {
      await core.close();
    }
  });

  it('tells the desktop and the webhook what a plan did, logging a failing webhook by origin only', async () => {
    const { core, files } = fileCore();
    const shown: string[] = [];
    core.subscribe((channel, payload) => {
      if (channel === 'notification.show') {
        for (const i of (payload as EventMap['notification.show']).items)
          shown.push(`${i.kind} ${i.planId} ${i.title}`);
      }
    });
    try {
      await core.handlers['notifications.set']({ webhookUrl: `${base}/broken/${SECRET}` });
      posts.length = 0;
      const notifier = core.services.notifier;
      for (const kind of ['plan-started', 'gate-halted'] as const) {
        notifier.notify({
          kind,
          planId: 4,
          planName: 'Tuesday',
          title: `Tuesday: ${kind}`,
          body: 'ring Pilot',
          at: 1,
        });
      }
      expect(shown).toEqual(['plan-started 4 Tuesday: plan-started', 'gate-halted 4 Tuesday: gate-halted']);
      await notifier.idle();
      expect(posts.map((p) => p.body.text)).toEqual([
        'Tuesday: plan-started\nring Pilot',
        'Tuesday: gate-halted\nring Pilot',
      ]);
      const log = fs.readFileSync(files.log, 'utf8');
      expect(log).toContain('notify.webhook-failed');
      expect(log).toContain(base);
      expect(log).not.toContain('T0PSECRET');
    } finally {
      await core.close();
    }
  });
});
