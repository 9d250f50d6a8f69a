import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, launchChromium, screenshot, startHostProcess } from '../helpers/browser-host';
import { hasChromium, needs } from '../helpers/needs';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server';

// Settings → Notifications in real Chromium against the built browser host: save a webhook (a loopback
// server stands in for Slack), "Send test" reaches it and the page shows the notification — as a Web
// Notification when the browser allows them, as a toast when it does not.
const run = needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)");

describe.runIf(run)('notifications in real Chromium', () => {
  let browser: Browser;
  let host: HostProcess;
  let dataDir: string;
  let hook: WebhookServer;
  let hookUrl = '';

  beforeAll(async () => {
    hook = await startWebhookServer();
    hookUrl = `${hook.base}/services/T01/B02/e2e-secret`;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-notify-'));
    browser = await launchChromium();
    host = await startHostProcess(dataDir);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await hook?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A page in its own context; `granted` allows Web Notifications. Records each one the page creates. */
  async function open(granted: boolean): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({
      viewport: { width: 1360, height: 900 },
      ...(granted ? { permissions: ['notifications'] } : {}),
    });
    await context.addInitScript(() => {
      const Real = window.Notification;
      const shown: string[] = [];
      (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(`${title} | ${options?.body ?? ''}`);
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${host.url}#/settings`);
    await expect.poll(() => page.getByTestId('notifications').isVisible()).toBe(true);
    return { page, context };
  }
  const shownIn = (page: Page) =>
    page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications);

  it('saves a webhook without ever showing its URL again, and "Send test" reaches it and the desktop', async () => {
    const { page, context } = await open(true);
    try {
      await page.getByTestId('webhook-url').fill(hookUrl);
      await page
        .getByTestId('notifications')
        .getByRole('button', { name: 'Save', exact: true })
        .last()
        .click();
      const origin = new URL(hookUrl).origin;
      await expect
        .poll(() => page.getByTestId('webhook-status').textContent())
        .toBe(`Webhook: sends to ${origin} as Slack-compatible.`);
      expect(await page.getByTestId('webhook-url').inputValue()).toBe('');
      expect(await page.content()).not.toContain('e2e-secret');
      hook.posts.length = 0;
      await page.getByTestId('notify-test').click();
      await expect
        .poll(() => page.getByTestId('notify-test-result').textContent())
        .toBe(`Desktop notification sent. Webhook: ${origin} accepted the message (HTTP 200).`);
      expect(hook.posts.map((p) => ({ url: p.url, text: p.body.text }))).toEqual([
        {
          url: '/services/T01/B02/e2e-secret',
          text: 'Patchbay test notification\nNotifications from Patchbay arrive here: plans starting, gates halting, failed hosts, plans done.',
        },
      ]);
      await expect
        .poll(() => shownIn(page))
        .toEqual([
          'Patchbay test notification | Notifications from Patchbay arrive here: plans starting, gates halting, failed hosts, plans done.',
        ]);
      await page.getByTestId('notifications').scrollIntoViewIfNeeded();
      await screenshot(page, '96-settings-notifications');
    } finally {
      await context.close();
    }
  });

  it('shows a toast instead when the browser does not allow notifications', async () => {
    const { page, context } = await open(false);
    try {
      await page.getByTestId('notify-test').click();
      await expect
        .poll(() => page.getByTestId('toast').allTextContents())
        .toContainEqual(
          expect.stringContaining('Patchbay test notification — Notifications from Patchbay arrive here'),
        );
      expect(await shownIn(page)).toEqual([]);
      await page.getByTestId('notifications').scrollIntoViewIfNeeded();
      await screenshot(page, '97-notification-toast');
    } finally {
      await context.close();
    }
  });
});
