import { section } from './adapter';

/** How many times a zypper command is tried while another process holds the zypp lock (exit 7). */
export const ZYPPER_LOCK_TRIES = 5;
/** Seconds between those tries. */
export const ZYPPER_LOCK_SLEEP = 3;

// Runs zypper, retrying while the zypp lock is held (exit 7: YaST, PackageKit, a cron'd zypper…). Once the
// lock has outlasted the retries, later calls try once: the parser reports the lock either way. `--xmlout`
// prints whole update lists on one line; splitting after each tag keeps every line short, so no update is
// lost to the line limit.
const PB_ZYPPER =
  'pb_zypper() { pb_i=1; while :; do pb_out=$(zypper --non-interactive "$@" 2>&1); pb_rc=$?; ' +
  `if [ "$pb_rc" != 7 ] || [ "$pb_zlock" = 1 ] || [ "$pb_i" -ge ${ZYPPER_LOCK_TRIES} ]; then break; fi; ` +
  `pb_i=$((pb_i + 1)); sleep ${ZYPPER_LOCK_SLEEP}; done; if [ "$pb_rc" = 7 ]; then pb_zlock=1; fi; ` +
  'printf \'%s\\n\' "$pb_out" | sed \'s/></>\\n</g\'; echo "exit=$pb_rc"; }';

/**
 * zypper: package updates and patches (with category, severity and CVEs) as XML, which packages each
 * needed patch fixes, patch-check and needs-rebooting exit codes, locks and every update including
 * locked packages', which repositories publish
 * updateinfo, installed packages. Constant shell; patch names only travel from zypper's own output to
 * zypper's arguments through xargs (no shell parses them) after a grammar check.
 */
export const ZYPPER_COLLECT = [
  PB_ZYPPER,
  section('zypper-version', 'zypper --version 2>&1 | head -n 1'),
  section('zypper-updates', 'pb_zypper --xmlout list-updates'),
  section('zypper-patches', 'PB_LP=$(pb_zypper --xmlout list-patches); printf \'%s\\n\' "$PB_LP"'),
  // `list-patches` does not say which packages a patch updates; `info -t patch` does, in its Conflicts
  // (the package versions the patch replaces). Only the header and Conflicts lines are kept.
  section(
    'zypper-patch-info',
    '[ "$pb_zlock" = 1 ] || printf \'%s\\n\' "$PB_LP" | grep -o \'<update kind="patch" name="[^"]*"\' | ' +
      "cut -d'\"' -f4 | grep -E '^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$' | head -n 3000 | " +
      'xargs -r zypper --non-interactive --quiet --no-color info -t patch -- 2>&1 | ' +
      "awk '/^Information for patch /{print; next} /^Conflicts *:/{c=1; print; next} c && /^ /{print; next} {c=0}'",
  ),
  // Exit 100: patches needed, 101: security patches needed, 0: none.
  section('zypper-patch-check', 'pb_zypper --quiet patch-check'),
  // Exit 102: reboot needed. Older zyppers lack the command; the flag file libzypp writes still tells.
  section(
    'zypper-reboot',
    'pb_zypper --quiet needs-rebooting; ' +
      'if [ -e /run/reboot-needed ] || [ -e /var/run/reboot-needed ]; then echo "flag=reboot-needed"; fi',
  ),
  section('zypper-locks', 'pb_zypper --xmlout locks'),
  // Plain list-updates leaves out locked packages; `--all` lists them too, so a locked package's pending
  // update (above all a held security fix) can be shown as held.
  section('zypper-updates-all', '[ "$pb_zlock" = 1 ] || pb_zypper --xmlout list-updates --all'),
  section(
    'zypper-repomd',
    'for f in /var/cache/zypp/raw/*/repodata/repomd.xml; do [ -f "$f" ] || continue; ' +
      'if grep -q \'type="updateinfo"\' "$f"; then u=updateinfo; else u=none; fi; ' +
      'echo "$u $(stat -c %Y "$f" 2>/dev/null) $f"; done 2>/dev/null | head -n 500',
  ),
  section(
    'zypper-installed',
    "rpm -qa --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n' 2>/dev/null | head -n 20000",
  ),
];
