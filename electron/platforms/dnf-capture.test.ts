import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cannotCapture, captureRpm } from '../../test/capture/rpm-repos';
import { needs } from '../../test/helpers/needs';
import { parseDnf } from './dnf';
import { splitSections } from './sections';
import type { ScanFindings } from './types';

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

describe.runIf(needs('root, dnf, rpm and createrepo_c', why === null, why ?? ''))(
  'dnf fixtures are what real dnf prints today',
  () => {
    let out = '';
    const fresh = (name: string) => fs.readFileSync(path.join(out, 'dnf', `${name}.txt`), 'utf8');
    const stored = (name: string) =>
      fs.readFileSync(path.join(__dirname, 'fixtures', 'dnf', `${name}.txt`), 'utf8');

    beforeAll(() => {
      out = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-dnf-capture-test-'));
      captureRpm(['dnf'], out);
    }, 300_000);
    afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

    it.each(SCENARIOS)('parses the %s host exactly as the checked-in fixture', (name) => {
      expect(stable(parseDnf(splitSections(fresh(name))))).toEqual(
        stable(parseDnf(splitSections(stored(name)))),
      );
    });

    it('still fails the same way when a strict repository is unreachable', () => {
      const error = (text: string) => {
        try {
          parseDnf(splitSections(text));
        } catch (e) {
          return String(e);
        }
        return 'no error';
      };
      expect(error(fresh('broken-repo-strict'))).toBe(error(stored('broken-repo-strict')));
    });
  },
);
