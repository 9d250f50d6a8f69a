/**
 * Reads dnf's and yum's `--assumeno` simulation: the transaction table (sections "Upgrading:",
 * "Installing dependencies:", "Removing:", yum's "Updating:"…, rows `name arch version repo size`, a name
 * too long for its column alone on its line and the rest on the next, "replacing name.arch version" under
 * an obsoleting package), the summary's size, and the tools' error lines.
 */
import type { DryRunPlan, PlannedChange } from './installer';
import { parseRpmInstalled } from './rpm-install';
import { displayText, RPM_ARCH, RPM_NAME } from './rpm-names';
import { compareEvr, formatEvr, parseEvr } from './rpm-version';
import { UnparseableOutputError } from './types';

/** Marks the end of one simulated step (`items` or `advisories`) and its exit code. */
export const STEP_MARK = '@@patchbay-step';
/** Marks the start of the installed-package list the dry run appends (dnf's table has no old versions). */
export const INSTALLED_MARK = '@@patchbay-installed';

type Bucket = 'upgrades' | 'installs' | 'removals' | 'other';

/** Which list a table section's rows go to. */
function bucketOf(heading: string): Bucket {
  if (/^(Upgrading|Updating)/.test(heading)) return 'upgrades';
  if (/^Install/.test(heading)) return 'installs';
  if (/^(Removing|Erasing)/.test(heading)) return 'removals';
  return 'other';
}

