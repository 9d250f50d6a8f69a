import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { type Advisory, makeRepo, type Pkg } from '../capture/rpm-build';
import type { LocalRepos } from './flavour-types';

/** One repository: its packages and, for security classification, its updateinfo advisories. */
export interface RpmRepoSpec {
  /** Repository id (dnf section / zypper alias): lowercase letters, digits, dashes. */
  name: string;
  packages: Pkg[];
  advisories?: Advisory[];
}

/** Built rpm repositories for dnf and zypper targets, removed again by remove(). */
export interface RpmRepos extends LocalRepos {
  remove(): Promise<void>;
}

/**
 * Builds rpm repositories on the test machine (rpmbuild, createrepo_c, modifyrepo_c for updateinfo), for
 * `startTargets(specs, { repos })`: each dnf or zypper target gets a copy and reads it over file://.
 */
export async function buildRpmRepos(specs: RpmRepoSpec[]): Promise<RpmRepos> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `patchbay-rpmrepos-${process.pid}-`));
  const remove = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    for (const r of specs) {
      if (!/^[a-z][a-z0-9-]{0,40}$/.test(r.name))
        throw new Error(`bad repository name ${JSON.stringify(r.name)}`);
      const work = await fsp.mkdtemp(path.join(dir, '.build-'));
      makeRepo(path.join(dir, r.name), r.packages, work, r.advisories);
      await fsp.rm(work, { recursive: true, force: true });
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return { kind: 'rpm', dir, names: specs.map((r) => r.name), remove };
}
