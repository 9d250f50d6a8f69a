import type { Archive } from './apt-archive';
import type { TargetSpec } from './hosts';
import type { InTarget } from './target-setup';

/**
 * Repositories built on the test machine for a non-apt flavour: `dir/<name>/` for each name. Targets get a
 * copy at `/srv/patchbay-repos/<name>/` (file:// URLs: no network, nothing served).
 */
export interface LocalRepos {
  /** Which flavours can read them ('rpm': createrepo_c metadata, for dnf and zypper). */
  kind: string;
  dir: string;
  names: readonly string[];
}

/** What a flavour's setup gets. */
export interface FlavourContext {
  inTarget: InTarget;
  spec: TargetSpec;
  /** The apt archive (started on first use; only the debian flavour needs it). */
  archive(): Promise<Archive>;
  repos?: LocalRepos;
  /** A host directory for building packages. */
  scratchDir: string;
}

/** Where a target keeps its copy of the LocalRepos. */
export const REPOS_IN_TARGET = '/srv/patchbay-repos';
