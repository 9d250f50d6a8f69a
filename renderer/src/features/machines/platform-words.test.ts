import { describe, expect, it } from 'vitest';

import { isWindowsMachine, packageManagerLabel, platformWords, shortOsName } from './platform-words';

describe('platform words', () => {
  it('names Windows Update plainly and leaves other package managers as they are', () => {
    expect(packageManagerLabel('wua')).toBe('Windows Update');
    expect(packageManagerLabel('apt')).toBe('apt');
    expect(packageManagerLabel('zypper')).toBe('zypper');
    expect(packageManagerLabel('')).toBe('');
  });

  it('tells a Windows machine by its last scan, or by WinRM before any scan', () => {
    expect(isWindowsMachine('wua', 'winrm')).toBe(true);
    // Windows OpenSSH: reached over SSH, patched by Windows Update.
    expect(isWindowsMachine('wua', 'ssh')).toBe(true);
    expect(isWindowsMachine(undefined, 'winrm')).toBe(true);
    expect(isWindowsMachine('', 'winrm')).toBe(true);
    expect(isWindowsMachine(undefined, 'ssh')).toBe(false);
    expect(isWindowsMachine('apt', 'ssh')).toBe(false);
  });

  it('speaks of updates, build and a pending restart on Windows; packages, kernel and reboot elsewhere', () => {
    expect(platformWords(true)).toMatchObject({
      missingHeading: 'Missing updates',
      itemColumn: 'Update',
      kernelLabel: 'Build',
      rebootTitle: 'A restart is pending',
    });
    expect(platformWords(false)).toMatchObject({
      missingHeading: 'Missing patches',
      itemColumn: 'Package',
      versionColumn: 'Installed → candidate',
      kernelLabel: 'Kernel',
      rebootTitle: 'A reboot is needed',
    });
    expect(Object.values(platformWords(true)).join(' ')).not.toMatch(/package|kernel|apt/i);
  });

  it('drops the vendor word from Windows names for the OS column, and leaves others alone', () => {
    expect(shortOsName('Microsoft Windows 10 Pro 22H2 (build 19045.5131)')).toBe(
      'Windows 10 Pro 22H2 (build 19045.5131)',
    );
    expect(shortOsName('Microsoft Windows Server 2022 Standard')).toBe('Windows Server 2022 Standard');
    expect(shortOsName('Debian GNU/Linux 12 (bookworm)')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(shortOsName('Microsoft Corp OS')).toBe('Microsoft Corp OS');
  });
});
