/**
 * pb-web: a small web service on a target's loopback, run as a SysV service (the targets have no systemd):
 * /ok answers 200, /down 503. Shared by the health-check tests and the plan runner's real-target tests.
 */
import net from 'node:net';

import type { Target } from '../targets/hosts';

const WEB_PY = `import http.server,sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        down = self.path.startswith('/down')
        body = b'maintenance\\n' if down else b'pb-web ok\\n'
        self.send_response(503 if down else 200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
`;
const INIT_SCRIPT = `#!/bin/sh
### BEGIN INIT INFO
# Provides: pb-web
### END INIT INFO
P=/run/pb-web.pid
case "$1" in
  start) start-stop-daemon --start --background --make-pidfile --pidfile $P --startas /usr/bin/python3 -- /usr/local/lib/pb-web.py "$(cat /etc/pb-web.port)" ;;
  stop) start-stop-daemon --stop --pidfile $P --retry 5 --remove-pidfile ;;
  status) start-stop-daemon --status --pidfile $P; rc=$?; [ $rc = 0 ] && echo 'pb-web is running' || echo 'pb-web is not running'; exit $rc ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 3 ;;
esac
`;

/** A free loopback port: the targets share the test machine's network namespace. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `cmd` (root inside the target) until it exits 0, at most `tries` times 200 ms apart. */
export async function until(t: Target, cmd: string, tries = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if ((await t.exec(cmd)).code === 0) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Installs pb-web on the target (on a free port), started unless `start` is false; resolves to its port. */
export async function installPbWeb(t: Target, start = true): Promise<number> {
  const port = await freePort();
  await t.exec('cat >/usr/local/lib/pb-web.py', WEB_PY);
  await t.exec(
    `cat >/etc/init.d/pb-web && chmod 755 /etc/init.d/pb-web && echo ${port} >/etc/pb-web.port`,
    INIT_SCRIPT,
  );
  if (!start) return port;
  await t.exec('/etc/init.d/pb-web start');
  const up = await until(
    t,
    `python3 -c 'import socket; socket.create_connection(("127.0.0.1", ${port}), 1)'`,
  );
  if (!up) throw new Error(`pb-web did not start on ${t.name}`);
  return port;
}
