import { z } from 'zod';

import type { PreflightCheck, PreflightReport } from '../installer';
import { UnparseableOutputError } from '../types';
import { WIN_BEGIN, WIN_END } from './wua-install-script';

/**
 * Readers of the install scripts' output (wua-install-script.ts). Output is untrusted: only the base64 JSON
 * between the markers is read, its shape is checked with bounds, and anything else is an
 * UnparseableOutputError naming what was wrong. A script that failed on the host (its catch block) is a
 * WinScriptError with Windows' message and HRESULT.
 */

const MAX_PAYLOAD = 1 << 20;
const str = (max: number) => z.string().max(max);
/** PowerShell 5.1 may serialize an array as {"value":[…],"Count":n}; null or one item stands for a list too. */
const list = <T extends z.ZodTypeAny>(item: T, max: number) =>
  z.preprocess(
    (v) =>
      v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v,
    z.preprocess(
      (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]),
      z.array(item).max(max),
    ),
  );
const guid = z.string().regex(/^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/, 'is not an UpdateID');
const hresult = z.string().regex(/^0x[0-9A-Fa-f]{8}$/, 'is not an HRESULT');
const failed = z.object({ ok: z.literal(false), error: str(2000), hresult: str(12) });
const boot = str(40);

/** Windows' HRESULT for "access denied": what WUA answers a remote session that tries to install. */
export const E_ACCESSDENIED = '0x80070005';

/** A script failed on the host: Windows' message and HRESULT. */
export class WinScriptError extends Error {
  constructor(
    message: string,
    readonly hresult: string,
  ) {
    super(message);
    this.name = 'WinScriptError';
  }
}

function payload(stdout: Buffer | string, what: string): unknown {
  const text = typeof stdout === 'string' ? stdout : stdout.toString('latin1');
  const begin = text.lastIndexOf(WIN_BEGIN);
  if (begin < 0) throw new UnparseableOutputError(`${what} printed no result (marker missing)`);
  const end = text.indexOf(WIN_END, begin);
  if (end < 0) throw new UnparseableOutputError(`${what}: the result is cut off (end marker missing)`);
  const b64 = text.slice(begin + WIN_BEGIN.length, end).trim();
  if (b64.length > MAX_PAYLOAD) throw new UnparseableOutputError(`${what}: the result is too large`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new UnparseableOutputError(`${what}: the result is not base64`);
  return json(Buffer.from(b64, 'base64').toString('utf8'), what);
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new UnparseableOutputError(`${what}: the result is not JSON`);
  }
}

/** Reads one script's result against its schema; the host's own failure becomes a WinScriptError. */
function read<T extends z.ZodTypeAny>(stdout: Buffer | string, what: string, ok: T): z.infer<T> {
  const doc = payload(stdout, what);
  const hostFailed = doc !== null && typeof doc === 'object' && (doc as { ok?: unknown }).ok === false;
  const parsed = (hostFailed ? failed : ok).safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnparseableOutputError(
      `${what}: unexpected shape (${issue?.path.join('.') || 'root'}: ${issue?.message})`,
    );
  }
  if (hostFailed) {
    const f = parsed.data as z.infer<typeof failed>;
    throw new WinScriptError(f.error.trim() || 'unknown error', f.hresult);
  }
  return parsed.data as z.infer<T>;
}

const preflightSchema = z.object({
  ok: z.literal(true),
  admin: z.boolean(),
  drive: str(10),
  free: z.number().min(0),
  wuStart: str(40),
  wuStatus: str(40),
  reboot: list(z.enum(['cbs', 'wu', 'rename']), 3),
  busy: z.boolean(),
  tasks: list(z.object({ name: str(260), state: str(20) }), 200),
  boot,
});

/** Free space the system drive must keep beyond the download (the install unpacks next to it). */
export const SPACE_MARGIN = 2 * 1024 ** 3;

const mb = (n: number) => `${Math.round(n / 1048576)} MB`;

/** The pre-flight's report, and the Patchbay tasks found on the host (for a cleanup of leftovers). */
export function parseWinPreflight(
  stdout: Buffer | string,
  downloadBytes: number | null,
): PreflightReport & { tasks: { name: string; state: string }[] } {
  const r = read(stdout, 'the Windows pre-flight', preflightSchema);
  const needed = (downloadBytes ?? 0) * 2 + SPACE_MARGIN;
  const running = r.tasks.filter((t) => t.state === 'Running' || t.state === 'Queued');
  const checks: PreflightCheck[] = [
    {
      id: 'root',
      ok: r.admin,
      message: r.admin
        ? 'the account is an administrator'
        : 'the WinRM account is not an administrator on this machine (a local admin over the network also needs LocalAccountTokenFilterPolicy=1)',
    },
    {
      id: 'space',
      ok: r.free >= needed,
      message: `${mb(r.free)} free on ${r.drive}, ${mb(needed)} needed`,
    },
    {
      id: 'tool',
      ok: r.wuStart !== 'Disabled',
      message:
        r.wuStart === 'Disabled'
          ? 'the Windows Update service (wuauserv) is disabled: enable it to install updates'
          : `the Windows Update service is usable (${r.wuStart}, ${r.wuStatus})`,
    },
    {
      id: 'lock',
      ok: !r.busy && running.length === 0,
      message:
        running.length > 0
          ? `a Patchbay install task is still running on this machine (${running.map((t) => t.name).join(', ')}): let it finish, or end it in Task Scheduler`
          : r.busy
            ? 'Windows Update is installing something else right now: try again when it is done'
            : 'no other install is running',
    },
    {
      id: 'reboot-pending',
      ok: r.reboot.length === 0,
      message:
        r.reboot.length === 0 ? 'no reboot pending' : 'a reboot was already pending before the rollout',
    },
  ];
  return { checks, bootId: r.boot, rebootPending: r.reboot.length > 0, tasks: r.tasks };
}

