/**
 * The PowerShell scripts of a Windows install (README.md in this folder: "Install"). Every script prints one
 * result as base64 of UTF-8 JSON between two marker lines (like the scan), and takes its parameters only as a
 * base64 JSON literal built here from validated values (op ids of the engine, UpdateIDs): nothing a host
 * printed or a user typed is spliced into a script as code.
 *
 * Windows refuses IUpdateDownloader/IUpdateInstaller calls from a remote (network logon) session with
 * E_ACCESSDENIED (0x80070005), so the install runs as a one-off scheduled task as SYSTEM: `startScript`
 * writes the worker script into the op's folder under %ProgramData%\Patchbay\ops and registers and starts
 * the task; the worker writes progress.json and, at its end, result.json (each written to a .tmp file and
 * moved over, so a reader never sees half a file); `statusScript` reads them with the task's state;
 * `cleanupScript` unregisters the task and removes the folder.
 */

/** Marker line before the base64 JSON. */
export const WIN_BEGIN = '@@PATCHBAY-WIN-BEGIN@@';
/** Marker line after the base64 JSON. */
export const WIN_END = '@@PATCHBAY-WIN-END@@';

/** The task folder of Patchbay's install tasks in Task Scheduler. */
export const TASK_PATH = '\\Patchbay\\';

const GUID = /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i;
const OP_ID = /^r\d{1,9}-m\d{1,9}-a\d{1,3}$/;

/** Whether a string is a WUA UpdateID. */
export const isUpdateId = (s: string): boolean => GUID.test(s);
/** Whether a string is an engine op id (electron/rollout/decisions.ts opIdFor). */
export const isOpId = (s: string): boolean => OP_ID.test(s);

/** The scheduled task's name of an op. */
export const taskNameOf = (opId: string): string => `Patchbay-${opId}`;

const HEAD = `$ErrorActionPreference='Stop'
$ProgressPreference='SilentlyContinue'
function Out-Pb($o){$j=ConvertTo-Json -InputObject $o -Depth 8 -Compress
[Console]::Out.Write("\`r\`n${WIN_BEGIN}\`r\`n"+[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($j))+"\`r\`n${WIN_END}\`r\`n")}
`;
const FAIL = `catch{Out-Pb ([pscustomobject]@{ok=$false;error=[string]$_.Exception.Message;hresult=('0x{0:X8}' -f $_.Exception.HResult)})}
`;

/** `$p`, the script's parameters, from a base64 JSON literal (only [A-Za-z0-9+/=] reaches the script). */
function params(p: object): string {
  const b64 = Buffer.from(JSON.stringify(p), 'utf8').toString('base64');
  return `$p=ConvertFrom-Json ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64}')))\n`;
}

function checkOp(opId: string): void {
  if (!isOpId(opId)) throw new Error(`not an op id: ${opId.slice(0, 40)}`);
}

const OP_DIR = `$dir=Join-Path $env:ProgramData ('Patchbay\\ops\\'+$p.op)
$name='Patchbay-'+$p.op
`;

/** The pending-reboot keys the scan reads too (wua-script.ts). */
const REBOOT_KEYS = `$rb=@()
if(Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'){$rb+='cbs'}
if(Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'){$rb+='wu'}
$sm=Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue
if($sm -and $sm.PendingFileRenameOperations){$rb+='rename'}
`;

const BOOT = `$os=Get-CimInstance Win32_OperatingSystem
$boot=$os.LastBootUpTime.ToUniversalTime().ToString('o')
`;

/**
 * Pre-flight: administrator rights of the WinRM account, free space on the system drive, the Windows Update
 * service (StartType Disabled cannot install), a pending reboot, whether WUA is busy installing already
 * (IUpdateInstaller.IsBusy), Patchbay tasks left on the host, and the boot time before anything changes.
 */
