/**
 * Checks an evidence pack from its bytes alone (no database): the zip is sound, every file is listed in
 * the manifest with its size and SHA-256 and nothing else is in it, SHA256SUMS agrees, and the audit span
 * inside recomputes as a hash chain from the previous hash the manifest names.
 */
import { entryHash } from '../audit/canonical';
import { AUDIT_FILE, MANIFEST, type Manifest, manifestSchema, parseSums, sha256, SUMS } from './pack-format';
import { DEFAULT_ZIP_LIMITS, readZip, ZipError, type ZipLimits } from './zip';

/** What verify found: ok when `problems` is empty; one line per problem. */
export interface PackReport {
  ok: boolean;
  problems: string[];
  rollout: Manifest['rollout'] | null;
  files: number;
  auditEntries: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Verifies a pack's bytes; never throws for anything inside the pack. */
export function verifyPack(bytes: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): PackReport {
  const report: PackReport = { ok: false, problems: [], rollout: null, files: 0, auditEntries: 0 };
  const problem = (p: string) => report.problems.push(p);
  let entries;
  try {
    entries = readZip(bytes, limits);
  } catch (err) {
    if (!(err instanceof ZipError)) throw err;
    problem(`the zip is unsafe or damaged: ${err.message}`);
    return report;
  }
  const byPath = new Map(entries.map((e) => [e.path, e.data]));
  const manifestBytes = byPath.get(MANIFEST);
  if (!manifestBytes) {
    problem(`${MANIFEST} is missing: this is not an evidence pack`);
    return report;
  }
  let manifest: Manifest;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(manifestBytes.toString('utf8')));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      problem(
        `${MANIFEST} is not a version-1 manifest (${first?.path.join('.') || 'top'}: ${first?.message})`,
      );
      return report;
    }
    manifest = parsed.data;
  } catch {
    problem(`${MANIFEST} is not valid JSON`);
    return report;
  }
  report.rollout = manifest.rollout;
  report.files = manifest.files.length;

  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (listed.has(f.path) || f.path === MANIFEST || f.path === SUMS) {
      problem(`${MANIFEST} lists ${f.path} twice or as a reserved name`);
      continue;
    }
    listed.add(f.path);
    const data = byPath.get(f.path);
    if (!data) problem(`${f.path} is listed in the manifest but missing from the pack`);
    else if (data.length !== f.size)
      problem(`${f.path} has ${data.length} bytes; the manifest says ${f.size}`);
    else if (sha256(data) !== f.sha256)
      problem(`${f.path} was changed: its SHA-256 does not match the manifest`);
  }
  for (const p of byPath.keys()) {
    if (p !== MANIFEST && p !== SUMS && !listed.has(p))
      problem(`${p} is in the pack but not in the manifest`);
  }
  checkSums(byPath.get(SUMS), manifest, sha256(manifestBytes), problem);
  if (manifest.audit) {
    const data = byPath.get(AUDIT_FILE);
    if (data) {
      report.auditEntries = checkChain(data.toString('utf8'), manifest.audit, manifest.rollout.id, problem);
    } else if (!listed.has(AUDIT_FILE))
      problem(`${AUDIT_FILE} is named by the manifest's audit span but not listed`);
  }
  report.ok = report.problems.length === 0;
  return report;
}

function checkSums(
  data: Buffer | undefined,
  manifest: Manifest,
  manifestSha: string,
  problem: (p: string) => void,
): void {
  if (!data) return problem(`${SUMS} is missing`);
  const { sums, problems } = parseSums(data.toString('utf8'));
  problems.forEach(problem);
  const expected = new Map(manifest.files.map((f) => [f.path, f.sha256]));
  expected.set(MANIFEST, manifestSha);
  for (const [p, sum] of expected) {
    const got = sums.get(p);
    if (got === undefined) problem(`${SUMS} does not list ${p}`);
    else if (got !== sum)
      problem(`${SUMS} gives ${p} another SHA-256 than the ${p === MANIFEST ? 'file' : 'manifest'}`);
  }
  for (const p of sums.keys())
    if (!expected.has(p)) problem(`${SUMS} lists ${p}, which the manifest does not`);
}

/** Recomputes the span's chain; returns how many entries it read. */
function checkChain(
  text: string,
  span: NonNullable<Manifest['audit']>,
  rolloutId: number,
  problem: (p: string) => void,
): number {
  const lines = text.split('\n').filter((l) => l !== '');
  let prev = span.prevHash;
  let expectSeq = span.firstSeq;
  // What each entry is about: the manifest's named entries must be the rollout's and decisions.
  const seqs = new Map<number, { action: string; rolloutId: unknown }>();
  for (const [i, line] of lines.entries()) {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      problem(`${AUDIT_FILE} line ${i + 1} is not valid JSON`);
      return i;
    }
    const fields = {
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      detail: e.detail,
    };
    if (
      typeof fields.seq !== 'number' ||
      typeof fields.at !== 'number' ||
      typeof fields.actor !== 'string' ||
      typeof fields.action !== 'string' ||
      typeof fields.subject !== 'string' ||
      typeof e.hash !== 'string' ||
      !HEX64.test(e.hash)
    ) {
      problem(`audit entry on line ${i + 1} lacks a field the chain needs`);
      return i;
    }
    if (fields.seq !== expectSeq) {
      problem(`audit entry ${expectSeq} is missing: line ${i + 1} holds entry ${fields.seq}`);
      return i;
    }
    if (e.prevHash !== prev) {
      problem(`audit entry ${fields.seq} does not follow the one before it (prev hash differs)`);
      return i;
    }
    if (entryHash(prev, fields as Parameters<typeof entryHash>[1]) !== e.hash) {
      problem(`audit entry ${fields.seq} was edited: its content does not match its hash`);
      return i;
    }
    const detail = fields.detail as { rolloutId?: unknown } | null;
    seqs.set(fields.seq, { action: fields.action, rolloutId: detail?.rolloutId });
    prev = e.hash;
    expectSeq++;
  }
  if (expectSeq - 1 !== span.lastSeq || prev !== span.lastHash) {
    problem(
      `the audit span ends at entry ${expectSeq - 1}, not at entry ${span.lastSeq} with the manifest's hash`,
    );
  }
  const outside = [...span.rolloutSeqs, ...span.approvalSeqs].filter((s) => !seqs.has(s));
  if (outside.length) {
    problem(`audit entries ${outside.join(', ')} named by the manifest are not in the span`);
    return lines.length;
  }
  const notRollout = span.rolloutSeqs.filter((s) => {
    const e = seqs.get(s);
    return !e?.action.startsWith('rollout.') || e.rolloutId !== rolloutId;
  });
  if (notRollout.length) problem(`audit entries ${notRollout.join(', ')} are not about rollout ${rolloutId}`);
  const notDecision = span.approvalSeqs.filter(
    (s) => !['decision.approved', 'decision.declined'].includes(seqs.get(s)?.action ?? ''),
  );
  if (notDecision.length) problem(`audit entries ${notDecision.join(', ')} are not approval decisions`);
  return lines.length;
}
