/** The WinRM part of the machine dialog: how Patchbay signs in, said plainly (NTLM; no Kerberos), and Basic. */
import type { MachineDraft } from './machine-form';

/** Props of {@link WinrmChoices}. */
export interface WinrmChoicesProps {
  draft: MachineDraft;
  basicError?: string;
  onBasic: (on: boolean) => void;
}

/** Sign-in facts for a WinRM machine and, over HTTPS, the Basic authentication opt-in. */
export function WinrmChoices({ draft, basicError, onBasic }: WinrmChoicesProps) {
  return (
    <div className="field span-2 winrm-choices" data-testid="winrm-choices">
      <p className="field-hint">
        Patchbay signs in with NTLM (a local account, or DOMAIN\user).{' '}
        <strong>Kerberos is not supported.</strong>{' '}
        {draft.winrmHttps
          ? 'On the first scan the machine’s HTTPS certificate is shown; compare its fingerprint and trust it, as with an SSH host key. A changed certificate is refused.'
          : 'Over HTTP every message is encrypted with NTLM, as Windows requires by default.'}
      </p>
      {draft.winrmHttps ? (
        <label className="checkbox-label">
          <input
            type="checkbox"
            checked={draft.winrmBasic}
            aria-invalid={basicError ? true : undefined}
            onChange={(e) => onBasic(e.target.checked)}
          />{' '}
          Use Basic authentication instead of NTLM (only if it is enabled on the machine; Windows has it off
          by default, and it works for local accounts only)
        </label>
      ) : null}
      {basicError ? <p className="field-error">{basicError}</p> : null}
    </div>
  );
}