export const PREFLIGHT_SCRIPT = `${HEAD}try{
$wi=[Security.Principal.WindowsIdentity]::GetCurrent()
$admin=(New-Object Security.Principal.WindowsPrincipal $wi).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
${BOOT}$d=Get-CimInstance Win32_LogicalDisk -Filter ("DeviceID='"+$env:SystemDrive+"'")
$svc=Get-Service wuauserv
${REBOOT_KEYS}$busy=(New-Object -ComObject Microsoft.Update.Installer).IsBusy
$tasks=@(Get-ScheduledTask -TaskPath '${TASK_PATH}' -ErrorAction SilentlyContinue|%{[pscustomobject]@{name=[string]$_.TaskName;state=[string]$_.State}})
Out-Pb ([pscustomobject]@{ok=$true;admin=[bool]$admin;drive=[string]$env:SystemDrive;free=[int64]$d.FreeSpace
wuStart=[string]$svc.StartType;wuStatus=[string]$svc.Status;reboot=$rb;busy=[bool]$busy;tasks=$tasks;boot=$boot})
}${FAIL}`;

/** The boot time (LastBootUpTime, UTC ISO): Windows' boot id. */
export const BOOT_SCRIPT = `${HEAD}try{
${BOOT}Out-Pb ([pscustomobject]@{ok=$true;boot=$boot})
}${FAIL}`;

/**
 * Asks Windows to restart now (shutdown.exe /r /t 0, reason "planned: operating system hot fix"), after
 * printing the boot time it restarts from. Returns before Windows goes down. /f: an application of a
 * logged-on user that holds the restart up (an unsaved document) must not stall an unattended rollout — the
 * reboot policy is the technician's choice, as Windows Update's own forced restarts are.
 */
export const REBOOT_SCRIPT = `${HEAD}try{
${BOOT}& shutdown.exe /r /f /t 0 /d p:2:17 /c 'Patchbay: restart after installing approved updates'
Out-Pb ([pscustomobject]@{ok=$true;boot=$boot;code=[int]$LASTEXITCODE})
}${FAIL}`;

/**
 * The worker the SYSTEM task runs: finds exactly the given UpdateIDs that are still not installed, accepts
 * their EULAs, downloads and installs them, and writes progress.json (phase) and result.json (ResultCode of
 * the whole install and of each update, HRESULTs, RebootRequired) next to itself.
 */
export function workerScript(updateIds: string[]): string {
  const bad = updateIds.find((i) => !isUpdateId(i));
  if (bad !== undefined) throw new Error(`not an UpdateID: ${bad.slice(0, 60)}`);
  return `$ErrorActionPreference='Stop'
${params({ ids: updateIds })}$dir=$PSScriptRoot
function Put($n,$o){$t=Join-Path $dir ($n+'.tmp');[IO.File]::WriteAllText($t,(ConvertTo-Json -InputObject $o -Depth 5 -Compress))
Move-Item -Force -LiteralPath $t -Destination (Join-Path $dir ($n+'.json'))}
try{
Put 'progress' ([pscustomobject]@{phase='searching';percent=0})
$se=New-Object -ComObject Microsoft.Update.Session
$se.ClientApplicationID='Patchbay'
$s=$se.CreateUpdateSearcher()
$c=New-Object -ComObject Microsoft.Update.UpdateColl
foreach($i in $p.ids){foreach($u in $s.Search("UpdateID='"+$i+"' and IsInstalled=0").Updates){if(-not $u.EulaAccepted){$u.AcceptEula()};[void]$c.Add($u)}}
$res=@()
if($c.Count -gt 0){
Put 'progress' ([pscustomobject]@{phase='downloading';percent=0;count=$c.Count})
$dl=$se.CreateUpdateDownloader();$dl.Updates=$c;[void]$dl.Download()
Put 'progress' ([pscustomobject]@{phase='installing';percent=0;count=$c.Count})
$in=$se.CreateUpdateInstaller();$in.Updates=$c;$ir=$in.Install()
for($k=0;$k -lt $c.Count;$k++){$ur=$ir.GetUpdateResult($k)
$res+=[pscustomobject]@{id=[string]$c.Item($k).Identity.UpdateID;code=[int]$ur.ResultCode;hresult=('0x{0:X8}' -f $ur.HResult)}}
Put 'result' ([pscustomobject]@{ok=$true;code=[int]$ir.ResultCode;hresult=('0x{0:X8}' -f $ir.HResult);reboot=[bool]$ir.RebootRequired;updates=$res})
}else{Put 'result' ([pscustomobject]@{ok=$true;code=2;hresult='0x00000000';reboot=$false;updates=$res})}
Put 'progress' ([pscustomobject]@{phase='done';percent=100})
}catch{Put 'result' ([pscustomobject]@{ok=$false;error=[string]$_.Exception.Message;hresult=('0x{0:X8}' -f $_.Exception.HResult)})}
`;
}

