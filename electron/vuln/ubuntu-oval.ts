import { SaxesParser, type SaxesTagNS } from 'saxes';

import { FeedFormatError } from './json-members';
import { unpackText } from './unpack';

/** The Ubuntu releases whose USN OVAL Patchbay reads: the LTS releases Canonical still publishes notices for. */
export const UBUNTU_OVAL_RELEASES = ['resolute', 'noble', 'jammy', 'focal'] as const;
export type UbuntuOvalRelease = (typeof UBUNTU_OVAL_RELEASES)[number];

/** Version words for labels ("Ubuntu 22.04 security notices"). */
export const UBUNTU_VERSION_OF: Record<UbuntuOvalRelease, string> = {
  resolute: '26.04',
  noble: '24.04',
  jammy: '22.04',
  focal: '20.04',
};

/** Canonical's USN OVAL file of one release (security-metadata.canonical.com, documented on ubuntu.com/security/oval). */
export const ubuntuOvalUrl = (codename: UbuntuOvalRelease): string =>
  `https://security-metadata.canonical.com/oval/com.ubuntu.${codename}.usn.oval.xml.bz2`;

/** One notice's fix for one binary package: versions before `fixedVersion` lack these CVEs' fixes. */
export interface UbuntuFix {
  usn: string;
  fixedVersion: string;
  cves: { cve: string; priority: string }[];
}

/** A release's notices indexed by binary package name. */
export interface UbuntuIndex {
  codename: string;
  /** The generator's timestamp (ISO), when the file carries one. */
  publishedAt: string | null;
  /** Notices (patch definitions) read. */
  notices: number;
  /** Package fixes kept. */
  records: number;
  byPackage: Map<string, UbuntuFix[]>;
}

const OVAL_NS = 'http://oval.mitre.org/XMLSchema/oval-definitions-5';
const LINUX_NS = 'http://oval.mitre.org/XMLSchema/oval-definitions-5#linux';
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]{0,127}$/;
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const USN_ID = /^USN-\d{1,6}-\d{1,3}$/;
// Debian version syntax (Policy 5.6.12) with OVAL's explicit epoch: "0:1.2.3-1ubuntu0.1".
const EVR = /^\d{1,9}:[0-9][A-Za-z0-9.+~:-]{0,255}$/;
const PRIORITIES = new Set(['negligible', 'low', 'medium', 'high', 'critical', 'untriaged']);
/** One text node (a description) far beyond this is not Canonical's file. */
const MAX_TEXT = 1024 * 1024;
/** Uncompressed size cap: the real files are a few hundred MB at most. */
export const MAX_OVAL_BYTES = 2 * 1024 * 1024 * 1024;

interface Definition {
  usn: string;
  cves: Map<string, string>;
  testRefs: string[];
}

/** What one pass over the XML collects before references are joined. */
interface Collected {
  publishedAt: string | null;
  definitions: Definition[];
  tests: Map<string, { object: string; state: string }>;
  objects: Map<string, { varRef: string | null; name: string | null }>;
  states: Map<string, string | null>;
  variables: Map<string, string[]>;
}

/**
 * Reads one release's USN OVAL (bzip2, gzip or plain XML) and keeps, per binary package, the version each
 * notice fixes and the CVEs it names. Checked on the way: the root is OVAL 5 definitions, every id belongs
 * to `com.ubuntu.<codename>` (a file of another release is refused), names, versions and CVE ids have
 * their documented shapes, every reference a notice makes resolves, and the XML is well formed to its
 * end (a cut file fails). Parsing takes turns with the rest of the app (unpack.ts). Tests other than dpkginfo (kernel checks by variable) are not used: those
 * notices count, but add no package fix. Throws FeedFormatError.
 */
