import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cannotCapture, captureRpm } from '../../test/capture/rpm-repos';
import { needs } from '../../test/helpers/needs';
import { splitSections } from './sections';
import type { ScanFindings } from './types';
import { parseZypper } from './zypper';

const why = cannotCapture();
const SCENARIOS = ['updates', 'no-updateinfo', 'broken-repo', 'up-to-date'] as const;

/** What must not change between two captures (clock-dependent fields aside). */
function stable(f: ScanFindings) {
  return {
    ...f,
    facts: { ...f.facts, uptimeSeconds: null },
    listsAgeSeconds: f.listsAgeSeconds === null ? null : 'known',
  };
}

describe.runIf(needs('root, zypper, rpm and createrepo_c', why === null, why ?? ''))(
  'zypper fixtures are what real zypper prints today',
  () => {
    let out = '';
    const fresh = (name: string) => fs.readFileSync(path.join(out, 'zypper', `${name}.txt`), 'utf8');
    const stored = (name: string) =>
      fs.readFileSync(path.join(__dirname, 'fixtures', 'zypper', `${name}.txt`), 'utf8');

    beforeAll(() => {
      out = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-zypper-capture-test-'));
      captureRpm(['zypper'], out);
    }, 300_000);
    afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

    it.each(SCENARIOS)('parses the %s host exactly as the checked-in fixture', (name) => {
      expect(stable(parseZypper(splitSections(fresh(name))))).toEqual(
        stable(parseZypper(splitSections(stored(name)))),
      );
    });

    it('still reports a held zypp lock the same way (the holder pid aside)', () => {
      const error = (text: string) => {
        try {
          parseZypper(splitSections(text));
        } catch (e) {
          return String(e).replace(/pid \d+/, 'pid N');
        }
        return 'no error';
      };
      expect(error(fresh('locked'))).toBe(error(stored('locked')));
    });
  },
);