/** The boot time a script printed (LastBootUpTime, UTC ISO). */
export function parseWinBoot(stdout: Buffer | string): string {
  return read(stdout, 'the boot time', z.object({ ok: z.literal(true), boot })).boot;
}

/** Whether the start script started the op (false: it was started before; nothing was done). */
export function parseWinStart(stdout: Buffer | string): boolean {
  return read(stdout, 'the install start', z.object({ ok: z.literal(true), started: z.boolean() })).started;
}

/** The op ids the cleanup removed. */
export function parseWinCleanup(stdout: Buffer | string): string[] {
  return read(stdout, 'the cleanup', z.object({ ok: z.literal(true), removed: list(str(40), 100) })).removed;
}

const progressSchema = z.object({
  phase: z.enum(['searching', 'downloading', 'installing', 'done']),
  percent: z.number().min(0).max(100),
  count: z.number().int().min(0).optional(),
});
/** The worker's progress file. */
export type WinProgress = z.infer<typeof progressSchema>;

const resultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    code: z.number().int(),
    hresult,
    reboot: z.boolean(),
    updates: list(z.object({ id: guid, code: z.number().int(), hresult }), 1000),
  }),
  failed,
]);
/** The worker's result file: IInstallationResult's ResultCode (OperationResultCode), per update too. */
export type WinResult = z.infer<typeof resultSchema>;

/** What the status script found about an op. */
export type WinOpStatus =
  | { state: 'unknown' }
  | { state: 'running'; progress: WinProgress | null }
  | { state: 'finished'; result: WinResult }
  | { state: 'lost'; lastTaskResult: number | null };

const statusSchema = z.object({
  ok: z.literal(true),
  dir: z.boolean(),
  task: str(20),
  last: z.number().int().nullable(),
  progress: str(4096),
  result: str(256 * 1024),
});

/**
 * The op's state: finished when its result file exists; running while its task is Running or Queued (the
 * progress file, when readable, says how far); lost when its folder exists but no task runs it and no result
 * was written (the worker was killed: a reboot, the time limit, someone ended the task); unknown when there
 * is no trace.
 */
export function parseWinStatus(stdout: Buffer | string): WinOpStatus {
  const r = read(stdout, 'the install status', statusSchema);
  if (r.result !== '') {
    const res = resultSchema.safeParse(json(r.result, 'the install result file'));
    if (!res.success) throw new UnparseableOutputError('the install result file has an unexpected shape');
    return { state: 'finished', result: res.data };
  }
  if (r.task === 'Running' || r.task === 'Queued') {
    const p = r.progress !== '' ? progressSchema.safeParse(json(r.progress, 'the progress file')) : null;
    return { state: 'running', progress: p?.success ? p.data : null };
  }
  if (r.dir || r.task !== '') return { state: 'lost', lastTaskResult: r.last };
  return { state: 'unknown' };
}

/** OperationResultCode (WUA): 2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted. */
const RESULT_WORDS: Record<number, string> = {
  0: 'not started',
  1: 'in progress',
  2: 'succeeded',
  3: 'succeeded with errors',
  4: 'failed',
  5: 'aborted',
};

/** A finished result's failure in plain words, or null when every update installed. */
export function resultFailure(result: WinResult): { kind: string; message: string } | null {
  if (!result.ok) {
    if (result.hresult.toUpperCase() === E_ACCESSDENIED.toUpperCase())
      return {
        kind: 'access-denied',
        message: `Windows Update refused the install: access denied (${result.hresult}).`,
      };
    return {
      kind: 'unknown',
      message: `The install failed on the host: ${result.error} (${result.hresult}).`,
    };
  }
  const bad = result.updates.filter((u) => u.code !== 2);
  if (result.code === 2 && bad.length === 0) return null;
  const each = bad.map((u) => `${u.id}: ${RESULT_WORDS[u.code] ?? `code ${u.code}`} (${u.hresult})`);
  return {
    kind: 'unknown',
    message: `Windows Update says the install ${RESULT_WORDS[result.code] ?? `ended with code ${result.code}`}${each.length ? `: ${each.slice(0, 5).join('; ')}` : ''}.`,
  };
}
