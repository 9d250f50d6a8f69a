/**
 * The Windows scan: one PowerShell script, one WinRM round trip. It asks the Windows Update Agent for what
 * is missing (`IsInstalled=0 and IsHidden=0`, drivers included), reads the pending-reboot keys and the OS
 * release, and prints base64 of UTF-8 JSON between two marker lines (WINDOWS.md: immune to code pages, BOMs,
 * ConvertTo-Json's silent depth cut and stray output). Nothing from Patchbay's inventory is interpolated:
 * the script is a constant.
 *
 * Supersedence: the WUA search can return an update together with an older one it replaces; the older one is
 * not missing in any useful sense (installing the newer one covers it), so every UpdateID listed in another
 * result's SupersededUpdateIDs is left out and only counted.
 */

/** Marker line before the base64 JSON. */
export const WUA_BEGIN = '@@PATCHBAY-WUA-BEGIN@@';
/** Marker line after the base64 JSON. */
export const WUA_END = '@@PATCHBAY-WUA-END@@';

/**
 * The scan script (Windows PowerShell 5.1 and PowerShell 7). Kept under ~2,900 characters so it fits in
 * `-EncodedCommand` under cmd.exe's 8,191-character line: Patchbay over WinRM sends it that way (no stdin
 * Send, electron/winrm/powershell.ts), as pywinrm's run_ps does in the faithfulness test; over OpenSSH it
 * goes through the stdin bootstrap.
 */
export const WUA_SCAN_SCRIPT = `$ErrorActionPreference='Stop'
$ProgressPreference='SilentlyContinue'
function Out-Pb($o){$j=ConvertTo-Json -InputObject $o -Depth 8 -Compress
[Console]::Out.Write("\`r\`n${WUA_BEGIN}\`r\`n"+[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($j))+"\`r\`n${WUA_END}\`r\`n")}
try{
$nt=Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'
$os=Get-CimInstance Win32_OperatingSystem
$rb=@()
if(Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'){$rb+='cbs'}
if(Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'){$rb+='wu'}
$sm=Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue
if($sm -and $sm.PendingFileRenameOperations){$rb+='rename'}
$se=New-Object -ComObject Microsoft.Update.Session
$se.ClientApplicationID='Patchbay'
$r=$se.CreateUpdateSearcher().Search('IsInstalled=0 and IsHidden=0')
$sup=@{}
foreach($u in $r.Updates){foreach($i in $u.SupersededUpdateIDs){$sup[[string]$i]=1}}
$n=0
$ups=@(foreach($u in $r.Updates){
if($sup.ContainsKey([string]$u.Identity.UpdateID)){$n++;continue}
[pscustomobject]@{id=[string]$u.Identity.UpdateID;rev=[int]$u.Identity.RevisionNumber;title=[string]$u.Title
kb=@($u.KBArticleIDs|%{[string]$_});sev=[string]$u.MsrcSeverity;type=[int]$u.Type
cats=@($u.Categories|%{[pscustomobject]@{name=[string]$_.Name;type=[string]$_.Type}})
cves=@($u.CveIDs|%{[string]$_});size=[int64]$u.MaxDownloadSize
reboot=[int]$u.InstallationBehavior.RebootBehavior;dl=[bool]$u.IsDownloaded}})
Out-Pb ([pscustomobject]@{ok=$true;data=[pscustomobject]@{resultCode=[int]$r.ResultCode;superseded=$n;updates=$ups;reboot=$rb
os=[pscustomobject]@{caption=[string]$os.Caption;version=[string]$os.Version;build=[string]$nt.CurrentBuildNumber
ubr=[int]$nt.UBR;display=[string]$nt.DisplayVersion;release=[string]$nt.ReleaseId;edition=[string]$nt.EditionID
productType=[int]$os.ProductType;arch=[string]$os.OSArchitecture
boot=$os.LastBootUpTime.ToUniversalTime().ToString('o');now=(Get-Date).ToUniversalTime().ToString('o')}}})
}catch{Out-Pb ([pscustomobject]@{ok=$false;error=[string]$_.Exception.Message;hresult=('0x{0:X8}' -f $_.Exception.HResult)})}
`;