const UNITS: Record<string, number> = { '': 1, k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "28 k", "1.2 M", "512" (dnf and yum print sizes in binary units with one letter). */
export function sizeBytes(text: string): number | null {
  const m = /^([\d.]+)\s*([kKMGT]?)B?$/.exec(text.trim());
  const unit = UNITS[m?.[2] ?? ''];
  return m && unit ? Math.round(Number(m[1]) * unit) : null;
}

interface Row {
  bucket: Bucket;
  name: string;
  arch: string;
  version: string;
  heading: string;
}

interface StepResult {
  rows: Row[];
  replaced: { by: string; nevra: string }[];
  table: boolean;
  size: number | null;
  lines: string[];
}

const ROW = /^ (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+([\d.]+ ?[kKMGT]?)$/;
const CONT = /^\s+(\S+)\s+(\S+)\s+(\S+)\s+([\d.]+ ?[kKMGT]?)$/;

function readStep(lines: string[]): StepResult {
  const r: StepResult = { rows: [], replaced: [], table: false, size: null, lines };
  let heading = '';
  let pendingName = '';
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (/^Transaction Summary/.test(line)) {
      heading = '';
      continue;
    }
    const h = /^([A-Z][A-Za-z ]+):$/.exec(line);
    if (h) {
      heading = h[1] ?? '';
      r.table = true;
      continue;
    }
    const size = /^Total (?:download )?size: (.+)$/.exec(line);
    if (size) {
      // "Total download size" is what is fetched; "Total size" alone means it is all in the cache already.
      const bytes = /download/.test(line) ? sizeBytes(size[1] ?? '') : 0;
      r.size = bytes ?? r.size;
      continue;
    }
    if (!heading) continue;
    const rep = /^\s+replacing\s+(\S+)\s+(\S+)$/.exec(line);
    if (rep) {
      const last = r.rows[r.rows.length - 1];
      if (last) r.replaced.push({ by: last.name, nevra: `${rep[1]} ${rep[2]}` });
      continue;
    }
    let m = ROW.exec(line);
    let name = m?.[1];
    let rest = m ? m.slice(2, 4) : null;
    if (!m && pendingName) {
      m = CONT.exec(line);
      name = pendingName;
      rest = m ? m.slice(1, 3) : null;
    }
    pendingName = '';
    if (m && name && rest) {
      r.rows.push({ bucket: bucketOf(heading), name, arch: rest[0] ?? '', version: rest[1] ?? '', heading });
      continue;
    }
    const alone = /^ (\S+)$/.exec(line);
    if (alone) pendingName = alone[1] ?? '';
  }
  return r;
}

/** `name.arch version` of a "replacing" line as a removal. */
function replacedChange(nevra: string): PlannedChange | null {
  const [na = '', v = ''] = nevra.split(' ');
  const dot = na.lastIndexOf('.');
  const name = na.slice(0, dot);
  const arch = na.slice(dot + 1);
  if (dot < 1 || !RPM_NAME.test(name) || !RPM_ARCH.test(arch)) return null;
  return { name, arch, fromVersion: formatEvr(parseEvr(v)), toVersion: '' };
}

const PROBLEM =
  /^\s*(Error: .+|No match for argument: .+|No package .+ available\.|Problem( \d+)?: .+|- .+)$/;

/**
 * Reads the dry run: each step's simulation up to its STEP_MARK line, then INSTALLED_MARK and rpm -qa.
 * A step that printed a table simulated fine (dnf still exits 1: "Operation aborted."); one that printed
 * "Nothing to do." had nothing to do; anything else is a problem, with dnf's own lines.
 */
export function parseDnfDryRun(output: string, exitCode: number | null): DryRunPlan {
  const mark = output.indexOf(`\n${INSTALLED_MARK}`);
  if (mark < 0 && !output.startsWith(INSTALLED_MARK))
    throw new UnparseableOutputError(`the dnf dry run did not finish (exit ${exitCode ?? 'none'})`);
  const installed = parseRpmInstalled(output.slice(mark + 1 + INSTALLED_MARK.length));
  const plan: DryRunPlan = {
    upgrades: [],
    installs: [],
    removals: [],
    downloadBytes: 0,
    problems: [],
    notes: [],
  };
  const changes = new Map<string, { bucket: Bucket; change: PlannedChange }>();
  let chunk: string[] = [];
  for (const line of output.slice(0, Math.max(mark, 0)).split('\n')) {
    const step = new RegExp(`^${STEP_MARK} (items|advisories) (\\d+)$`).exec(line);
    if (!step) {
      chunk.push(line);
      continue;
    }
    const r = readStep(chunk);
    chunk = [];
    const code = Number(step[2]);
    const said = (re: RegExp) => r.lines.some((l) => re.test(l));
    const problems = r.lines.filter((l) => PROBLEM.test(l)).map((l) => displayText(l));
    // dnf's "Problem:" lines in a resolved transaction are candidates it could not take; they matter when
    // it skipped packages for them (best=False), as the approved version then does not go in.
    const skipped = r.rows.some((row) => /^Skipping packages with broken dependencies/.test(row.heading));
    const aside = skipped ? plan.problems : plan.notes;
    if (r.table && said(/^(Operation aborted\.|Exiting on user command)/)) {
      aside.push(...problems);
    } else if (said(/^Nothing to do\.?$|^No packages marked for update$/) && code === 0) {
      if (step[1] === 'advisories')
        plan.notes.push('the advisories fix nothing more on this host (already installed or not applicable)');
      aside.push(...problems);
    } else {
      plan.problems.push(...(problems.length ? problems : [`${step[1]}: dnf exited with code ${code}`]));
    }
    if (r.size === null) plan.downloadBytes = null;
    else if (plan.downloadBytes !== null) plan.downloadBytes += r.size;
    for (const row of r.rows) {
      const from = installed.get(`${row.name}.${row.arch}`) ?? '';
      const bucket = row.bucket === 'upgrades' && !from ? 'installs' : row.bucket;
      const change: PlannedChange =
        bucket === 'removals'
          ? { name: row.name, arch: row.arch, fromVersion: row.version, toVersion: '' }
          : {
              name: row.name,
              arch: row.arch,
              fromVersion: bucket === 'installs' ? '' : from,
              toVersion: row.version,
            };
      if (bucket === 'other') {
        // best=False (Fedora's default) skips what it cannot resolve instead of failing: for an approved
        // version that means it would not be installed.
        if (/^Skipping packages with broken dependencies/.test(row.heading))
          plan.problems.push(
            `${row.name}.${row.arch} ${row.version} would be skipped: its dependencies cannot be met`,
          );
        else plan.notes.push(`${row.heading}: ${row.name}.${row.arch} ${row.version}`);
        continue;
      }
      const key = `${bucket}:${row.name}.${row.arch}`;
      const prev = changes.get(key);
      // Both steps may move one package: the later step starts from the first one's result.
      if (!prev || compareEvr(change.toVersion || '0', prev.change.toVersion || '0') > 0)
        changes.set(key, { bucket, change });
    }
    for (const rep of r.replaced) {
      const c = replacedChange(rep.nevra);
      if (!c) continue;
      changes.set(`removals:${c.name}.${c.arch}`, { bucket: 'removals', change: c });
      plan.notes.push(`${c.name} is replaced by ${rep.by} (an obsoleting package)`);
    }
  }
  for (const { bucket, change } of changes.values()) {
    if (bucket !== 'other') plan[bucket].push(change);
  }
  return plan;
}
