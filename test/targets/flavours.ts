/**
 * Target flavours: the same Debian root, made to look like another distribution to Patchbay. A flavour
 * names the Debian packages its base tree adds (debootstrap --include; the same set shares one cached
 * tree), the /etc/os-release it writes, the programs it moves aside so Patchbay's probe (the first of
 * apt-get, zypper, dnf, pacman … found, electron/platforms/adapters.ts) picks its package manager, and
 * its own setup: repositories and starting packages instead of apt's.
 */
import { rpmFlavour } from './flavour-rpm';
import type { FlavourContext } from './flavour-types';
import { aptSetup } from './target-setup';

export type { FlavourContext, LocalRepos } from './flavour-types';

/** What turns the Debian root into one kind of host. */
export interface Flavour {
  /** Debian packages added to the base tree's debootstrap --include (cached per set). */
  include: readonly string[];
  /** Written to /etc/os-release (replacing Debian's symlink); undefined keeps Debian's own. */
  osRelease?: string;
  /** Programs moved aside (to `<path>.patchbay-hidden`) so the probe does not find them. */
  hide: readonly string[];
  /** Repositories and starting packages; runs as root before sshd starts. */
  setup(ctx: FlavourContext): Promise<void>;
}

/** The flavours, by name (adding one is one line here). */
export const FLAVOURS = {
  debian: { include: [], hide: [], setup: aptSetup },
  dnf: rpmFlavour('dnf'),
  zypper: rpmFlavour('zypper'),
} satisfies Record<string, Flavour>;

/** Which flavours exist: `TargetSpec.flavour`. */
export type FlavourName = keyof typeof FLAVOURS;
