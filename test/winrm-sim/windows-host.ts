/**
 * A simulated Windows machine behind the WinRM simulator, for Patchbay's install scripts
 * (electron/platforms/windows/wua-install-script.ts): Windows Update state (a WuaProfile plus what got
 * installed), Task Scheduler (ScheduledTasks module cmdlets), files under %ProgramData%\Patchbay\ops,
 * LastBootUpTime and restarts. What each part answers is what the documented cmdlets and COM objects return
 * (see README.md, "Install"); DOCUMENTED, NOT CAPTURED.
 *
 * The rule the whole design rests on: IUpdateDownloader.Download / IUpdateInstaller.Install called from a
 * WinRM (network logon) session fail with E_ACCESSDENIED (0x80070005); only a process running as SYSTEM (a
 * scheduled task with the SYSTEM principal) may install.
 */
import { WIN_BEGIN, WIN_END } from '../../electron/platforms/windows/wua-install-script';
import type { ScriptedExecutor, SimCommand } from './executor';
import type { WuaProfile } from './wua-profiles';
import { onWuaScan } from './wua-sim';

/** Task Scheduler's documented values (StateEnum of MSFT_ScheduledTask; LastTaskResult SCHED_S_* codes). */
const SCHED_S_TASK_HAS_NOT_RUN = 0x41303;
const SCHED_S_TASK_RUNNING = 0x41301;
const SCHED_S_TASK_TERMINATED = 0x41306;

/** A registered task as Task Scheduler keeps it. */
export interface SimTask {
  state: 'Ready' | 'Running' | 'Disabled';
  /** The principal's UserId as registered (New-ScheduledTaskPrincipal -UserId). */
  userId: string;
  lastResult: number;
  timers: NodeJS.Timeout[];
}

/** An op's folder under %ProgramData%\\Patchbay\\ops. */
export interface OpFolder {
  worker: string;
  progress?: string;
  result?: string;
}

/** How the machine behaves. */
export interface SimWindowsOptions {
  /** Time from Start-ScheduledTask to the result file (search, download, install). Default 1,500 ms. */
  installMs?: number;
  /** The WinRM account is a member of Administrators. Default true. */
  admin?: boolean;
  /** Free bytes on C:. Default 40 GB. */
  freeBytes?: number;
  /** wuauserv StartType. Default 'Manual'. */
  wuStart?: 'Automatic' | 'Manual' | 'Disabled';
  /** How long a restart refuses connections. Default 1,000 ms. */
  rebootDownMs?: number;
  /** A restart that never comes back. */
  rebootNeverReturns?: boolean;
  /** UpdateIDs whose install fails (IUpdateInstallationResult ResultCode 4, HRESULT 0x80240022). */
  failUpdates?: string[];
  /** Called as the worker reaches each phase (tests drop connections mid-install). */
  onPhase?: (phase: string, opId: string) => void;
}

const ps = (o: unknown): string =>
  `\r\n${WIN_BEGIN}\r\n${Buffer.from(JSON.stringify(o), 'utf8').toString('base64')}\r\n${WIN_END}\r\n`;

/** The first `FromBase64String('…')` literal of a script, as JSON: the `$p` parameters. */
function paramsOf(script: string): Record<string, unknown> {
  const m = /FromBase64String\('([A-Za-z0-9+/=]*)'\)/.exec(script);
  if (!m?.[1]) throw new Error('simulator: the script has no parameter block');
  return JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as Record<string, unknown>;
}

/**
 * What a restart does to the machine's remote access, whatever the transport (WinrmSimulator,
 * WindowsSshSimulator): down() refuses new connections and drops open ones, up() listens again on its port.
 */
export interface RestartableListener {
  down(): Promise<void>;
  up(): Promise<void>;
}

/** One simulated Windows machine; `attach` registers its script handlers on an executor. */
export class SimWindows {
  /** UpdateIDs installed (lower case), with how many times each was installed. */
  readonly installed = new Map<string, number>();
  readonly tasks = new Map<string, SimTask>();
  readonly ops = new Map<string, OpFolder>();
  /** Worker runs that called IUpdateInstaller.Install with at least one update. */
  installRuns = 0;
  /** Install or download calls refused with E_ACCESSDENIED (outside a SYSTEM task). */
  accessDenied = 0;
  /** Restarts asked for with shutdown.exe /r. */
  restarts = 0;
  private boot: string;
  private readonly pending = new Set<'cbs' | 'wu' | 'rename'>();
  private sim: RestartableListener | null = null;

  constructor(
    private readonly profile: WuaProfile,
    private readonly o: SimWindowsOptions = {},
  ) {
    this.boot = profile.os.LastBootUpTime;
    for (const k of profile.rebootPending) this.pending.add(k);
  }

