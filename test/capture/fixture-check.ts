import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Sections, splitSections } from '../../electron/platforms/sections';
import type { ScanFindings } from '../../electron/platforms/types';
import { needs } from '../helpers/needs';
import { cannotCapture, captureRpm } from './rpm-repos';

/**
 * What the adapter derives from the emulated host (the package manager's output and the os-release the
 * capture writes). Kernel release, architecture, boot id and uptime belong to the machine that ran the
 * capture: they differ on every other machine and after every reboot, so they are no part of a fixture's
 * truth. The lists' age depends on the clock: only whether it is known counts.
 */
function stable(f: ScanFindings) {
  const { osId, osLike, prettyName, versionId, codename } = f.facts;
  return {
    ...f,
    facts: { osId, osLike, prettyName, versionId, codename },
    listsAgeSeconds: f.listsAgeSeconds === null ? null : 'known',
  };
}

/**
 * Re-captures an RPM tool's output with the real tool and checks the checked-in fixtures still parse to
 * the same findings — so a fixture can never drift from what the tool really prints.
 */
export function describeRpmFixtures(options: {
  tool: 'dnf' | 'zypper';
  parse: (sections: Sections) => ScanFindings;
  scenarios: readonly string[];
  /** A scenario whose output must fail to parse, the same way both times. */
  failing: { name: string; title: string; normalize?: (message: string) => string };
}): void {
  const { tool, parse, scenarios, failing } = options;
  const why = cannotCapture();
  describe.runIf(needs(`root, ${tool}, rpm and createrepo_c`, why === null, why ?? ''))(
    `${tool} fixtures are what real ${tool} prints today`,
    () => {
      let out = '';
      const fresh = (name: string) => fs.readFileSync(path.join(out, tool, `${name}.txt`), 'utf8');
      const stored = (name: string) =>
        fs.readFileSync(
          path.join(__dirname, '..', '..', 'electron', 'platforms', 'fixtures', tool, `${name}.txt`),
          'utf8',
        );

      beforeAll(() => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), `patchbay-${tool}-capture-test-`));
        captureRpm([tool], out);
      }, 300_000);
      afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

      it.each(scenarios)('parses the %s host exactly as the checked-in fixture', (name) => {
        expect(stable(parse(splitSections(fresh(name))))).toEqual(stable(parse(splitSections(stored(name)))));
      });

      it(failing.title, () => {
        const error = (text: string) => {
          try {
            parse(splitSections(text));
          } catch (e) {
            return (failing.normalize ?? ((m: string) => m))(String(e));
          }
          return 'no error';
        };
        expect(error(fresh(failing.name))).toBe(error(stored(failing.name)));
      });
    },
  );
}
