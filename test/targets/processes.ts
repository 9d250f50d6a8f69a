import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** The PID of the (first) child of `ppid`, read from /proc: the PID 1 that `unshare --fork` started. */
export function childOf(ppid: number): number {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may hold spaces and parentheses): state, ppid, ...
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) return Number(entry);
  }
  throw new Error(`no child of ${ppid}`);
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/**
 * Ends a PID namespace that our child `unshare --pid --fork` holds. SIGKILL goes to its PID 1 (our
 * grandchild, looked up while unshare still waits for it): the kernel kills and reaps everything in the
 * namespace, unshare reaps PID 1 and exits, and we reap unshare, so no zombie is left to the host's init.
 * (unshare itself ignores SIGTERM while it waits, and killing it first would orphan PID 1.)
 */
export async function endPidNamespace(unshare: ChildProcess): Promise<void> {
  if (!running(unshare)) return;
  const exited = new Promise((resolve) => unshare.once('exit', resolve));
  try {
    process.kill(childOf(unshare.pid!), 'SIGKILL');
  } catch {
    unshare.kill('SIGKILL'); // no PID 1 (yet): --kill-child then takes care of it
  }
  await exited;
}