  /** LastBootUpTime now (UTC ISO, 7 fractional digits as .NET's 'o' format prints). */
  get bootTime(): string {
    return new Date(this.boot).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
  }

  /** The profile as Windows Update sees it now: installed updates, and the ones they supersede, are gone. */
  current(): WuaProfile {
    const gone = new Set(this.installed.keys());
    for (const u of this.profile.updates)
      if (gone.has(u.Identity.UpdateID.toLowerCase()))
        for (const s of u.SupersededUpdateIDs) gone.add(s.toLowerCase());
    return {
      ...this.profile,
      os: { ...this.profile.os, LastBootUpTime: this.boot },
      rebootPending: [...this.pending],
      updates: this.profile.updates.filter((u) => !gone.has(u.Identity.UpdateID.toLowerCase())),
    };
  }

  /** Registers the machine's answers on an executor, and binds restarts to its listener (WinRM or OpenSSH). */
  attach(ex: ScriptedExecutor, sim: RestartableListener): void {
    this.sim = sim;
    onWuaScan(ex, () => this.current());
    ex.onPowerShell(/shutdown\.exe \/r\b/, (_s, cmd) => this.restart(cmd));
    ex.onPowerShell(/IsInRole[\s\S]*IsBusy/, (_s, cmd) => this.preflight(cmd));
    // Unregister before Register: the cleanup's cmdlet name contains the other.
    ex.onPowerShell(/Unregister-ScheduledTask/, (s, cmd) => this.cleanup(s, cmd));
    ex.onPowerShell(/Register-ScheduledTask/, (s, cmd) => this.register(s, cmd));
    ex.onPowerShell(/Get-ScheduledTaskInfo/, (s, cmd) => this.status(s, cmd));
    // Any other script that downloads or installs runs in the WinRM session: refused as Windows does.
    ex.onPowerShell(/CreateUpdateInstaller|CreateUpdateDownloader/, (_s, cmd) => {
      this.accessDenied++;
      cmd.stderr(
        'Exception calling "Download" with "0" argument(s): "Exception from HRESULT: 0x80070005 (E_ACCESSDENIED)"\r\n',
      );
      return 1;
    });
    ex.onPowerShell(/LastBootUpTime/, (_s, cmd) => {
      cmd.stdout(ps({ ok: true, boot: this.bootTime }));
      return 0;
    });
  }

  private preflight(cmd: SimCommand): number {
    const busy = [...this.tasks.values()].some((t) => t.state === 'Running');
    cmd.stdout(
      ps({
        ok: true,
        admin: this.o.admin ?? true,
        drive: 'C:',
        free: this.o.freeBytes ?? 40 * 1024 ** 3,
        wuStart: this.o.wuStart ?? 'Manual',
        wuStatus: this.o.wuStart === 'Disabled' ? 'Stopped' : 'Running',
        reboot: [...this.pending],
        busy,
        tasks: [...this.tasks].map(([name, t]) => ({ name, state: t.state })),
        boot: this.bootTime,
      }),
    );
    return 0;
  }