export async function parseUbuntuOval(file: Buffer, codename: string): Promise<UbuntuIndex> {
  const c = await collect(file, codename);
  const byPackage = new Map<string, UbuntuFix[]>();
  let records = 0;
  for (const d of c.definitions) {
    const cves = [...d.cves].map(([cve, priority]) => ({ cve, priority }));
    if (cves.length === 0) continue;
    for (const ref of d.testRefs) {
      const test = c.tests.get(ref);
      if (!test) continue; // not a dpkginfo test
      const object = c.objects.get(test.object);
      if (!object) throw new FeedFormatError(`test ${ref} names object ${test.object}, which is missing`);
      if (!c.states.has(test.state))
        throw new FeedFormatError(`test ${ref} names state ${test.state}, which is missing`);
      const evr = c.states.get(test.state);
      if (!evr) continue; // a state without "less than" an EVR fixes nothing
      let names: string[];
      if (object.varRef) {
        const v = c.variables.get(object.varRef);
        if (!v)
          throw new FeedFormatError(
            `object ${test.object} names variable ${object.varRef}, which is missing`,
          );
        names = v;
      } else names = object.name ? [object.name] : [];
      for (const name of names) {
        let fixes = byPackage.get(name);
        if (!fixes) byPackage.set(name, (fixes = []));
        fixes.push({ usn: d.usn, fixedVersion: evr, cves });
        records++;
      }
    }
  }
  if (c.definitions.length === 0) throw new FeedFormatError('the OVAL file holds no security notices');
  return { codename, publishedAt: c.publishedAt, notices: c.definitions.length, records, byPackage };
}

