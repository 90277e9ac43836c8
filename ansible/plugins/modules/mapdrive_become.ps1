#!powershell
# Runs a mapdrive.windows binary module (mapdrive.exe) as the become user.
# ansible-core applies become (runas) to PowerShell modules only, so the collection's action
# plugins start this shim with become and it starts the exe, already uploaded by the action plugin.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        exe = @{ type = 'str'; required = $true }
        module_name = @{ type = 'str'; required = $true }
        module_args = @{ type = 'dict'; required = $true }
        secrets = @{ type = 'dict'; default = @{}; no_log = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$moduleArgs = @{}
foreach ($kv in $module.Params.module_args.GetEnumerator()) { $moduleArgs[$kv.Key] = $kv.Value }
foreach ($kv in $module.Params.secrets.GetEnumerator()) { $moduleArgs[$kv.Key] = $kv.Value }
$moduleArgs['_ansible_module_name'] = $module.Params.module_name
$moduleArgs['_ansible_check_mode'] = $module.CheckMode
$moduleArgs['_ansible_diff'] = $module.DiffMode

# The arguments may hold a secret: a file in the become user's own temp directory, readable by
# that user only, deleted as soon as the exe has read it.
$argsPath = [System.IO.Path]::GetTempFileName()
$output = $null
try {
    $acl = New-Object System.Security.AccessControl.FileSecurity
    $acl.SetAccessRuleProtection($true, $false)
    $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($me, 'FullControl', 'Allow')
    $acl.AddAccessRule($rule)
    Set-Acl -LiteralPath $argsPath -AclObject $acl
    $json = ConvertTo-Json -InputObject $moduleArgs -Depth 10 -Compress
    [System.IO.File]::WriteAllText($argsPath, $json, (New-Object System.Text.UTF8Encoding $false))
    $output = (& $module.Params.exe $argsPath) -join "`n"
}
finally {
    Remove-Item -LiteralPath $argsPath -Force -ErrorAction SilentlyContinue
}

$start = if ($output) { $output.IndexOf('{') } else { -1 }
if ($start -lt 0) {
    $module.FailJson("$($module.Params.module_name).exe returned no JSON (exit code $LASTEXITCODE): $output")
}
# Returned as text: the action plugin parses it (no PowerShell object round trip).
$module.Result.module_json = $output.Substring($start)
$module.ExitJson()