  /** The start script: New-Item, WriteAllText, Register-ScheduledTask, Start-ScheduledTask. */
  private register(script: string, cmd: SimCommand): number {
    const p = paramsOf(script) as { op: string; worker: string; limit: number };
    const name = `Patchbay-${p.op}`;
    if (this.ops.has(p.op) || this.tasks.has(name)) {
      cmd.stdout(ps({ ok: true, started: false }));
      return 0;
    }
    const worker = Buffer.from(p.worker, 'base64').toString('utf8');
    this.ops.set(p.op, { worker });
    const user = /New-ScheduledTaskPrincipal -UserId '([^']+)'/.exec(script)?.[1] ?? 'Technician';
    const serviceAccount = /-LogonType ServiceAccount/.test(script);
    const task: SimTask = {
      state: 'Ready',
      userId: serviceAccount ? user : 'Technician',
      lastResult: SCHED_S_TASK_HAS_NOT_RUN,
      timers: [],
    };
    this.tasks.set(name, task);
    if (/Start-ScheduledTask/.test(script)) this.runTask(p.op, task);
    cmd.stdout(ps({ ok: true, started: true }));
    return 0;
  }

  /** The task's action: the worker script, as its principal. Progress and result go to the op folder. */
  private runTask(opId: string, task: SimTask): void {
    const folder = this.ops.get(opId);
    if (!folder) return;
    const ids = (paramsOf(folder.worker) as { ids: string[] }).ids.map((i) => i.toLowerCase());
    task.state = 'Running';
    task.lastResult = SCHED_S_TASK_RUNNING;
    const total = this.o.installMs ?? 1500;
    const at = (frac: number, f: () => void) => task.timers.push(setTimeout(f, Math.round(total * frac)));
    const put = (phase: string, percent: number) => {
      folder.progress = JSON.stringify({ phase, percent, count: ids.length });
      this.o.onPhase?.(phase, opId);
    };
    put('searching', 0);
    const offered = this.current().updates.filter((u) => ids.includes(u.Identity.UpdateID.toLowerCase()));
    const finish = (result: object) => {
      folder.result = JSON.stringify(result);
      folder.progress = JSON.stringify({ phase: 'done', percent: 100 });
      task.state = 'Ready';
      task.lastResult = 0;
      task.timers = [];
    };
    if (offered.length === 0) {
      at(0.1, () => finish({ ok: true, code: 2, hresult: '0x00000000', reboot: false, updates: [] }));
      return;
    }
    at(0.2, () => put('downloading', 0));
    at(0.4, () => put('downloading', 100));
    if (task.userId !== 'NT AUTHORITY\\SYSTEM' && task.userId !== 'SYSTEM') {
      at(0.5, () => {
        this.accessDenied++;
        finish({
          ok: false,
          error: 'Exception from HRESULT: 0x80070005 (E_ACCESSDENIED)',
          hresult: '0x80070005',
        });
      });
      return;
    }
    at(0.5, () => {
      this.installRuns++;
      put('installing', 0);
    });
    at(0.75, () => put('installing', 50));
    at(1, () => {
      let reboot = false;
      const failing = new Set((this.o.failUpdates ?? []).map((i) => i.toLowerCase()));
      const updates = offered.map((u) => {
        const id = u.Identity.UpdateID.toLowerCase();
        if (failing.has(id)) return { id: u.Identity.UpdateID, code: 4, hresult: '0x80240022' };
        this.installed.set(id, (this.installed.get(id) ?? 0) + 1);
        if (u.RebootBehavior !== 0) reboot = true;
        return { id: u.Identity.UpdateID, code: 2, hresult: '0x00000000' };
      });
      if (reboot) {
        this.pending.add('wu');
        this.pending.add('cbs');
      }
      // OperationResultCode of the whole install: 3 (succeeded with errors) when some failed, 4 when all did.
      const bad = updates.filter((u) => u.code !== 2).length;
      const code = bad === 0 ? 2 : bad === updates.length ? 4 : 3;
      finish({ ok: true, code, hresult: '0x00000000', reboot, updates });
    });
  }

  private status(script: string, cmd: SimCommand): number {
    const { op } = paramsOf(script) as { op: string };
    const task = this.tasks.get(`Patchbay-${op}`);
    const folder = this.ops.get(op);
    cmd.stdout(
      ps({
        ok: true,
        dir: folder !== undefined,
        task: task?.state ?? '',
        last: task ? task.lastResult : null,
        progress: folder?.progress ?? '',
        result: folder?.result ?? '',
      }),
    );
    return 0;
  }

  private cleanup(script: string, cmd: SimCommand): number {
    const { ops } = paramsOf(script) as { ops: { op: string; lost: boolean }[] };
    const removed: string[] = [];
    for (const o of ops) {
      const name = `Patchbay-${o.op}`;
      const task = this.tasks.get(name);
      if (task?.state === 'Running') continue;
      this.tasks.delete(name);
      const folder = this.ops.get(o.op);
      if (folder && (folder.result !== undefined || o.lost)) this.ops.delete(o.op);
      if (!this.ops.has(o.op)) removed.push(o.op);
    }
    cmd.stdout(ps({ ok: true, removed }));
    return 0;
  }

  /**
   * shutdown.exe /r /t 0: answers, then goes down — connections refused, running tasks killed (no result
   * file), pending-reboot keys cleared — and comes back after rebootDownMs with a new LastBootUpTime.
   */
  private restart(cmd: SimCommand): number {
    this.restarts++;
    cmd.stdout(ps({ ok: true, boot: this.bootTime, code: 0 }));
    setTimeout(() => void this.goDown(), 50);
    return 0;
  }

  private async goDown(): Promise<void> {
    for (const t of this.tasks.values()) {
      if (t.state !== 'Running') continue;
      for (const x of t.timers) clearTimeout(x);
      t.timers = [];
      t.state = 'Ready';
      t.lastResult = SCHED_S_TASK_TERMINATED;
    }
    await this.sim?.down();
    this.pending.clear();
    this.boot = new Date(Math.max(Date.now(), Date.parse(this.boot) + 1000)).toISOString();
    if (this.o.rebootNeverReturns) return;
    setTimeout(() => void this.sim?.up(), this.o.rebootDownMs ?? 1000);
  }

  /** Stops every timer (test teardown). */
  dispose(): void {
    for (const t of this.tasks.values()) for (const x of t.timers) clearTimeout(x);
  }
}
