// THE ROLLOUT SIDE OF A SIMULATED HOST (fleet simulator, see test/sim/README.md): answers what Patchbay's
// rollout engine sends an apt host — the dry run, the pre-flight, remote-op's start, poll and follow (alone
// or after the start in one command), the installed versions re-check, the boot id and the reboot — with
// outputs shaped like apt's and dpkg's own, and keeps the host's package state so the verify rescan sees
// what the simulated install changed. Not apt: no dependency solving, no files; the real-target tests
// (test/rollout) stay the ground truth.
//
// Each command is recognised by rebuilding it with Patchbay's own builders from the parameters read out of
// it and comparing the two texts exactly: a command Patchbay changed is no longer answered (exit 127, said
// plainly), instead of being answered as if the simulator still understood it.
import { URIS_MARK } from '../platforms/apt-install-parse';
import type { InstallItem, PlatformInstaller } from '../platforms/installer';
import { INSTALLERS } from '../platforms/installers';
import { BOOT_ID_COMMAND, REBOOT_SCRIPT } from '../rollout/reboot';
import { OPS_DIR, opStatusCommand, pollCommand, startOpCommand } from '../rollout/remote-op';
import { type OpToRemove, pruneThenStartCommand, removeOpsCommand } from '../rollout/remote-op-cleanup';
import {
  FOLLOW_TICK_MS,
  FOLLOW_TRAILER,
  followCommand,
  STARTED_MARK,
  startFollowCommand,
} from '../rollout/remote-op-follow';
import { frameBatch, splitBatch } from '../ssh/batch';
import { dryRun, installLog } from './sim-apt-output';
import { aptPackagesOf, installedOutput, type SimPackage } from './sim-apt-state';
import { after, installItems, readQuoted, request, specsOf, unwrapRoot } from './sim-read';

/** How the simulated host's installs behave. */
export interface SimRolloutOptions {
  /** How long a simulated install runs before it finishes (default 2 s). */
  installMs?: number;
  /** The install fails the way apt does when the archive cache is full (exit 100), installing nothing. */
  failInstall?: 'disk-full' | null;
  /** After an install, the host asks for a reboot (/var/run/reboot-required) until it reboots. */
  rebootRequired?: boolean;
}

/** One command's answer. */
export interface SimAnswer {
  stdout: string;
  stderr: string;
  code: number;
  /** Bytes to send instead of `stdout` (a batch's framed answers, whose lengths count bytes). */
  raw?: Buffer;
  /**
   * An answer that streams (a follow of an install): `emit` sends stdout bytes as the host would print
   * them, `done` ends the command with its exit code; `stop` is called when the channel closes first.
   */
  stream?: (emit: (bytes: Buffer) => void, done: (code: number) => void) => { stop(): void };
}

/** What the responder needs from its host. */
export interface SimRolloutHost {
  /** The captured collection output the host replays (before any install). */
  profileOutput: () => string;
  bootId: () => string;
  /** Reboots the host (sessions drop, new boot id), as `reboot()` of sim-host does. */
  reboot: () => void;
}

interface Op {
  id: string;
  startedAt: number;
  log: Buffer;
  code: number;
  items: InstallItem[];
  applied: boolean;
}

const apt = INSTALLERS.apt as PlatformInstaller;

const PID = 4000;