async function collect(file: Buffer, codename: string): Promise<Collected> {
  if (file.length === 0) throw new FeedFormatError('the file is empty');
  const idOf = (tag: SaxesTagNS, kind: string): string => {
    const id = attr(tag, 'id');
    const m = /^oval:com\.ubuntu\.([a-z]+):([a-z]+):\d{1,20}$/.exec(id);
    if (!m) throw new FeedFormatError(`"${id.slice(0, 80)}" is not an Ubuntu OVAL id`);
    if (m[1] !== codename)
      throw new FeedFormatError(`the file is for Ubuntu ${m[1]}, not ${codename} (id ${id})`);
    if (m[2] !== kind) throw new FeedFormatError(`${tag.local} has id ${id}, expected a ${kind} id`);
    return id;
  };
  const c: Collected = {
    publishedAt: null,
    definitions: [],
    tests: new Map(),
    objects: new Map(),
    states: new Map(),
    variables: new Map(),
  };
  const stack: SaxesTagNS[] = [];
  let text = '';
  let def: Definition | null = null;
  let test: { id: string; object: string; state: string } | null = null;
  let object: { id: string; varRef: string | null; name: string | null } | null = null;
  let state: { id: string; evr: string | null } | null = null;
  let variable: { id: string; values: string[] } | null = null;
  let cvePriority = '';
  let rootSeen = false;

  const parser = new SaxesParser({ xmlns: true, position: false });
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    stack.push(tag);
    text = '';
    if (!parent) {
      if (tag.local !== 'oval_definitions' || tag.uri !== OVAL_NS)
        throw new FeedFormatError('the file is not an OVAL 5 definitions document');
      rootSeen = true;
      return;
    }
    const inLinux = tag.uri === LINUX_NS;
    switch (tag.local) {
      case 'definition':
        if (tag.uri === OVAL_NS && attr(tag, 'class') === 'patch') {
          idOf(tag, 'def');
          def = { usn: '', cves: new Map(), testRefs: [] };
        }
        break;
      case 'reference':
        if (def && attr(tag, 'source') === 'USN') def.usn = checked(attr(tag, 'ref_id'), USN_ID, 'USN id');
        else if (def && attr(tag, 'source') === 'CVE') {
          // The advisory's <cve> elements carry the priority; a reference alone still names the CVE.
          const cve = checked(attr(tag, 'ref_id'), CVE_ID, 'CVE id');
          if (!def.cves.has(cve)) def.cves.set(cve, '');
        }
        break;
      case 'cve':
        if (def) cvePriority = attr(tag, 'priority').toLowerCase();
        break;
      case 'criterion':
        if (def) def.testRefs.push(attr(tag, 'test_ref'));
        break;
      case 'dpkginfo_test':
        if (inLinux) test = { id: idOf(tag, 'tst'), object: '', state: '' };
        break;
      case 'object':
        if (test && inLinux) test.object = attr(tag, 'object_ref');
        break;
      case 'state':
        if (test && inLinux) test.state = attr(tag, 'state_ref');
        break;
      case 'dpkginfo_object':
        if (inLinux) object = { id: idOf(tag, 'obj'), varRef: null, name: null };
        break;
      case 'name':
        if (object && inLinux) object.varRef = attr(tag, 'var_ref') || null;
        break;
      case 'dpkginfo_state':
        if (inLinux) state = { id: idOf(tag, 'ste'), evr: null };
        break;
      case 'constant_variable':
        if (tag.uri === OVAL_NS) variable = { id: idOf(tag, 'var'), values: [] };
        break;
    }
  });
  parser.on('text', (t) => {
    if (text.length + t.length > MAX_TEXT) throw new FeedFormatError('a text in the file is far too long');
    text += t;
  });
  parser.on('cdata', (t) => {
    if (text.length + t.length > MAX_TEXT) throw new FeedFormatError('a text in the file is far too long');
    text += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    const value = text.trim();
    text = '';
    switch (tag.local) {
      case 'timestamp':
        if (stack.some((t) => t.local === 'generator') && !c.publishedAt) c.publishedAt = isoOf(value);
        break;
      case 'cve':
        if (def) {
          const cve = checked(value, CVE_ID, 'CVE id');
          def.cves.set(cve, PRIORITIES.has(cvePriority) ? cvePriority : '');
        }
        break;
      case 'definition':
        if (def) {
          if (!def.usn) throw new FeedFormatError('a patch definition has no USN reference');
          c.definitions.push(def);
          def = null;
        }
        break;
      case 'dpkginfo_test':
        if (test) {
          if (!test.object || !test.state)
            throw new FeedFormatError(`test ${test.id} lacks its object or state`);
          c.tests.set(test.id, { object: test.object, state: test.state });
          test = null;
        }
        break;
      case 'name':
        if (object && !object.varRef) object.name = checked(value, PACKAGE_NAME, 'package name');
        break;
      case 'dpkginfo_object':
        if (object) {
          c.objects.set(object.id, { varRef: object.varRef, name: object.name });
          object = null;
        }
        break;
      case 'evr':
        if (state && attr(tag, 'operation') === 'less than') state.evr = checked(value, EVR, 'version');
        break;
      case 'dpkginfo_state':
        if (state) {
          c.states.set(state.id, state.evr);
          state = null;
        }
        break;
      case 'value':
        if (variable) variable.values.push(checked(value, PACKAGE_NAME, 'package name'));
        break;
      case 'constant_variable':
        if (variable) {
          c.variables.set(variable.id, variable.values);
          variable = null;
        }
        break;
    }
  });
  try {
    for await (const piece of unpackText(file, MAX_OVAL_BYTES)) parser.write(piece);
    parser.close();
  } catch (e) {
    if (e instanceof FeedFormatError) throw e;
    throw new FeedFormatError(`the OVAL XML is not well formed (${(e as Error).message.slice(0, 200)})`);
  }
  if (!rootSeen) throw new FeedFormatError('the file is empty');
  return c;
}

function attr(tag: SaxesTagNS, name: string): string {
  const a = tag.attributes[name];
  return a && a.uri === '' ? a.value : '';
}

function checked(value: string, shape: RegExp, what: string): string {
  if (!shape.test(value)) throw new FeedFormatError(`"${value.slice(0, 80)}" is not a valid ${what}`);
  return value;
}

/** OVAL timestamps are xsd:dateTime, often without a zone (taken as UTC). */
function isoOf(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value)) return null;
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const t = Date.parse(withZone);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
