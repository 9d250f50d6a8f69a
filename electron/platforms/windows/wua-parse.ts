import { z } from 'zod';

import { type HostFacts, type PendingPatch, type ScanFindings, UnparseableOutputError } from '../types';
import { WUA_BEGIN, WUA_END } from './wua-script';

/**
 * Reads the Windows scan's output (wua-script.ts) into the same findings every platform reports. Output is
 * untrusted: only the text between the markers is read, it must be base64 of JSON of the expected shape,
 * every string and list is bounded, and anything else is an UnparseableOutputError naming what was wrong.
 *
 * Patch identity (approvals key on it): packageManager 'wua'; name = the KB ("KB5048667"), or the UpdateID
 * when the update has no KB (drivers usually have none), or "KB…_<UpdateID>" when two missing updates share a
 * KB; version = "<UpdateID>.<RevisionNumber>" — a new revision of the same update is a new thing to approve,
 * and the install step finds the update by this id.
 */

/** Largest base64 payload accepted (a host with thousands of missing updates stays far below). */
const MAX_PAYLOAD = 8 << 20;
const MAX_UPDATES = 5000;

const str = (max: number) => z.string().max(max);
/** Windows PowerShell 5.1 sometimes serializes an array as {"value":[…],"Count":n} (its ETS Count member). */
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

const updateSchema = z.object({
  id: guid,
  rev: z.number().int().min(0).max(1e9),
  title: str(1000),
  kb: list(z.string().regex(/^\d{1,10}$/, 'is not a KB number'), 20),
  sev: str(40),
  type: z.number().int(),
  cats: list(z.object({ name: str(200), type: str(100) }), 50),
  cves: list(z.string().regex(/^CVE-\d{4}-\d{4,7}$/, 'is not a CVE id'), 2000),
  size: z.number().min(0).max(1e13),
  reboot: z.number().int().min(0).max(2),
  dl: z.boolean(),
});

const osSchema = z.object({
  caption: str(200),
  version: str(40),
  build: z.string().regex(/^\d{1,6}$/, 'is not a build number'),
  ubr: z.number().int().min(0).max(1e6),
  display: str(20),
  release: str(20),
  edition: str(80),
  productType: z.number().int().min(1).max(3),
  arch: str(40),
  boot: str(40),
  now: str(40),
});

const resultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    data: z.object({
      resultCode: z.number().int(),
      superseded: z.number().int().min(0),
      updates: list(updateSchema, MAX_UPDATES),
      reboot: list(z.enum(['cbs', 'wu', 'rename']), 3),
      os: osSchema,
    }),
  }),
  z.object({ ok: z.literal(false), error: str(2000), hresult: str(12) }),
]);

/** A WUA update as the scan read it. */
export type WuaUpdate = z.infer<typeof updateSchema>;
/** The OS facts as the scan read them. */
export type WuaOs = z.infer<typeof osSchema>;

/** The scan failed on the host (WUA search error): the message and HRESULT Windows gave. */
export class WuaSearchError extends Error {
  constructor(
    message: string,
    readonly hresult: string,
  ) {
    super(message);
    this.name = 'WuaSearchError';
  }
}

/** Classification ids Patchbay shows, from WUA's UpdateClassification category names. */
export const WUA_CLASSIFICATIONS: Record<string, string> = {
  'Security Updates': 'security',
  'Critical Updates': 'critical',
  'Definition Updates': 'definition',
  'Update Rollups': 'update-rollup',
  'Feature Packs': 'feature-pack',
  Drivers: 'driver',
  Updates: 'update',
  'Service Packs': 'service-pack',
  Tools: 'tool',
  Upgrades: 'upgrade',
};