/**
 * Starts op `opId` unless it was ever started: its folder (or its task) is the record, so a second start
 * of the same op does nothing and says so (`started: false`). Writes the worker, registers the task as
 * NT AUTHORITY\SYSTEM (ServiceAccount logon, highest run level, no trigger, a time limit) and starts it.
 */
export function startScript(opId: string, updateIds: string[], timeLimitMinutes: number): string {
  checkOp(opId);
  const worker = Buffer.from(workerScript(updateIds), 'utf8').toString('base64');
  const limit = Math.max(5, Math.min(24 * 60, Math.round(timeLimitMinutes)));
  return `${HEAD}${params({ op: opId, limit, worker })}try{
${OP_DIR}if((Test-Path $dir) -or (Get-ScheduledTask -TaskPath '${TASK_PATH}' -TaskName $name -ErrorAction SilentlyContinue)){Out-Pb ([pscustomobject]@{ok=$true;started=$false});return}
New-Item -ItemType Directory -Path $dir -Force|Out-Null
$f=Join-Path $dir 'install.ps1'
[IO.File]::WriteAllText($f,[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($p.worker)),(New-Object Text.UTF8Encoding $true))
$a=New-ScheduledTaskAction -Execute 'powershell.exe' -Argument ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "'+$f+'"')
$pr=New-ScheduledTaskPrincipal -UserId 'NT AUTHORITY\\SYSTEM' -LogonType ServiceAccount -RunLevel Highest
$st=New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Minutes $p.limit) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
Register-ScheduledTask -TaskPath '${TASK_PATH}' -TaskName $name -Action $a -Principal $pr -Settings $st -Force|Out-Null
Start-ScheduledTask -TaskPath '${TASK_PATH}' -TaskName $name
Out-Pb ([pscustomobject]@{ok=$true;started=$true})
}${FAIL}`;
}

/**
 * The op's state: whether its folder exists, its task's State ('' when none) and LastTaskResult, and the
 * text of progress.json and result.json ('' when absent), read in that order so a result present means the
 * worker finished.
 */
export function statusScript(opId: string): string {
  checkOp(opId);
  return `${HEAD}${params({ op: opId })}try{
${OP_DIR}$t=Get-ScheduledTask -TaskPath '${TASK_PATH}' -TaskName $name -ErrorAction SilentlyContinue
$last=$null;if($t){$last=[int64](Get-ScheduledTaskInfo -TaskPath '${TASK_PATH}' -TaskName $name).LastTaskResult}
function Rd($n){$x=Join-Path $dir ($n+'.json');if(Test-Path $x){[IO.File]::ReadAllText($x)}else{''}}
$st='';if($t){$st=[string]$t.State}
Out-Pb ([pscustomobject]@{ok=$true;dir=[bool](Test-Path $dir);task=$st;last=$last;progress=(Rd 'progress');result=(Rd 'result')})
}${FAIL}`;
}

/**
 * Removes ops: unregisters each op's task unless it is running, and removes its folder once it has a result
 * (or, with `ifLost`, when no task runs it any more). Prints the ids removed.
 */
export function cleanupScript(ops: { id: string; ifLost: boolean }[]): string {
  for (const o of ops) checkOp(o.id);
  return `${HEAD}${params({ ops: ops.map((o) => ({ op: o.id, lost: o.ifLost })) })}try{
$gone=@()
foreach($o in $p.ops){$dir=Join-Path $env:ProgramData ('Patchbay\\ops\\'+$o.op);$name='Patchbay-'+$o.op
$t=Get-ScheduledTask -TaskPath '${TASK_PATH}' -TaskName $name -ErrorAction SilentlyContinue
if($t -and [string]$t.State -eq 'Running'){continue}
if($t){Unregister-ScheduledTask -TaskPath '${TASK_PATH}' -TaskName $name -Confirm:$false}
if((Test-Path (Join-Path $dir 'result.json')) -or ($o.lost -and (Test-Path $dir))){Remove-Item -Recurse -Force -LiteralPath $dir}
if(-not (Test-Path $dir)){$gone+=$o.op}}
Out-Pb ([pscustomobject]@{ok=$true;removed=$gone})
}${FAIL}`;
}
