import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HealthCheck, healthCheckSchema } from '../../shared/plans';
import { needs } from '../../test/helpers/needs';
import { checkScript, initScriptName, parseFrames } from './check-script';
import { runHealthChecksOn } from './health-checks';
import { BASICS, localShell, realPath } from './local-shell.test-helper';

const check = (c: unknown): HealthCheck => healthCheckSchema.parse(c);

let server: http.Server;
let base = '';
let closedPort = 0;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/ok') return void res.end('all good: ready\n');
    if (req.url === '/down') {
      res.statusCode = 503;
      return void res.end('maintenance\n');
    }
    if (req.url === '/moved') {
      res.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' });
      return void res.end();
    }
    if (req.url === '/big') {
      // The expected text sits past the 64 KiB the host keeps: the check must say it looked only so far.
      res.write('x'.repeat(200 * 1024));
      return void res.end('needle');
    }
    // /hang: never answers.
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free: nothing listens there.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('framing', () => {
  it('ignores text before the first frame and keeps each part', () => {
    const out = `motd\nabc 0 out sh 0\nx\nabc 3 out sh 1\n\nabc 3 out tool 9\nhi\n`;
    const n = 'abcabcab';
    const f = parseFrames(
      `noise\n${n} env timeout\n\n${n} 0 out sh 0\nhello\n\n${n} 1 body curl 22\nbody`,
      n,
    );
    expect(f.limited).toBe(true);
    expect(f.checks.get(0)).toMatchObject({ tool: 'sh', rc: 0, out: 'hello' });
    expect(f.checks.get(1)).toMatchObject({ tool: 'curl', rc: 22, body: 'body' });
    expect(parseFrames(out, n).checks.size).toBe(0);
  });
  it('refuses a nonce that could break the script', () => {
    expect(() => checkScript("x'; rm -rf /", [])).toThrow(/nonce/);
  });
  it('maps units to init-script names only where one exists', () => {
    expect(initScriptName('nginx.service')).toBe('nginx');
    expect(initScriptName('php8.2-fpm')).toBe('php8.2-fpm');
    expect(initScriptName('getty@tty1.service')).toBeNull();
    expect(initScriptName('docker.socket')).toBeNull();
    expect(initScriptName('..')).toBeNull();
  });
});

// Each tool path of the script against this machine's real programs and a loopback HTTP server.
describe.each([
  ['curl', 'curl'],
  ['wget', 'wget'],
  ['python3', 'python3'],
])('http checks through %s', (_name, tool) => {
  const have = needs(`${tool} (an http check's tool)`, realPath(tool) !== null, `apt-get install ${tool}`);
  it.runIf(have)('passes, fails on status, on body, on a redirect and on a dead port', async () => {
    const sh = localShell([...BASICS, tool]);
    try {
      const r = await runHealthChecksOn(sh.session, [
        check({ kind: 'http', url: `${base}/ok`, expectBody: 'ready' }),
        check({ kind: 'http', url: `${base}/down` }),
        check({ kind: 'http', url: `${base}/ok`, expectBody: 'broken' }),
        check({ kind: 'http', url: `${base}/moved` }),
        check({ kind: 'http', url: `http://127.0.0.1:${closedPort}/` }),
        check({ kind: 'http', url: `${base}/big`, expectBody: 'needle' }),
      ]);
      const d = r.results.map((x) => [x.ok, x.detail]);
      expect(d[0]).toEqual([true, 'HTTP 200, expected text found']);
      expect(d[1]).toEqual([false, 'HTTP 503, expected 200']);
      expect(d[2]).toEqual([false, 'HTTP 200, but the body does not contain "broken"']);
      expect(d[3]).toEqual([false, 'HTTP 301, expected 200']);
      expect(d[4]?.[0]).toBe(false);
      expect(d[4]?.[1]).toMatch(
        new RegExp(`^cannot fetch http://127.0.0.1:${closedPort}/: .*(refused|couldn't connect)`, 'i'),
      );
      expect(d[5]).toEqual([false, 'HTTP 200, but the body does not contain "needle" (in its first 64 KiB)']);
      expect(r.ok).toBe(false);
    } finally {
      sh.dispose();
    }
  });
  it.runIf(have)('gives up on a server that never answers within the check’s limit', async () => {
    const sh = localShell([...BASICS, tool]);
    try {
      const r = await runHealthChecksOn(sh.session, [
        check({ kind: 'http', url: `${base}/hang`, timeoutSec: 1 }),
      ]);
      expect(r.results[0]).toMatchObject({ ok: false, detail: `no answer from ${base}/hang within 1 s` });
    } finally {
      sh.dispose();
    }
  });
});

describe.each([['bash'], ['python3']])('tcp checks through %s', (tool) => {
  const have = needs(`${tool} (a tcp check's tool)`, realPath(tool) !== null, `apt-get install ${tool}`);
  it.runIf(have)('accepts an open port and names a refused one', async () => {
    const sh = localShell([...BASICS, tool]);
    try {
      const port = Number(new URL(base).port);
      const r = await runHealthChecksOn(sh.session, [
        check({ kind: 'tcp', port }),
        check({ kind: 'tcp', port: closedPort }),
      ]);
      expect(r.results.map((x) => x.detail)).toEqual([
        `port ${port} on 127.0.0.1 accepts connections`,
        `port ${closedPort} on 127.0.0.1 refused`,
      ]);
    } finally {
      sh.dispose();
    }
  });
});

describe('without the tools', () => {
  it('fails every check it cannot evaluate, saying why, and never passes one', async () => {
    const sh = localShell(BASICS);
    try {
      const r = await runHealthChecksOn(sh.session, [
        check({ kind: 'tcp', port: 22 }),
        check({ kind: 'http', url: `${base}/ok` }),
        check({ kind: 'service', unit: 'nginx.service' }),
        check({ kind: 'service', unit: 'docker.socket' }),
      ]);
      expect(r.results.map((x) => [x.ok, x.detail])).toEqual([
        [false, 'cannot check: no bash, python3 or nc on the host'],
        [false, 'cannot check: no curl, wget or python3 on the host'],
        [false, 'cannot check nginx.service: no systemd, OpenRC or /etc/init.d/nginx on the host'],
        [
          false,
          'cannot check docker.socket: the host does not run systemd, and this unit has no init-script equivalent',
        ],
      ]);
    } finally {
      sh.dispose();
    }
  });
  it('runs commands with their exit code, last line and time limit', async () => {
    const sh = localShell(BASICS);
    try {
      const r = await runHealthChecksOn(sh.session, [
        check({ kind: 'command', command: 'true' }),
        check({ kind: 'command', command: "echo 'first'; echo 'disk full' >&2; exit 3" }),
        check({ kind: 'command', command: 'sleep 30', timeoutSec: 1 }),
        check({ kind: 'command', command: "printf '\\033[31mred\\n'; exit 1" }),
      ]);
      expect(r.results.map((x) => [x.ok, x.detail])).toEqual([
        [true, 'exit 0'],
        [false, 'exit 3: disk full'],
        [false, 'did not finish within 1 s'],
        [false, 'exit 1: [31mred'],
      ]);
    } finally {
      sh.dispose();
    }
  });
});
