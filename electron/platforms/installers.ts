import { aptInstaller } from './apt-install';
import type { PlatformInstaller } from './installer';
import type { PackageManagerId } from './types';

/** The install side of each package manager Patchbay can roll out with; missing ones cannot install yet. */
export const INSTALLERS: Partial<Record<PackageManagerId, PlatformInstaller>> = {
  apt: aptInstaller(),
};
