/** The CLI's --help text: every command and option, in the words the README uses. */
export const USAGE = `Usage: patchbay [--data-dir DIR] machines <command> [options]
       patchbay [--data-dir DIR] scan [options]
       patchbay [--data-dir DIR] patches list [options]
       patchbay [--data-dir DIR] credentials <command> [options]
       patchbay [--data-dir DIR] rollout <command> [options]
       patchbay [--data-dir DIR] approve|decline|unapprove SCOPE [filters] [options]
       patchbay [--data-dir DIR] audit list|export|verify [options]
       patchbay [--data-dir DIR] evidence export|verify [options]
       patchbay [--data-dir DIR] notifications show|set|test [options]
       patchbay [--data-dir DIR] plan|window <command> [options]
       patchbay [--data-dir DIR] run
       patchbay [--data-dir DIR] report --client C|--fleet --format pdf|csv [options]
       patchbay [--data-dir DIR] rules list|add|remove|enable|disable|test|apply [options]

Commands:
  machines list    [--search TEXT] [--tag T]... [--client C]... [--site S]... [--os OS]...
                   [--group NAME] [--sort name|address|os|client|site|updated] [--desc] [--json]
  machines add     --address A --user U [--name N] [--port P] [--transport ssh|winrm]
                   [--tags "a,b"] [--client C] [--site S] [--notes TEXT] [--proxy-jump J] [--json]
                   [--winrm-https [--winrm-basic]]  WinRM over HTTPS (5986, certificate pinned on
                   first scan), optionally Basic instead of NTLM. Kerberos is not supported.
  machines import  FILE [--format csv|ssh-config|ansible-ini|ansible-yaml]
                   [--on-duplicate skip|merge] [--dry-run] [--json]
  machines export  [--out FILE] [the list filters]
  machines show    NAME|ID [--json]
                   OS, last scan, EOL, warnings, reboot reasons, held packages, removals and
                   the missing patches (installed → candidate, security, held).
  patches list     [--machine NAME|ID]... [the list filters] [--security] [--json]
                   Per machine with --machine; otherwise by package across the selected machines.
  credentials list [--json]                   Never prints secrets, only which ones are stored.
  credentials add  NAME --kind ssh-key|ssh-password|ssh-agent|winrm-password
                   [--key-file FILE | --key-path PATH] [--passphrase] [--sudo-password]
                   [--password-stdin] [--json]
                   Secrets are asked for at a prompt (not echoed). --password-stdin reads them from
                   stdin instead, one per line in this order: password, key passphrase, sudo
                   password. --key-file stores the private key read from FILE; --key-path only
                   remembers where the key is. Secrets are never accepted as arguments.
  credentials remove NAME|ID
  credentials assign NAME|ID|none --machine NAME|ID [--machine …]
  scan             [--machine NAME|ID]... [--group NAME] [the list filters]
                   [--trust-new-host-keys] [--refresh-lists] [--json]
                   Progress goes to stderr, the summary to stdout; Ctrl+C cancels.
  rollout create   --machine NAME|ID... | --group NAME | --client C
                   [--security | --pm PM (--package NAME[=VERSION] | --advisory ID)...]
                   [--concurrency N] [--max-failures N|N%] [--reboot never|if-required|always]
                   [--reboot-wait MIN] [--host-time-limit MIN] [--name N] [--json]
                   Only approved patches are ever installed (see \`patchbay approve\`): a named
                   package or advisory (dnf, yum, zypper) not approved on a host is left out there,
                   and the review says so.
  rollout review   ID [--json]      Runs each host's own dry run; shows upgrades, installs, REMOVALS.
  rollout start    ID [--confirm-removals] [--detach] [--json]
                   Runs in the foreground (progress on stderr); Ctrl+C cancels: no new hosts
                   start, running installs finish. Starting a running rollout resumes it.
  rollout status   ID [--follow] [--json]
  rollout pause    ID [--json]     No new hosts start; hosts already working finish theirs. Stays
                   paused (a restart too) until resumed.
  rollout resume   ID [--detach] [--json]   Continues with the waiting hosts (in the foreground).
  rollout cancel   ID               Works on a paused rollout too.
  rollout retry    ID [--include-cancelled] [--json]
                   A new rollout of a finished one's failed hosts (with --include-cancelled also
                   the cancelled and skipped ones), same content and options; review it as usual.
  rollout list     [--json]

  approve          --all | --client C | --group G | --machine M     (exactly one scope)
                   [--security] [--package NAME[=VERSION]]... [--advisory ID]... [--pm apt|dnf|…]
                   [--note TEXT] [--json]
                   Decides the patches pending on the scope's machines (a named version or
                   advisory may be decided before it is pending). The narrowest scope wins;
                   at the same scope a decline wins.
  decline          the same, with --reason TEXT (required; shown wherever the patch appears)
  unapprove        the same scope and filters: removes the decision made at exactly that scope
  audit list       [--action decision|rollout|…] [--limit N] [--json]   newest first
  audit export     --csv [--out FILE]
  audit verify     [--json]   checks the hash chain; exit 4 names the first broken entry
  evidence export  --rollout ID|NAME --out FILE.zip [--force] [--json]
                   The rollout's evidence pack: approvals, scans, reviewed plans, pre-flight, logs,
                   outcomes, verification and the audit span, with a manifest and SHA256SUMS.
  evidence verify  FILE.zip [--json]   Needs no data folder; exit 5 with one line per problem.
  notifications show [--json]
  notifications set  [--desktop on|off] [--webhook on|off|remove] [--format auto|slack|teams]
                   [--webhook-url [--password-stdin]] [--json]
                   --webhook-url asks for the URL (its path is a secret) or reads one line from
                   stdin with --password-stdin; it is stored sealed and never printed again.
  notifications test [--json]   one test notification to the desktop and the webhook; exit 1
                   when the webhook refused it
  plan list        [--json]   each plan's schedule and next run in words, rings, enabled
  plan show        NAME [--count N] [--json]   next runs, each ring's machines and their windows
  plan create      --file plan.json [--enable] [--json]   (the Plans page's JSON; checked first)
  plan update      NAME --file plan.json [--json]
  plan delete|enable|disable NAME [--json]
  plan next        NAME [--count N] [--json]   the next N runs (default 5)
  plan runs        [NAME] [--limit N] [--json]   plan runs, newest first: state, ring, batch, why
  plan promote     RUN_ID [--note TEXT] [--json]   at a gate (or after a gate halted it): the next
                   ring starts now. The Patchbay process driving the run (the app, \`patchbay run\`) acts.
  plan halt        RUN_ID [--note TEXT] [--json]   nothing new starts; running installs finish
  run              Drives the enabled plans unattended (see README, "Running plans unattended"):
                   one line per plan-run transition on stdout; SIGINT/SIGTERM stops it (exit 0).
  window list      [--client C [--site S] | --group G | --machine M] [--json]
  window add       --client C [--site S] | --group G | --machine M  --zone ZONE
                   --weekly "Sat 22:00-Sun 04:00" | --once 2025-03-01T22:00/2025-03-02T04:00
                   The narrowest level with a window decides for a machine (machine > group >
                   site > client); a machine with no window anywhere is never restricted.
  window remove    ID [--json]
  fix-first        [--client C] [--overdue] [--limit N] [--json]
                   Missing security fixes, riskiest first, with reasons, due day and data age.
  sla show         [--json]   SLA days by severity: the default and each client's own
  sla set          [--client C] [--critical N] [--high N] [--medium N] [--low N] [--remove] [--json]
                   Days from first seen ("none" = no deadline); no --client = the default;
                   --remove makes the client follow the default again. KEV fixes: CISA's date.
  vuln status      [--json]   How old the KEV, EPSS, Debian and Ubuntu security data is
  vuln update      [--json]   Downloads the feeds; a bad download keeps the previous copy (exit 1)
  report           --client C | --fleet  [--from YYYY-MM-DD] [--to YYYY-MM-DD] --format pdf|csv
                   [--out FILE|-] [--force]
                   A report to hand a client: status, overdue fixes, what to fix first, the
                   period's rollouts and how old the data is. Days are UTC, both ends included;
                   default: the 30 days up to today. PDF needs Chromium; CSV (one table, a
                   Section column) can go to stdout with --out -.
  rules list       [--json]   auto-approval rules: what each matches, where, when; approvals so far
  rules add        --name N  --all | --client C | --group G   (where it approves)
                   [--security] [--severity S]... [--classification C]... [--pm apt,dnf,…]
                   [--pattern GLOB] [--pilot GROUP --after-days N] [--json]
                   Classifications: security, critical, definition, update-rollup, feature-pack,
                   driver, update, service-pack, tool, upgrade, other. --pattern matches the whole
                   package name (or KB), * and ? only. --pilot/--after-days: only after N days
                   installed in that group without a failed host. Applies the rules at once.
  rules remove|enable|disable NAME|ID [--json]   removing keeps the approvals a rule made
  rules test       NAME|ID | the add options   [--json]   dry run: what it would approve now, on
                   which machines, and what it holds back and why; writes nothing
  rules apply      [--json]   applies every enabled rule now (also after each scan and when a
                   plan run starts a ring). A person's decline always wins over a rule.
  compliance       [--client C | --site S] [--days N] [--json]
                   Per UTC day for the last N days (default 30, at most 365): machines patched,
                   missing security fixes and overdue; then the mean time to fix by severity.

The data folder is --data-dir, else $PATCHBAY_DATA_DIR, else the desktop app's own folder.
Exit codes: 0 done, 1 failed (message on stderr), 2 wrong usage, 3 scan finished but some
machines could not be scanned or a rollout ended with hosts not fully patched, 4 the audit
log's hash chain is broken, 5 an evidence pack does not verify.
`;
