import { apkInstaller } from './apk-install';
import { aptInstaller } from './apt-install';
import { dnfInstaller } from './dnf-install';
import type { PlatformInstaller } from './installer';
import { macosInstaller } from './macos-install';
import { pacmanInstaller } from './pacman-install';
import type { PackageManagerId } from './types';
import { zypperInstaller } from './zypper-install';

/** The install side of each package manager Patchbay can roll out with; missing ones cannot install yet. */
export const INSTALLERS: Partial<Record<PackageManagerId, PlatformInstaller>> = {
  apt: aptInstaller(),
  dnf: dnfInstaller('dnf'),
  yum: dnfInstaller('yum'),
  zypper: zypperInstaller(),
  pacman: pacmanInstaller(),
  apk: apkInstaller(),
  macos: macosInstaller(),
};
