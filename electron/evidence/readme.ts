/** README.txt of every evidence pack: what is in it and how to check it without Patchbay. */
export const README = `Patchbay evidence pack for one rollout
=========================================

Check it without Patchbay (GNU coreutils):
    unzip -d pack patchbay-evidence-rollout-*.zip && cd pack && sha256sum -c SHA256SUMS
Check it with Patchbay (also recomputes the audit hash chain, refuses unsafe zips):
    patchbay evidence verify patchbay-evidence-rollout-*.zip

manifest.json            format, Patchbay version, rollout, creation time, every file's size and SHA-256,
                         the audit span (first/last entry, the hash before the first) and notes
SHA256SUMS               the same sums, in sha256sum -c format (manifest.json included)
rollout.json             the rollout: targets, content, options, who created it, its transitions
approvals.json           per host, the decision that let each reviewed item in (who, when, scope, note),
                         rebuilt from the audit log as it stood at the review; the decisions at export
hosts/<id>-<name>/
  host.json              the host's items, outcome, failure kind, reason, boot ids and transitions
  pre-rollout-scan.json  the newest scan result at or before the review (facts, counts, what changed)
  reviewed-plan.json     the package manager's dry run as reviewed (upgrades, installs, removals)
  preflight.json         the pre-flight checks
  output.log             the install output Patchbay kept (newest 256 KiB)
  verification-scan.json installed versions after the install and the rescans made while verifying
audit/entries.jsonl      a contiguous span of the audit log, one entry per line; each hash is
                         sha256(previous hash + "\\n" + canonical JSON of seq, at, actor, action,
                         subject, detail) with object keys sorted at every depth
`;
