/**
 * Turns a health check's framed raw result into pass/fail and a short detail in plain words ("HTTP 503,
 * expected 200", "port 5432 on 127.0.0.1 refused", "nginx.service inactive"). The raw text is untrusted
 * host output: only a bounded, control-character-free line of it ever reaches a detail.
 */
import type { HealthCheck } from '../../shared/plans';
import type { HealthCheckResult } from '../plans/runner-ports';
import { BODY_MAX, initScriptName, type RawCheck } from './check-script';

const LINE_MAX = 160;

/** One line of untrusted text, safe to show: control characters gone, bounded. */
export function cleanLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return s.length > LINE_MAX ? `${s.slice(0, LINE_MAX - 1)}…` : s;
}

/** The last non-empty line of `text`, cleaned (where a failing command usually says why). */
function lastLine(text: string, skip?: RegExp): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !(skip && skip.test(l)));
  return cleanLine(lines[lines.length - 1] ?? '');
}

/** GNU timeout's exit codes: 124 after SIGTERM, 137 when it had to SIGKILL. */
const timedOut = (raw: RawCheck, limited: boolean | null) =>
  limited === true && (raw.rc === 124 || raw.rc === 137);

function command(c: Extract<HealthCheck, { kind: 'command' }>, raw: RawCheck, limited: boolean | null) {
  if (raw.rc === 0) return { ok: true, detail: 'exit 0' };
  if (timedOut(raw, limited)) return { ok: false, detail: `did not finish within ${c.timeoutSec} s` };
  const why = lastLine(raw.out);
  const code = Number.isNaN(raw.rc) ? 'an unknown status' : String(raw.rc);
  return { ok: false, detail: `exit ${code}${why ? `: ${why}` : ''}` };
}

function tcp(c: Extract<HealthCheck, { kind: 'tcp' }>, raw: RawCheck, limited: boolean | null) {
  const where = `port ${c.port} on ${c.host}`;
  if (raw.tool === 'none') return { ok: false, detail: 'cannot check: no bash, python3 or nc on the host' };
  if (raw.rc === 0) return { ok: true, detail: `${where} accepts connections` };
  const text = raw.out;
  if (timedOut(raw, limited) || /timed out/i.test(text)) {
    return { ok: false, detail: `no answer from ${where} within ${c.timeoutSec} s` };
  }
  if (/refused/i.test(text)) return { ok: false, detail: `${where} refused` };
  if (/not known|resolve|nodename|no address associated|name resolution/i.test(text)) {
    return { ok: false, detail: `cannot resolve ${c.host}` };
  }
  if (/unreachable|no route/i.test(text)) return { ok: false, detail: `${c.host} unreachable (no route)` };
  const why = lastLine(text);
  return {
    ok: false,
    detail: `cannot connect to ${where}${why ? `: ${why}` : ` (${raw.tool} exit ${raw.rc})`}`,
  };
}

const STATUS = /HTTP\/[\d.]+ (\d{3})/g;
/** The final status line's code (the last one: a 100 Continue comes first). */
function httpStatus(text: string): number | null {
  const all = [...text.matchAll(STATUS)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : null;
}

function http(c: Extract<HealthCheck, { kind: 'http' }>, raw: RawCheck, limited: boolean | null) {
  if (raw.tool === 'none') return { ok: false, detail: 'cannot check: no curl, wget or python3 on the host' };
  const status = httpStatus(raw.head) ?? httpStatus(raw.out);
  if (status === null) {
    if (timedOut(raw, limited) || /timed out|timeout/i.test(raw.out)) {
      return { ok: false, detail: `no answer from ${c.url} within ${c.timeoutSec} s` };
    }
    const why = lastLine(raw.out, STATUS);
    return {
      ok: false,
      detail: `cannot fetch ${c.url}${why ? `: ${why}` : ` (${raw.tool} exit ${raw.rc})`}`,
    };
  }
  if (status !== c.expectStatus) return { ok: false, detail: `HTTP ${status}, expected ${c.expectStatus}` };
  if (c.expectBody !== undefined && !raw.body.includes(c.expectBody)) {
    const cut = Buffer.byteLength(raw.body) >= BODY_MAX ? ` (in its first ${BODY_MAX / 1024} KiB)` : '';
    return {
      ok: false,
      detail: `HTTP ${status}, but the body does not contain "${cleanLine(c.expectBody)}"${cut}`,
    };
  }
  return { ok: true, detail: `HTTP ${status}${c.expectBody !== undefined ? ', expected text found' : ''}` };
}

function service(c: Extract<HealthCheck, { kind: 'service' }>, raw: RawCheck) {
  const name = initScriptName(c.unit);
  if (raw.tool === 'none') {
    return {
      ok: false,
      detail: name
        ? `cannot check ${c.unit}: no systemd, OpenRC or /etc/init.d/${name} on the host`
        : `cannot check ${c.unit}: the host does not run systemd, and this unit has no init-script equivalent`,
    };
  }
  if (raw.tool === 'systemd') {
    const state = cleanLine(raw.out.split('\n')[0] ?? '');
    if (raw.rc === 0) return { ok: true, detail: `${c.unit} active` };
    return { ok: false, detail: `${c.unit} ${/^[a-z-]+$/.test(state) ? state : `not active (${state})`}` };
  }
  const how = raw.tool === 'openrc' ? 'rc-service status' : `/etc/init.d/${name ?? c.unit} status`;
  if (raw.rc === 0) return { ok: true, detail: `${name} running (${how})` };
  const why = lastLine(raw.out);
  // LSB: 1–3 mean not running; 4 (and anything else) means the script could not tell.
  if (raw.rc >= 1 && raw.rc <= 3) {
    return { ok: false, detail: `${name} not running (${how} exit ${raw.rc}${why ? `: ${why}` : ''})` };
  }
  return { ok: false, detail: `cannot check ${name}: ${how} exit ${raw.rc}${why ? `: ${why}` : ''}` };
}

/** One check's result from its frames; a check whose frames never came back failed for that reason. */
export function checkResult(
  check: HealthCheck,
  raw: RawCheck | undefined,
  limited: boolean | null,
): HealthCheckResult {
  if (!raw) return { check, ok: false, detail: 'did not run: the host’s output ended before this check' };
  const r =
    check.kind === 'command'
      ? command(check, raw, limited)
      : check.kind === 'tcp'
        ? tcp(check, raw, limited)
        : check.kind === 'http'
          ? http(check, raw, limited)
          : service(check, raw);
  return { check, ...r };
}
