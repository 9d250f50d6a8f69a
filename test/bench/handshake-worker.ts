// A worker thread of bench:handshakes: connects to the hosts it is given (host keys pinned), runs the
// collection command once on each and sends the output back, `concurrency` at a time.
import { parentPort } from 'node:worker_threads';

import type { FleetHost } from '../../electron/demo/sim-fleet';
import { COLLECT_COMMAND, COLLECT_SCRIPT } from '../../electron/platforms/collect-script';
import { memoryHostKeyStore } from '../../electron/ssh/host-keys';
import { openSession } from '../../electron/ssh/session';

/** What the main thread sends: hosts to scan and the login. */
export interface WorkerJob {
  hosts: FleetHost[];
  privateKey: string;
  concurrency: number;
}

/** What a worker sends back per host. */
export type WorkerReply = { name: string; stdout: Uint8Array } | { name: string; error: string };

/** Connects, runs the collection command, closes: what a scan does per host over SSH. */
export async function collectOne(h: FleetHost, privateKey: string): Promise<Buffer> {
  const hostKeys = memoryHostKeyStore([
    { address: h.address, port: h.port, ...h.hostKey, trustedAt: 0, source: 'user' },
  ]);
  const target = { name: h.name, address: h.address, port: h.port, username: 'patch', auth: { privateKey } };
  const s = await openSession(target, { hostKeys });
  try {
    return (await s.exec(COLLECT_COMMAND, { stdin: COLLECT_SCRIPT })).stdout;
  } finally {
    s.close();
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: WorkerJob) => {
    let next = 0;
    const lane = async () => {
      while (next < job.hosts.length) {
        const h = job.hosts[next++] as FleetHost;
        try {
          const stdout = await collectOne(h, job.privateKey);
          // Copied, not transferred: a small Buffer may share Node's pool with other Buffers.
          port.postMessage({ name: h.name, stdout } satisfies WorkerReply);
        } catch (err) {
          port.postMessage({ name: h.name, error: String(err) } satisfies WorkerReply);
        }
      }
    };
    void Promise.all(Array.from({ length: job.concurrency }, lane));
  });
}
