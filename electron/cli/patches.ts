import type { FleetPatch, MachineFilter, MachinePatch, MachineScanDetails } from '../../shared/domain';
import type { Core } from '../core/create-core';
import { call } from './call';
import { resolveMachines } from './resolve';

// Fields other parts of issue 7 add to the patch types; read optionally so this file works before and after.
type PatchExtra = { packageManager?: string; securityVersion?: string | null; held?: boolean };
type FleetExtra = { packageManager?: string; securityVersion?: string | null; heldMachines?: number };
type StatusExtra = { held?: number; heldSecurity?: number };

function patchLine(p: MachinePatch & PatchExtra): string {
  const sec = p.security ? (p.securityVersion ? `security (fixed in ${p.securityVersion})` : 'security') : '';
  const d = p.decision;
  const decided =
    d?.state === 'approved'
      ? `approved ${d.version ?? ''} (${d.by?.scopeLabel ?? ''})`
      : d?.state === 'declined'
        ? `DECLINED (${d.by?.scopeLabel ?? ''}): ${d.by?.reason ?? ''}`
        : '';
  const flags = [sec, p.held && 'HELD', p.keptBack && 'kept back', p.isNew && 'new package', decided].filter(
    Boolean,
  );
  return `  ${p.name.padEnd(32)} ${(p.installedVersion || '(not installed)').padEnd(24)} → ${p.candidateVersion.padEnd(24)} ${flags.join(', ')}`;
}

function ago(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The human form of `machines show`. */
export function formatMachineDetails(
  name: string,
  address: string,
  d: MachineScanDetails,
  only: (p: MachinePatch) => boolean,
): string {
  const out: string[] = [`${name} (${address})`];
  const s = d.status as (MachineScanDetails['status'] & StatusExtra) | null;
  if (!s) return out.concat('  Never scanned. Run `patchbay scan --machine NAME`.').join('\n') + '\n';
  out.push(
    `  Last scan:  ${ago(s.lastScanAt)} — ${s.lastStatus}${s.lastErrorKind ? ` (${s.lastErrorKind})` : ''}`,
  );
  const ok = d.lastOk;
  if (ok) {
    out.push(`  OS:         ${ok.osName}, kernel ${ok.kernel}, ${ok.packageManager}`);
    const eol =
      ok.eol.state === 'unknown'
        ? 'unknown'
        : `${ok.eol.state}${ok.eol.ends ? ` (ends ${ok.eol.ends})` : ''}`;
    out.push(`  EOL:        ${eol}`);
    out.push(
      `  Missing:    ${s.missing} (${s.security} security)` +
        (s.held !== undefined ? `, ${s.held} held (${s.heldSecurity ?? 0} security)` : ''),
    );
    out.push(
      `  Reboot:     ${ok.rebootReasons.length ? `required — ${ok.rebootReasons.join('; ')}` : 'not required'}`,
    );
    if (ok.held.length) out.push(`  Held:       ${ok.held.join(', ')}`);
    if (ok.removals.length) out.push(`  Removals:   ${ok.removals.join(', ')}`);
    for (const w of ok.warnings) out.push(`  Warning:    ${w}`);
    for (const n of ok.notes) out.push(`  Note:       ${n}`);
  }
  const patches = d.patches.filter(only);
  out.push(patches.length ? `  Patches (${patches.length}):` : '  No missing patches.');
  for (const p of patches) out.push(patchLine(p));
  return out.join('\n') + '\n';
}

const isSecurity = (p: { security: boolean | null }) => p.security === true;

/** `patchbay machines show NAME`: status, warnings, reboot reasons, held, removals, EOL and missing patches. */
export async function showMachine(core: Core, name: string, json: boolean, out: (s: string) => void) {
  const [m] = await resolveMachines(core, [name]);
  if (!m) return;
  const details = await call(core, 'machines.scanDetails', { id: m.id });
  if (json) out(JSON.stringify({ machine: m, ...details }, null, 2) + '\n');
  else out(formatMachineDetails(m.displayName, m.address, details, () => true));
}

/** `patchbay patches list`: per machine with --machine, else across the machines the filters select. */
export async function listPatches(
  core: Core,
  opts: { machines?: string[]; filter: MachineFilter; securityOnly: boolean; json: boolean },
  out: (s: string) => void,
) {
  if (opts.machines?.length) {
    const machines = await resolveMachines(core, opts.machines);
    const rows: { machine: string; patches: MachinePatch[] }[] = [];
    for (const m of machines) {
      const d = await call(core, 'machines.scanDetails', { id: m.id });
      rows.push({
        machine: m.displayName,
        patches: d.patches.filter((p) => !opts.securityOnly || isSecurity(p)),
      });
    }
    if (opts.json) return out(JSON.stringify(rows, null, 2) + '\n');
    for (const r of rows) {
      out(`${r.machine}: ${r.patches.length} missing${opts.securityOnly ? ' security' : ''} patch(es)\n`);
      for (const p of r.patches) out(patchLine(p) + '\n');
    }
    return;
  }
  const fleet = (await call(core, 'patches.fleet', { filter: opts.filter })).filter(
    (p) => !opts.securityOnly || isSecurity(p),
  ) as (FleetPatch & FleetExtra)[];
  if (opts.json) return out(JSON.stringify(fleet, null, 2) + '\n');
  if (fleet.length === 0) return out('No missing patches on the selected machines (or none scanned yet).\n');
  out(
    `${'PACKAGE'.padEnd(32)} ${'PM'.padEnd(6)} ${'MACHINES'.padStart(8)} ${'NEWEST'.padEnd(24)} SECURITY\n`,
  );
  for (const p of fleet) {
    const sec = p.security ? (p.securityVersion ? `yes (fixed in ${p.securityVersion})` : 'yes') : '';
    const held = p.heldMachines ? `  held on ${p.heldMachines}` : '';
    // Declines first with their reasons (they must be seen), then where it is approved.
    const ds = p.decisions ?? [];
    const decided = [
      ...ds.filter((x) => x.decision === 'declined').map((x) => `DECLINED (${x.scopeLabel}): ${x.reason}`),
      ...(ds.some((x) => x.decision === 'approved')
        ? [
            `approved (${ds
              .filter((x) => x.decision === 'approved')
              .map((x) => x.scopeLabel)
              .join(', ')})`,
          ]
        : []),
    ]
      .map((x) => `  ${x}`)
      .join('');
    out(
      `${p.name.padEnd(32)} ${(p.packageManager ?? '-').padEnd(6)} ${String(p.machines).padStart(8)} ${p.newestVersion.padEnd(24)} ${sec}${held}${decided}\n`,
    );
  }
  out(`${fleet.length} package(s)\n`);
}
