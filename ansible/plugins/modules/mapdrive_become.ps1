#!powershell
# Runs a mapdrive.windows binary module (mapdrive.exe, already uploaded by the action plugin) and
# hands it the task's arguments through its standard input, never through a file.
# The collection's action plugins run this shim instead of the plain binary module when a task uses
# become (ansible-core applies become only to PowerShell modules) or carries a secret (ansible-core
# writes a binary module's arguments to an `args` file on the host; a PowerShell module's arguments
# travel on the standard input of the PowerShell process, and of the become process).

#AnsibleRequires -CSharpUtil Ansible.Basic

# Every secret is its own no_log string option: Ansible.Basic registers the value itself and masks
# it wherever it appears (the "Invoked with" event log entry, `invocation`, any message). A no_log
# dict without `options` would register only its type name and mask nothing.
$spec = @{
    options = @{
        exe = @{ type = 'str'; required = $true }
        module_name = @{ type = 'str'; required = $true }
        module_args_json = @{ type = 'str'; required = $true }
        password = @{ type = 'str'; no_log = $true }
        secret = @{ type = 'str'; no_log = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

# The exe's arguments: the action plugin's JSON object of the task's other options, with the
# secrets and the module's internal keys added as JSON members here. Only strings and booleans are
# serialised by PowerShell (ConvertTo-Json of a single string), so nothing is re-typed on the way.
$argsJson = $module.Params.module_args_json.Trim()
if (-not ($argsJson.StartsWith('{') -and $argsJson.EndsWith('}'))) {
    $module.FailJson("module_args_json must be a JSON object (the collection's action plugin writes it)")
}
$members = New-Object -TypeName 'System.Collections.Generic.List[string]'
foreach ($name in @('password', 'secret')) {
    $value = $module.Params[$name]
    if ($null -ne $value) {
        $members.Add('"' + $name + '":' + (ConvertTo-Json -InputObject ([string]$value) -Compress))
    }
}
$members.Add('"_ansible_module_name":' + (ConvertTo-Json -InputObject ([string]$module.Params.module_name) -Compress))
$members.Add('"_ansible_check_mode":' + $module.CheckMode.ToString().ToLowerInvariant())
$members.Add('"_ansible_diff":' + $module.DiffMode.ToString().ToLowerInvariant())
$body = $argsJson.Substring(0, $argsJson.Length - 1).TrimEnd()
if ($body -ne '{') {
    $body += ','
}
$payload = '{"ANSIBLE_MODULE_ARGS":' + $body + ($members -join ',') + '}}'

# `mapdrive.exe -` reads the arguments from its redirected standard input (UTF-8, a leading byte
# order mark accepted) and prints one ASCII JSON object. No temporary file exists at any point.
$psi = New-Object -TypeName System.Diagnostics.ProcessStartInfo
$psi.FileName = $module.Params.exe
$psi.Arguments = '-'
$psi.UseShellExecute = $false
$psi.CreateNoWindow = $true
$psi.RedirectStandardInput = $true
$psi.RedirectStandardOutput = $true
$psi.RedirectStandardError = $true

$proc = $null
$stdout = ''
$stderr = ''
$exitCode = $null
try {
    try {
        $proc = [System.Diagnostics.Process]::Start($psi)
    }
    catch {
        # E.g. blocked by AppLocker/WDAC, or the become user cannot read the task's temporary folder.
        $module.FailJson("could not start $($module.Params.module_name).exe ($($module.Params.exe)): $($_.Exception.Message)", $_)
    }
    # Read both outputs while writing the input, so that no pipe can fill up and block either side.
    $stdoutTask = $proc.StandardOutput.ReadToEndAsync()
    $stderrTask = $proc.StandardError.ReadToEndAsync()
    # The writer Process made uses the console's input encoding: a flush first sends the byte order
    # mark that encoding may have *before* the arguments (mapdrive accepts a leading UTF-8 one), never
    # after them; the arguments themselves go as UTF-8 bytes, whatever the console's code page.
    $proc.StandardInput.Flush()
    $bytes = (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false).GetBytes($payload)
    try {
        $proc.StandardInput.BaseStream.Write($bytes, 0, $bytes.Length)
        $proc.StandardInput.BaseStream.Flush()
    }
    finally {
        [Array]::Clear($bytes, 0, $bytes.Length)
        $proc.StandardInput.Close()
    }
    $proc.WaitForExit()
    $stdout = $stdoutTask.Result
    $stderr = $stderrTask.Result
    $exitCode = $proc.ExitCode
}
finally {
    $payload = $null
    if ($null -ne $proc) {
        if (-not $proc.HasExited) {
            # The shim failed while the exe runs: do not leave it behind.
            try { $proc.Kill() } catch { $null = $_ }
        }
        $proc.Dispose()
    }
}

$start = if ($stdout) { $stdout.IndexOf('{') } else { -1 }
if ($start -lt 0) {
    $module.Result.module_stderr = $stderr
    $module.FailJson("$($module.Params.module_name).exe returned no JSON (exit code $exitCode): $stdout")
}
# Returned as text: the action plugin parses it (no PowerShell object round trip).
$module.Result.module_json = $stdout.Substring($start)
$module.ExitJson()