/** The update's classification: its UpdateClassification category, or 'driver' for driver-type updates. */
export function classificationOf(u: WuaUpdate): { id: string; label: string } {
  const cat = u.cats.find((c) => c.type === 'UpdateClassification');
  if (cat) return { id: WUA_CLASSIFICATIONS[cat.name] ?? 'other', label: cat.name };
  // IUpdate.Type 2 = utDriver.
  if (u.type === 2) return { id: 'driver', label: 'Drivers' };
  return { id: 'other', label: 'Updates' };
}

const REBOOT_REASONS: Record<string, string> = {
  cbs: 'Component Based Servicing: RebootPending',
  wu: 'Windows Update: RebootRequired',
  rename: 'Session Manager: PendingFileRenameOperations',
};
// Control characters in a title would garble the one-line origin the UI shows.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/g;
const REBOOT_BEHAVIOUR = ['never reboots', 'always requires a reboot', 'may request a reboot'];

/** Cuts the payload out of the raw output (stdout; anything before, between or after is ignored). */
function payload(stdout: Buffer): unknown {
  const text = stdout.toString('latin1');
  const begin = text.lastIndexOf(WUA_BEGIN);
  if (begin < 0) throw new UnparseableOutputError('the Windows scan printed no result (marker missing)');
  const end = text.indexOf(WUA_END, begin);
  if (end < 0) throw new UnparseableOutputError('the Windows scan result is cut off (end marker missing)');
  const b64 = text.slice(begin + WUA_BEGIN.length, end).trim();
  if (b64.length > MAX_PAYLOAD) throw new UnparseableOutputError('the Windows scan result is too large');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new UnparseableOutputError('the Windows scan result is not base64');
  try {
    return JSON.parse(
      Buffer.from(b64, 'base64')
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } catch {
    throw new UnparseableOutputError('the Windows scan result is not JSON');
  }
}

/** Parses the scan output; throws UnparseableOutputError (bad output) or WuaSearchError (the host failed). */
export function parseWuaScan(stdout: Buffer): ScanFindings & { eolKey: { os: string; version: string } } {
  const parsed = resultSchema.safeParse(payload(stdout));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnparseableOutputError(
      `the Windows scan result has an unexpected shape (${issue?.path.join('.') || 'root'}: ${issue?.message})`,
    );
  }
  const r = parsed.data;
  if (!r.ok) throw new WuaSearchError(r.error.trim() || 'unknown error', r.hresult);
  const { os, updates, resultCode, superseded } = r.data;
  // ResultCode 2 = succeeded, 3 = succeeded with errors (results usable); 4 failed, 5 aborted.
  if (resultCode !== 2 && resultCode !== 3)
    throw new WuaSearchError(`the Windows Update search ended with result code ${resultCode}`, '');
  const warnings: string[] = [];
  if (resultCode === 3)
    warnings.push(
      'Windows Update finished its search with errors: some updates may be missing from the list.',
    );
  const notes: string[] = [];
  if (superseded > 0)
    notes.push(`${superseded} superseded update(s) were left out: a newer update listed here replaces them.`);
  const { facts, eolKey } = factsOf(os);
  return {
    packageManager: 'wua',
    facts,
    eolKey,
    patches: patchesOf(updates),
    removals: [],
    held: [],
    reboot: { required: r.data.reboot.length > 0, reasons: r.data.reboot.map((k) => REBOOT_REASONS[k] ?? k) },
    listsAgeSeconds: null,
    warnings,
    notes,
  };
}