/** The rollout responder of one simulated host; `answer` returns null for a command that is not a rollout's. */
export function simRollout(host: SimRolloutHost, options: SimRolloutOptions = {}) {
  const installMs = options.installMs ?? 2000;
  const ops = new Map<string, Op>();
  // name → version installed by a simulated install (on top of the captured state).
  const installed = new Map<string, string>();
  let rebootPending = false;
  let opsStarted = 0;
  let alreadyStarted = 0;
  let cachedFor = '';
  let cached = new Map<string, SimPackage>();

  const packages = (): Map<string, SimPackage> => {
    const key = [...installed].join(',');
    if (cachedFor !== key || cached.size === 0) {
      cached = aptPackagesOf(host.profileOutput(), installed);
      cachedFor = key;
    }
    return cached;
  };

  /** An op's state now; an install that has just finished changes the host's packages once. */
  function settle(op: Op): { done: boolean; visible: Buffer } {
    const elapsed = Date.now() - op.startedAt;
    if (elapsed < installMs) {
      // The log grows as apt works: the share of its lines written so far.
      const lines = op.log.toString('utf8').split('\n');
      const shown = lines.slice(0, Math.floor((lines.length - 1) * (elapsed / installMs))).join('\n');
      return { done: false, visible: Buffer.from(shown ? `${shown}\n` : '') };
    }
    if (!op.applied) {
      op.applied = true;
      if (op.code === 0) {
        for (const i of op.items) installed.set(i.name, i.version);
        if (options.rebootRequired) rebootPending = true;
      }
    }
    return { done: true, visible: op.log };
  }

  function statusLine(id: string): { line: string; visible: Buffer } {
    const op = ops.get(id);
    if (!op) return { line: 'unknown', visible: Buffer.alloc(0) };
    const { done, visible } = settle(op);
    return { line: done ? `finished ${op.code} ${visible.length}` : `running ${visible.length}`, visible };
  }

  function start(id: string, script: string): SimAnswer | null {
    const items = installItems(script);
    if (!items) return null;
    if (ops.has(id)) {
      alreadyStarted += 1;
      return { stdout: 'already-started\n', stderr: '', code: 0 };
    }
    const { log, code } = installLog(packages(), items, options.failInstall);
    ops.set(id, { id, startedAt: Date.now(), log: Buffer.from(log), code, items, applied: false });
    opsStarted += 1;
    return { stdout: `started ${PID + opsStarted}\n`, stderr: '', code: 0 };
  }

  /**
   * remote-op-follow's start-and-follow command: the start's line, and when the op is started the mark,
   * then the follow as alone.
   */
  function startFollow(id: string, script: string, offset: number, max: number, sleeps: number) {
    const started = start(id, script);
    if (!started) return null;
    const stream = follow(id, offset, max, sleeps).stream as NonNullable<SimAnswer['stream']>;
    const answer: SimAnswer = {
      stdout: '',
      stderr: '',
      code: 0,
      stream: (emit, done) => {
        emit(Buffer.from(`${started.stdout}${STARTED_MARK}\n`));
        return stream(emit, done);
      },
    };
    return answer;
  }

  /**
   * remote-op-follow's command: every tick the status and the log grown since, until the op is no longer
   * running, `max` bytes were sent or `sleeps` ticks passed; then the trailer with the last status line.
   */
  function follow(id: string, offset: number, max: number, sleeps: number): SimAnswer {
    const stream: SimAnswer['stream'] = (emit, done) => {
      let off = offset;
      let left = max;
      let n = 0;
      let timer: NodeJS.Timeout | undefined;
      const round = () => {
        const { line, visible } = statusLine(id);
        const running = line.startsWith('running');
        const k = Math.min(left, running ? Math.max(0, visible.length - off) : line === 'unknown' ? 0 : left);
        const bytes = visible.subarray(off, off + k);
        if (bytes.length > 0) emit(bytes);
        off += k;
        left -= k;
        n += 1;
        if (!running || left <= 0 || n > sleeps) {
          emit(Buffer.from(`\n${FOLLOW_TRAILER}${line}\n`));
          done(0);
        } else timer = setTimeout(round, FOLLOW_TICK_MS);
      };
      round();
      return { stop: () => clearTimeout(timer) };
    };
    return { stdout: '', stderr: '', code: 0, stream };
  }

  function preflight(download: number | null, kernel: boolean): SimAnswer {
    const now = Math.floor(Date.now() / 1000);
    const df = 'overlay          264212084 28500584  77890328      27% /';
    const out = [
      'uid 0',
      `boot ${host.bootId()}`,
      `now ${now}`,
      `download ${download ?? 'unknown'}`,
      `kernel ${kernel ? 1 : 0}`,
      'tools apt-get dpkg',
      ...['/var/cache/apt/archives', '/', '/var', ...(kernel ? ['/boot'] : [])].map((p) => `df ${p} ${df}`),
      'lock /var/lib/dpkg/lock-frontend free',
      'lock /var/lib/dpkg/lock free',
      `lists ${now - 3600}`,
      `reboot ${rebootPending ? 1 : 0}`,
    ];
    return { stdout: `${out.join('\n')}\n`, stderr: '', code: 0 };
  }

  /** remote-op-cleanup's removal of named ops: finished ones (and lost ones when allowed) go. */
  function removeAnswer(script: string): SimAnswer | null {
    const wanted: OpToRemove[] = [];
    const re = /^s=\$\(opstate ('[^']*')\)\ncase "\$s" in\n {2}finished\*(\|lost\*)?\)/gm;
    for (const m of script.matchAll(re)) {
      const d = readQuoted(m[1] as string, 0)?.value ?? '';
      if (!d.startsWith(`${OPS_DIR}/`)) return null;
      wanted.push({ id: d.slice(OPS_DIR.length + 1), ifLost: m[2] !== undefined });
    }
    if (wanted.length === 0 || script !== removeOpsCommand(wanted)) return null;
    const lines = wanted.map(({ id }) => {
      const op = ops.get(id);
      if (!op) return `gone ${id}`;
      if (!settle(op).done) return `kept ${id} running`;
      ops.delete(id);
      return `removed ${id}`;
    });
    return { stdout: `${lines.join('\n')}\n`, stderr: '', code: 0 };
  }

  /** Several root scripts in one (electron/ssh/batch.ts): each answered as alone, framed by bytes. */
  function batchAnswer(script: string): SimAnswer | null {
    const parts = splitBatch(script);
    if (!parts) return null;
    const answers = parts.map((part) => {
      const a = rootAnswer(part) ?? {
        stdout: '',
        stderr: `patchbay-sim: this simulated host does not run "${part.slice(0, 80)}"\n`,
        code: 127,
      };
      return { stdout: a.raw ?? Buffer.from(a.stdout), stderr: Buffer.from(a.stderr), code: a.code };
    });
    return { stdout: '', stderr: '', code: 0, raw: frameBatch(answers) };
  }

  /** A root script's answer, or null when it is none of the rollout's. */
  function rootAnswer(script: string): SimAnswer | null {
    const batch = batchAnswer(script);
    if (batch) return batch;
    // The verify's re-check, run as root in its batch.
    if (script.startsWith('LC_ALL=C dpkg-query ') || script === 'exit 0') return dpkgQuery(script);
    if (script.startsWith('opstate() {')) return removeAnswer(script);
    if (script === REBOOT_SCRIPT) {
      setTimeout(() => {
        rebootPending = false;
        host.reboot();
      }, 2000).unref();
      return { stdout: 'patchbay-reboot-scheduled\n', stderr: '', code: 0 };
    }
    const d = after(script, '\nd=')?.value ?? after(script, 'd=')?.value;
    const id = d?.startsWith(`${OPS_DIR}/`) ? d.slice(OPS_DIR.length + 1) : null;
    if (id !== null) {
      if (script === opStatusCommand(id)) return { stdout: `${statusLine(id).line}\n`, stderr: '', code: 0 };
      const poll = /tail -c \+(\d+) "\$d\/log" \| head -c (\d+)\n/.exec(script);
      if (poll) {
        const offset = Number(poll[1]) - 1;
        const max = Number(poll[2]);
        if (script !== pollCommand(id, offset, max)) return null;
        const { line, visible } = statusLine(id);
        const chunk = visible.subarray(offset, offset + max).toString('latin1');
        return { stdout: `${line}\n${chunk}`, stderr: '', code: 0 };
      }
      const followed = /^off=(\d+); left=(\d+); n=0$/m.exec(script);
      const sleeps = /\[ \$n -le (\d+) \]/.exec(script);
      const inner = after(script, `: > "$d/boot"\nprintf '%s\\n' `)?.value;
      const limit = /"\$d" (\d+)s (\d+)s <\/dev\/null/.exec(script);
      const ms = Number(limit?.[1]) * 1000;
      if (followed && sleeps) {
        const [offset, max, n] = [Number(followed[1]), Number(followed[2]), Number(sleeps[1])];
        const wait = n * FOLLOW_TICK_MS;
        if (inner !== undefined && limit) {
          if (script !== startFollowCommand(id, inner, ms, offset, max, wait)) return null;
          return startFollow(id, inner, offset, max, n);
        }
        if (script !== followCommand(id, offset, max, wait)) return null;
        return follow(id, offset, max, n);
      }
      if (inner === undefined || !limit) return null;
      if (script !== startOpCommand(id, inner, ms) && script !== pruneThenStartCommand(id, inner, ms))
        return null;
      return start(id, inner);
    }
    if (script.includes(`${URIS_MARK}`)) {
      const items = specsOf(script.split('\n').find((l) => l.startsWith('apt-get -s ')) ?? '');
      if (!items || apt.dryRunCommand(request(items)) !== script) return null;
      return dryRun(packages(), items);
    }
    const dl = /^echo "download (\d+|unknown)"$/m.exec(script)?.[1];
    const kernel = /^echo "kernel ([01])"$/m.exec(script)?.[1];
    if (dl !== undefined && kernel !== undefined) {
      const download = dl === 'unknown' ? null : Number(dl);
      if (apt.preflightCommand({ downloadBytes: download, kernel: kernel === '1' }) !== script) return null;
      return preflight(download, kernel === '1');
    }
    return null;
  }

  /** dpkg-query's lines for the named packages (unknown names print nothing). */
  function dpkgQuery(script: string): SimAnswer | null {
    const names: string[] = [];
    if (script !== 'exit 0') {
      let i = script.indexOf(' -- ');
      if (i < 0) return null;
      i += 4;
      while (script[i] === "'") {
        const w = readQuoted(script, i);
        if (!w) return null;
        names.push(w.value);
        i = w.end + 1;
      }
    }
    if (apt.installedVersionsCommand(names) !== script) return null;
    const ps = packages();
    const lines = names.flatMap((n) => {
      const p = ps.get(n);
      return p?.installed ? [`${p.name}\t${p.arch}\tii \t${p.installed}\n`] : [];
    });
    return { stdout: lines.join(''), stderr: '', code: 0 };
  }

  return {
    /** Answers a rollout command (as it arrived on the SSH channel), or null when it is not one. */
    answer(command: string): SimAnswer | null {
      if (command === BOOT_ID_COMMAND) return { stdout: `${host.bootId()}\n@@failed\n`, stderr: '', code: 0 };
      const root = unwrapRoot(command);
      if (root) {
        const a = rootAnswer(root.script);
        return a && { ...a, stderr: `${root.tag} timeout\n${a.stderr}` };
      }
      if (command.startsWith('LC_ALL=C dpkg-query ') || command === 'exit 0') return dpkgQuery(command);
      return null;
    },
    /** The collection output with what simulated installs changed (the verify rescan reads it). */
    render(output: string): string {
      for (const op of ops.values()) settle(op);
      return installed.size === 0 ? output : installedOutput(output, installed);
    },
    /** Install operations started (a second start of the same id is not one) and refused second starts. */
    stats: () => ({ opsStarted, alreadyStarted }),
  };
}

/** A host's rollout responder. */
export type SimRollout = ReturnType<typeof simRollout>;
