/**
 * Builds USN OVAL documents in the shape Canonical publishes (OVAL 5.11 definitions: a patch definition
 * per notice whose criteria name dpkginfo tests; each test's object takes its binary package names from a
 * constant variable and its state says "EVR less than" the fixed version). Written from the OVAL schema
 * and ubuntu.com/security/oval, not copied from a real file: used for the built-in samples (see
 * scripts/make-ubuntu-oval-seeds.ts) and by the tests, which also hand-edit its output into broken files.
 */
export interface SampleNotice {
  usn: string;
  title: string;
  severity: string;
  issued: string;
  cves: { id: string; priority: string }[];
  /** One dpkginfo test per entry: binary packages below `fixed` lack the fix. */
  packages: { names: string[]; fixed: string }[];
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The whole document for one release; ids are numbered from the notice number as Canonical does. */
export function sampleOval(
  codename: string,
  version: string,
  timestamp: string,
  notices: SampleNotice[],
): string {
  const ns = `oval:com.ubuntu.${codename}`;
  const defs: string[] = [];
  const tests: string[] = [];
  const objects: string[] = [];
  const states: string[] = [];
  const variables: string[] = [];
  notices.forEach((n, i) => {
    const base = (Number(n.usn.replace(/\D/g, '')) || i + 1) * 1000;
    const criteria = n.packages.map((p, j) => {
      const id = base + j;
      tests.push(
        `    <linux-def:dpkginfo_test id="${ns}:tst:${id}" version="1" check_existence="at_least_one_exists" check="at least one" comment="Long Term Support">\n` +
          `      <linux-def:object object_ref="${ns}:obj:${id}"/>\n` +
          `      <linux-def:state state_ref="${ns}:ste:${id}"/>\n` +
          `    </linux-def:dpkginfo_test>`,
      );
      objects.push(
        `    <linux-def:dpkginfo_object id="${ns}:obj:${id}" version="1" comment="Long Term Support">\n` +
          `      <linux-def:name var_ref="${ns}:var:${id}" var_check="at least one"/>\n` +
          `    </linux-def:dpkginfo_object>`,
      );
      states.push(
        `    <linux-def:dpkginfo_state id="${ns}:ste:${id}" version="1" comment="Long Term Support">\n` +
          `      <linux-def:evr datatype="debian_evr_string" operation="less than">${esc(p.fixed)}</linux-def:evr>\n` +
          `    </linux-def:dpkginfo_state>`,
      );
      variables.push(
        `    <constant_variable id="${ns}:var:${id}" version="1" datatype="string" comment="Long Term Support">\n` +
          p.names.map((name) => `      <value>${esc(name)}</value>\n`).join('') +
          `    </constant_variable>`,
      );
      return `        <criterion test_ref="${ns}:tst:${id}" comment="Long Term Support"/>`;
    });
    defs.push(
      `    <definition id="${ns}:def:${base}" version="1" class="patch">\n` +
        `      <metadata>\n` +
        `        <title>${esc(n.usn)} -- ${esc(n.title)}</title>\n` +
        `        <affected family="unix"><platform>Ubuntu ${esc(version)}</platform></affected>\n` +
        `        <reference source="USN" ref_id="${esc(n.usn)}" ref_url="https://ubuntu.com/security/notices/${esc(n.usn)}"/>\n` +
        n.cves
          .map(
            (c) =>
              `        <reference source="CVE" ref_id="${c.id}" ref_url="https://ubuntu.com/security/${c.id}"/>\n`,
          )
          .join('') +
        `        <description>Sample notice built from the documented OVAL shape; not real data.</description>\n` +
        `        <advisory from="security@ubuntu.com">\n` +
        `          <severity>${esc(n.severity)}</severity>\n` +
        `          <issued date="${esc(n.issued)}"/>\n` +
        n.cves
          .map(
            (c) =>
              `          <cve href="https://ubuntu.com/security/${c.id}" priority="${esc(c.priority)}">${c.id}</cve>\n`,
          )
          .join('') +
        `        </advisory>\n` +
        `      </metadata>\n` +
        `      <criteria>\n` +
        `        <extend_definition definition_ref="${ns}:def:100" comment="Ubuntu ${esc(version)} (${codename}) is installed." applicability_check="true"/>\n` +
        (criteria.length > 1
          ? `        <criteria operator="OR">\n${criteria.join('\n')}\n        </criteria>\n`
          : `${criteria.join('\n')}\n`) +
        `      </criteria>\n` +
        `    </definition>`,
    );
  });
  return (
    `<?xml version="1.0" ?>\n` +
    `<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:ind-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:unix-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix" xmlns:linux-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n` +
    `  <generator>\n    <oval:product_name>Canonical USN OVAL Generator</oval:product_name>\n` +
    `    <oval:product_version>1</oval:product_version>\n    <oval:schema_version>5.11.1</oval:schema_version>\n` +
    `    <oval:timestamp>${esc(timestamp)}</oval:timestamp>\n  </generator>\n` +
    `  <definitions>\n` +
    `    <definition id="${ns}:def:100" version="1" class="inventory">\n` +
    `      <metadata><title>Check that Ubuntu ${esc(version)} (${codename}) is installed.</title><description/></metadata>\n` +
    `      <criteria><criterion test_ref="${ns}:tst:100" comment="The host is part of the unix family."/></criteria>\n` +
    `    </definition>\n` +
    `${defs.join('\n')}\n  </definitions>\n` +
    `  <tests>\n` +
    `    <ind-def:textfilecontent54_test id="${ns}:tst:100" version="1" check="at least one" check_existence="at_least_one_exists" comment="The host is part of the unix family.">\n` +
    `      <ind-def:object object_ref="${ns}:obj:100"/>\n    </ind-def:textfilecontent54_test>\n` +
    `${tests.join('\n')}\n  </tests>\n` +
    `  <objects>\n` +
    `    <ind-def:textfilecontent54_object id="${ns}:obj:100" version="1" comment="The host is part of the unix family.">\n` +
    `      <ind-def:filepath>/etc/lsb-release</ind-def:filepath>\n` +
    `      <ind-def:pattern operation="pattern match">^[\\s\\S]*DISTRIB_CODENAME=([a-z]+)$</ind-def:pattern>\n` +
    `      <ind-def:instance datatype="int">1</ind-def:instance>\n    </ind-def:textfilecontent54_object>\n` +
    `${objects.join('\n')}\n  </objects>\n` +
    `  <states>\n${states.join('\n')}\n  </states>\n` +
    `  <variables>\n${variables.join('\n')}\n  </variables>\n` +
    `</oval_definitions>\n`
  );
}