function patchesOf(updates: WuaUpdate[]): PendingPatch[] {
  const byKb = new Map<string, number>();
  for (const u of updates) if (u.kb[0]) byKb.set(u.kb[0], (byKb.get(u.kb[0]) ?? 0) + 1);
  const seen = new Set<string>();
  const out: PendingPatch[] = [];
  for (const u of updates) {
    const id = u.id.toLowerCase();
    if (seen.has(id)) continue; // the same update listed twice (several categories) counts once
    seen.add(id);
    const kb = u.kb[0] ? `KB${u.kb[0]}` : '';
    const name = !kb ? id : (byKb.get(u.kb[0] ?? '') ?? 0) > 1 ? `${kb}_${id}` : kb;
    const cls = classificationOf(u);
    const severity = ['Critical', 'Important', 'Moderate', 'Low'].includes(u.sev) ? u.sev : null;
    const size = u.size > 0 ? `, ${(u.size / 1048576).toFixed(1)} MB` : '';
    out.push({
      name,
      arch: '',
      installedVersion: '',
      candidateVersion: `${id}.${u.rev}`,
      // The title is what a technician recognises; classification, size and reboot behaviour go with it.
      origin: `${cls.label}: ${u.title.replace(CONTROL, ' ').trim()} (${REBOOT_BEHAVIOUR[u.reboot]}${size})`,
      // A security fix: classified so, or rated by the MSRC. Definition updates are kept apart (not counted).
      security: cls.id === 'security' || severity !== null,
      severity,
      advisories: [],
      cves: [...new Set(u.cves)],
      isNew: false,
      keptBack: false,
    });
  }
  return out;
}

/** Windows 11 starts at build 22000 (both report "10.0" as their version). */
const WIN11_BUILD = 22000;
/** Server releases by build (ProductType 2/3), from Microsoft's release information. */
const SERVER_BUILDS: [number, string][] = [
  [26100, '2025'],
  [20348, '2022'],
  [17763, '2019'],
  [14393, '2016'],
];
const ENTERPRISE = /^(Enterprise|EnterpriseN|Education|EducationN|IoTEnterprise|ServerRdsh)$/i;

function factsOf(os: WuaOs): { facts: HostFacts; eolKey: { os: string; version: string } } {
  const build = Number(os.build);
  const release = os.display || os.release;
  const server = os.productType !== 1;
  let osId: string;
  let versionId: string;
  if (server) {
    osId = 'windows-server';
    versionId = SERVER_BUILDS.find(([b]) => build >= b)?.[1] ?? /\b(20\d\d)\b/.exec(os.caption)?.[1] ?? '';
  } else {
    osId = 'windows';
    versionId = `${build >= WIN11_BUILD ? '11' : '10'}${release ? `.${release}` : ''}`;
  }
  // Enterprise and Education editions of Windows 11 are serviced a year longer than Home and Pro.
  const eolOs = !server && build >= WIN11_BUILD && ENTERPRISE.test(os.edition) ? 'windows-enterprise' : osId;
  const boot = Date.parse(os.boot);
  const now = Date.parse(os.now);
  const kernel = `${os.version}.${os.ubr}`.replace(/[^0-9.]/g, '');
  return {
    facts: {
      osId,
      osLike: 'windows',
      prettyName: `${os.caption.trim()}${release ? ` ${release}` : ''} (build ${build}.${os.ubr})`,
      versionId,
      codename: release,
      kernel,
      arch: os.arch,
      // The boot time changes at every boot, which is what a rescan needs to notice a reboot.
      bootId: Number.isFinite(boot) ? new Date(boot).toISOString() : '',
      uptimeSeconds:
        Number.isFinite(boot) && Number.isFinite(now) && now >= boot ? Math.floor((now - boot) / 1000) : null,
    },
    eolKey: { os: eolOs, version: versionId },
  };
}

/**
 * Download size (MaxDownloadSize, bytes) per patch version (`<UpdateID>.<RevisionNumber>`) of a scan's
 * output, for the rollout review's free-space check. Call after parseWuaScan accepted the same output.
 */
export function wuaDownloadSizes(stdout: Buffer): Map<string, number> {
  const parsed = resultSchema.safeParse(payload(stdout));
  const sizes = new Map<string, number>();
  if (!parsed.success || !parsed.data.ok) return sizes;
  for (const u of parsed.data.data.updates) sizes.set(`${u.id.toLowerCase()}.${u.rev}`, u.size);
  return sizes;
}
