import { type SoapFault, WSMAN_CODE } from './soap';

/** Kinds of WinRM failure a technician acts on differently. */
export type WinrmErrorKind =
  | 'access-denied'
  | 'not-enabled'
  | 'https-not-enabled'
  | 'certificate-unknown'
  | 'certificate-changed'
  | 'ntlm-refused'
  | 'basic-refused'
  | 'unencrypted'
  | 'quota'
  | 'shell-gone'
  | 'timeout'
  | 'protocol'
  | 'fault';

/** A server certificate as seen on the wire (same shape as an SSH host key: key type, fingerprint, base64 DER). */
export interface SeenCertificate {
  keyType: string;
  fingerprint: string;
  key: string;
}

/** What a certificate error carries for the trust prompt: the certificate seen and, when changed, the old pin. */
export interface CertificateProblem {
  certificate: SeenCertificate;
  pinnedFingerprint?: string;
}

/** A WinRM failure in a technician's words; `kind` lets callers decide (retry, ask for a password, …). */
export class WinrmError extends Error {
  constructor(
    readonly kind: WinrmErrorKind,
    message: string,
    readonly fault?: SoapFault,
    /** Set for 'certificate-unknown' and 'certificate-changed'. */
    readonly problem?: CertificateProblem,
  ) {
    super(message);
    this.name = 'WinrmError';
  }
}

/** Windows said no to the credentials (or the account's token is filtered). */
export const accessDenied = (host: string, user: string, https = false): WinrmError =>
  new WinrmError(
    'access-denied',
    `${host} refused the user name or password for "${user}" (access denied). Check them. A local ` +
      'administrator other than the built-in Administrator also needs the registry value ' +
      'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\LocalAccountTokenFilterPolicy = 1 ' +
      '(DWORD), or WinRM filters its admin rights.' +
      // Windows answers a channel-binding mismatch with the same 401 as a wrong password.
      (https
        ? ' Over HTTPS a machine that checks channel bindings (CbtHardeningLevel Strict) also refuses ' +
          'logons through anything that re-encrypts the connection, such as an inspecting proxy.'
        : ''),
  );

/** Nothing answers TLS on the HTTPS port: HTTPS is opt-in on Windows (no listener after Enable-PSRemoting). */
export const httpsNotEnabled = (host: string, port: number, detail: string): WinrmError =>
  new WinrmError(
    'https-not-enabled',
    `WinRM HTTPS is not enabled on ${host}:${port} (${detail}). Enable-PSRemoting only creates the HTTP ` +
      'listener: on the machine create a certificate (New-SelfSignedCertificate -DnsName <name> ' +
      '-CertStoreLocation Cert:\\LocalMachine\\My) and an HTTPS listener with its thumbprint (winrm create ' +
      'winrm/config/Listener?Address=*+Transport=HTTPS @{Hostname="<name>";CertificateThumbprint="<thumbprint>"}), ' +
      `allow TCP ${port} in its firewall — or choose WinRM over HTTP for this machine.`,
  );

/** Basic authentication refused: by Patchbay over HTTP, or by the machine where it is off. */
export const basicRefused = (host: string, why: 'over-http' | 'disabled'): WinrmError =>
  new WinrmError(
    'basic-refused',
    why === 'over-http'
      ? `Basic authentication is only used over HTTPS: over HTTP it would send the password of ${host} ` +
          'readable to anyone on the network. Choose WinRM over HTTPS for this machine, or NTLM.'
      : `${host} does not accept Basic authentication (Windows has it off by default: ` +
          'winrm/config/service/auth Basic=false). Use NTLM, or enable Basic on the machine.',
  );

/** Nothing answers WinRM on the port, or something else does. */
export const notEnabled = (host: string, port: number, detail: string): WinrmError =>
  new WinrmError(
    'not-enabled',
    `WinRM does not answer on ${host}:${port} (${detail}). On the machine run "Enable-PSRemoting -Force" ` +
      'as administrator and allow TCP port ' +
      `${port} in its firewall for this network.`,
  );

/** Classifies a SOAP fault from the server. */
export function faultError(host: string, fault: SoapFault): WinrmError {
  const text = fault.message || fault.reason || `${fault.code} ${fault.subcode}`.trim();
  switch (fault.wsmanCode) {
    case WSMAN_CODE.maxShells:
    case WSMAN_CODE.maxOperations:
      return new WinrmError(
        'quota',
        `${host} refused another remote shell: the user's WinRM quota is reached (${text}). Wait for ` +
          'Patchbay to close its shells, or raise MaxShellsPerUser on the machine.',
        fault,
      );
    case WSMAN_CODE.shellNotFound:
      return new WinrmError(
        'shell-gone',
        `${host} no longer knows the remote shell (was it restarted?): ${text}`,
        fault,
      );
    case WSMAN_CODE.timedOut:
      return new WinrmError('timeout', `${host}: the operation timed out on the machine (${text})`, fault);
    case WSMAN_CODE.accessDenied:
      return new WinrmError(
        'access-denied',
        `${host} denied the operation (access denied): ${text}. The account must be an administrator ` +
          '(local administrators other than the built-in one also need LocalAccountTokenFilterPolicy = 1).',
        fault,
      );
    default:
      if (/QuotaLimit/i.test(fault.subcode))
        return new WinrmError('quota', `${host}: quota reached (${text})`, fault);
      if (/InvalidSelectors/i.test(fault.subcode))
        return new WinrmError('shell-gone', `${host}: ${text}`, fault);
      return new WinrmError('fault', `${host}: WinRM error: ${text}`, fault);
  }
}
