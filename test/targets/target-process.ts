import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { childOf, endPidNamespace } from './processes';
import { run } from './run';
import type { InTarget } from './target-setup';

const INIT = path.join(path.dirname(new URL(import.meta.url).pathname), 'target-init.sh');
/** Environment of every command run in or for a target: fixed, so output never depends on ours. */
export const TARGET_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LC_ALL: 'C',
};

/** Paths and settings of one target's PID 1 (see target-init.sh). */
export interface InitOptions {
  name: string;
  base: string;
  /** Host directory holding upper/, work/, merged/, state/ and init.log. */
  dir: string;
  listen: string;
  rebootDelaySeconds: number;
}

/** A running target-init.sh: its own mount, UTS and PID namespaces. */
export interface InitProcess {
  /** Host PID of the target's PID 1. */
  pid: number;
  /** Runs argv as root in the target: nsenter into its namespaces, chroot into its root. */
  inTarget: InTarget;
  /** Lets PID 1 boot (start sshd) once setup is done; resolves at the `boot` line. */
  boot(): Promise<void>;
  /** Powers the target off; the kernel drops its mounts with its last process. */
  stop(): Promise<void>;
  /** Error text with the tail of the target's log (sshd -e writes there). */
  fail(what: string): Error;
}

/** Starts PID 1 of a target and waits until it has mounted the target's root. */
export async function startInit(o: InitOptions): Promise<InitProcess> {
  const [upper, work, merged, state] = ['upper', 'work', 'merged', 'state'].map((d) =>
    path.join(o.dir, d),
  ) as [string, string, string, string];
  const logFile = path.join(o.dir, 'init.log');
  const log = fs.openSync(logFile, 'a');
  const initArgs = [INIT, o.base, upper, work, merged, o.name, o.listen, state, String(o.rebootDelaySeconds)];
  // stdin stays open for the target's life: when this process dies, EOF powers the target off.
  const child: ChildProcess = spawn(
    'unshare',
    ['--mount', '--uts', '--pid', '--kill-child', '--', '/bin/sh', ...initArgs],
    {
      stdio: ['pipe', 'pipe', log],
      env: TARGET_ENV,
    },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters) w();
  });
  const fail = (what: string) => {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim() : '';
    return new Error(`target ${o.name} ${what}\n${text.split('\n').slice(-15).join('\n')}`);
  };
  const waitFor = (pred: () => boolean, what: string, ms = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      const check = () => {
        if (pred()) done(resolve);
        else if (child.exitCode !== null || child.signalCode !== null)
          done(() => reject(fail(`${what}: exited`)));
      };
      const timer = setTimeout(() => done(() => reject(fail(`${what}: timed out`))), ms);
      waiters.add(check);
      void exited.then(check);
      check();
    });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end(); // PID 1 sees EOF: ends its processes and exits
      const timer = setTimeout(() => void endPidNamespace(child), 5000);
      await exited;
      clearTimeout(timer);
    })());
  try {
    await waitFor(() => lines.includes('mounted'), 'did not mount its root');
    const pid = childOf(child.pid!);
    return {
      pid,
      inTarget: (argv, input) =>
        // Only while unshare still waits for PID 1: after that its PID may belong to someone else.
        child.exitCode !== null || child.signalCode !== null
          ? Promise.reject(new Error(`target ${o.name} is powered off`))
          : run('nsenter', ['-t', String(pid), '-m', '-u', '-p', '--', 'chroot', merged, ...argv], {
              input,
              env: TARGET_ENV,
              allowFail: true,
              timeoutMs: 10 * 60_000,
            }),
      boot: () => {
        child.stdin!.write('go\n');
        return waitFor(() => lines.some((l) => l.startsWith('boot ')), 'did not boot');
      },
      stop,
      fail,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
