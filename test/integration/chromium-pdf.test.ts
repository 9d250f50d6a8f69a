import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { printPageToPdf } from '../../electron/reports/chromium-pdf';
import { hasChromium, needs } from '../helpers/needs';
import { tempDir } from '../helpers/temp';

// The printer alone, in Debian's Chromium: it waits for the page's own "ready" mark, reports the page's
// error or a page that never gets ready, and fails clearly when the browser cannot start.
const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const run =
  needs('Chromium', hasChromium(), "install Debian's chromium (apt-get install chromium)") &&
  needs('pdftotext', hasPdftotext, 'install poppler-utils (apt-get install poppler-utils)');

function page(body: string): string {
  const file = path.join(tempDir(), 'page.html');
  fs.writeFileSync(file, `<!doctype html><html><head><title>T</title></head><body>${body}</body></html>`);
  return pathToFileURL(file).href;
}

describe.runIf(run)('printing a page to PDF with headless Chromium', () => {
  it('prints only once the page marks itself ready, with what the page drew after loading', async () => {
    const url = page(`<p id="p">loading</p><script>
      setTimeout(() => {
        document.getElementById('p').textContent = 'Drawn after load';
        document.documentElement.dataset.reportReady = 'ready';
      }, 700);
    </script>`);
    const pdf = await printPageToPdf(url);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(tempDir(), 'out.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Drawn after load');
    expect(text).not.toContain('loading');
  });

  it('passes on the error the page reports', async () => {
    const url = page(
      `<script>document.documentElement.dataset.reportReady = 'error: No client named "Initech".'</script>`,
    );
    await expect(printPageToPdf(url)).rejects.toThrow('No client named "Initech".');
  });

  it('gives up on a page that never gets ready', async () => {
    await expect(printPageToPdf(page('never ready'), { timeoutMs: 1500 })).rejects.toThrow(
      'The report page did not finish loading within 1.5 s.',
    );
  });

  it('says when the browser cannot start', async () => {
    await expect(
      printPageToPdf(page('x'), { chromium: path.join(tempDir(), 'no-such-chromium') }),
    ).rejects.toThrow(/Chromium \(.*no-such-chromium\) could not start: spawn .* ENOENT/);
  });
});
