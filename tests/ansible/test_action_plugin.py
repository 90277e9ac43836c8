#!/usr/bin/env python3
"""Test-only: the action plugin's routes, which need a Windows (PowerShell) host, driven with a
stand-in connection, and the PowerShell shim's option declarations read from its source.

- On a PowerShell host a task with become, or with a `password`/`secret`, goes through the shim
  (mapdrive.windows.mapdrive_become, which hands the arguments to `<module>.exe -` on standard
  input): the exe is uploaded, each secret is its own shim option, the other options are one JSON
  text, the temporary directory is removed whatever happens, and the shim's `invocation` never
  reaches the task result (success and failure); the exe's own `invocation` is masked again.
- Without become and without a secret, and on a POSIX shell (this Linux harness), the module runs
  as ansible-core runs any binary module.
- mapdrive_become.ps1 declares each secret as its own `no_log` string option, no dict without
  `options`, writes no file, and starts the exe with a redirected standard input; its .py
  documentation lists the same options.

Usage: test_action_plugin.py COLLECTIONS_PATH   (the installed collection, with the .exe files;
or a folder holding ansible_collections/mapdrive/windows as a copy of the source tree)
"""
import atexit
import json
import os
import re
import shutil
import sys
import tempfile

import yaml

sys.path.insert(0, sys.argv[1])

from ansible.plugins.action import ActionBase  # noqa: E402
from ansible_collections.mapdrive.windows.plugins.action import (  # noqa: E402
    win_credential,
    win_mapped_drive,
    win_mapped_drive_info,
)
from ansible_collections.mapdrive.windows.plugins.plugin_utils import mapdrive_action  # noqa: E402

ActionBase.run = lambda self, tmp=None, task_vars=None: {}

COLLECTION = os.path.join(sys.argv[1], "ansible_collections", "mapdrive", "windows")
SECRET = "S3cret!-in-the-test"
MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
TMPDIR = "C:\\tmp\\ansible-tmp-1"
CRED_ARGS = {"name": "srv", "type": "domain_password", "username": "u", "secret": SECRET}
DRIVE_ARGS = {"letter": "T", "path": "\\\\srv\\team", "username": "u", "password": SECRET}
# Stand-ins for the collection's <module>.exe files on the controller.
EXES = tempfile.mkdtemp(prefix="mapdrive-action-test-")
atexit.register(shutil.rmtree, EXES, True)
# What the exe prints (its own invocation masked), as the shim returns it in module_json.
EXE_RESULT = {"changed": True, "invocation": {"module_args": {"secret": MASK, "name": "srv"}}}


class Shell:
    def __init__(self, family):
        self.SHELL_FAMILY = family
        self.tmpdir = None

    def join_path(self, *parts):
        return "\\".join(parts)


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def shim_ok(module_args):
    # The shim's result: the exe's JSON text, plus the shim's own invocation (as Ansible.Basic
    # returns it; here unmasked, as the old dict-typed `secrets` option left it).
    return {
        "changed": False,
        "module_json": json.dumps(EXE_RESULT),
        "invocation": {"module_args": dict(module_args)},
    }


def plugin(family, become, args, action=win_credential.ActionModule, shim=shim_ok, exe_present=True):
    p = action.__new__(action)
    p._connection = Obj(_shell=Shell(family))
    p._play_context = Obj(become=become)
    p._task = Obj(args=dict(args))
    p.calls = []
    if exe_present:
        path = os.path.join(EXES, action.MODULE + ".exe")
        open(path, "wb").close()
        p._local_exe = lambda: path
    else:
        p._local_exe = lambda: "/nonexistent/" + action.MODULE + ".exe"

    def make_tmp():
        p._connection._shell.tmpdir = TMPDIR
        return TMPDIR

    p._make_tmp_path = make_tmp
    p._transfer_file = lambda src, dst: p.calls.append(("transfer", src, dst))
    p._remove_tmp_path = lambda path: p.calls.append(("remove", path))

    def execute(module_name=None, module_args=None, task_vars=None, **kw):
        p.calls.append(("execute", module_name, dict(module_args)))
        if module_name == mapdrive_action.SHIM:
            return shim(module_args)
        return {"changed": True, "direct": True}

    p._execute_module = execute
    return p


def shim_call(p):
    kinds = [c[0] for c in p.calls]
    assert kinds == ["transfer", "execute", "remove"], p.calls
    assert p.calls[0][2] == TMPDIR + "\\" + p.MODULE + ".exe", p.calls
    assert p.calls[2] == ("remove", TMPDIR), p.calls
    _, name, args = p.calls[1]
    assert name == mapdrive_action.SHIM, name
    # Every shim option is a string: no dict (Ansible.Basic would not mask a secret inside one).
    assert all(isinstance(v, str) for v in args.values()), args
    assert args["exe"] == p.calls[0][2] and args["module_name"] == p.MODULE, args
    return args


def no_secret_in(result):
    text = json.dumps(result)
    assert SECRET not in text, text


def test_become_with_a_secret_takes_the_shim_and_strips_its_invocation():
    p = plugin("powershell", True, CRED_ARGS)
    result = p.run(task_vars={})
    args = shim_call(p)
    assert args["secret"] == SECRET and "password" not in args, args
    inner = json.loads(args["module_args_json"])
    assert inner == {"name": "srv", "type": "domain_password", "username": "u"}, inner
    assert result == EXE_RESULT, result
    no_secret_in(result)


def test_a_secret_without_become_takes_the_stdin_route():
    for action, task_args, option in (
        (win_credential.ActionModule, CRED_ARGS, "secret"),
        (win_mapped_drive.ActionModule, DRIVE_ARGS, "password"),
    ):
        p = plugin("powershell", False, task_args, action=action)
        result = p.run(task_vars={})
        args = shim_call(p)
        assert args[option] == SECRET, args
        assert option not in json.loads(args["module_args_json"]), args
        no_secret_in(result)


def test_become_without_a_secret_takes_the_shim():
    p = plugin("powershell", True, {"letter": "T", "path": "\\\\srv\\public"}, action=win_mapped_drive.ActionModule)
    p.run(task_vars={})
    args = shim_call(p)
    assert "password" not in args and "secret" not in args, args
    assert json.loads(args["module_args_json"]) == {"letter": "T", "path": "\\\\srv\\public"}


def test_no_become_no_secret_runs_the_binary_module_directly():
    for action, task_args in (
        (win_mapped_drive.ActionModule, {"letter": "T", "path": "\\\\srv\\public", "password": None}),
        (win_mapped_drive_info.ActionModule, {}),
    ):
        p = plugin("powershell", False, task_args, action=action)
        result = p.run(task_vars={})
        assert [c[:2] for c in p.calls] == [("execute", "mapdrive.windows." + action.MODULE)], p.calls
        assert result == {"changed": True, "direct": True}, result


def test_a_posix_shell_runs_directly_even_with_become_and_a_secret():
    # The Linux test harness: a wrapper named after the module runs the exe under Wine.
    p = plugin("sh", True, CRED_ARGS)
    result = p.run(task_vars={})
    assert [c[:2] for c in p.calls] == [("execute", "mapdrive.windows.win_credential")], p.calls
    assert p.calls[0][2]["secret"] == SECRET and result["direct"], result


def test_a_shim_failure_is_reported_without_its_invocation():
    def failed(module_args):
        # E.g. the exe blocked by AppLocker: Ansible.Basic's FailJson result carries invocation.
        return {
            "failed": True,
            "msg": "could not start win_credential.exe: This program is blocked by group policy",
            "invocation": {"module_args": dict(module_args)},
        }

    for become in (True, False):
        p = plugin("powershell", become, CRED_ARGS, shim=failed)
        result = p.run(task_vars={})
        shim_call(p)
        assert result == {
            "failed": True,
            "msg": "could not start win_credential.exe: This program is blocked by group policy",
        }, result
        no_secret_in(result)


def test_invalid_exe_output_is_reported_without_invocation():
    for text, msg in (("not json", "returned invalid JSON"), ("[1]", "did not return a JSON object")):
        p = plugin("powershell", True, CRED_ARGS, shim=lambda a, t=text: {
            "module_json": t, "invocation": {"module_args": dict(a)}})
        result = p.run(task_vars={})
        assert result["failed"] and msg in result["msg"] and "invocation" not in result, result
        no_secret_in(result)


def test_the_exes_invocation_is_masked_again():
    leaky = {"changed": True, "invocation": {"module_args": {"secret": SECRET, "password": SECRET, "name": "srv"}}}
    p = plugin("powershell", True, CRED_ARGS, shim=lambda a: {"module_json": json.dumps(leaky)})
    result = p.run(task_vars={})
    assert result["invocation"]["module_args"] == {"secret": MASK, "password": MASK, "name": "srv"}, result


def test_the_temporary_directory_goes_even_when_the_shim_raises():
    def boom(module_args):
        raise RuntimeError("connection lost")

    p = plugin("powershell", True, CRED_ARGS, shim=boom)
    try:
        p.run(task_vars={})
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    assert p.calls[-1] == ("remove", TMPDIR), p.calls


def test_a_missing_exe_is_reported():
    p = plugin("powershell", True, CRED_ARGS, exe_present=False)
    result = p.run(task_vars={})
    assert result["failed"] and "win_credential.exe is missing" in result["msg"], result
    assert p.calls == [], p.calls
    no_secret_in(result)


def ps1_options(text):
    """The option declarations of the shim's `$spec`: {name: {key: value}}."""
    block = re.search(r"\$spec\s*=\s*@\{\s*options\s*=\s*@\{(.*?)\n    \}", text, re.S)
    assert block, "no $spec = @{ options = @{ ... } } in mapdrive_become.ps1"
    options = {}
    for line in block.group(1).strip().splitlines():
        m = re.fullmatch(r"\s*(\w+)\s*=\s*@\{(.*)\}\s*", line)
        assert m, "an option declaration not on one line: %r" % line
        fields = {}
        for part in m.group(2).split(";"):
            key, _, value = part.partition("=")
            fields[key.strip()] = value.strip().strip("'")
        options[m.group(1)] = fields
    return options


def test_the_shim_declares_each_secret_as_its_own_no_log_string():
    path = os.path.join(COLLECTION, "plugins", "modules", "mapdrive_become.ps1")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    options = ps1_options(text)
    for name in mapdrive_action.SECRET_OPTIONS:
        assert options.get(name) == {"type": "str", "no_log": "$true"}, (name, options.get(name))
    for name, fields in options.items():
        assert fields.get("type") != "dict" or "options" in fields, "dict without options: %s" % name
        if name not in mapdrive_action.SECRET_OPTIONS:
            assert "no_log" not in fields, name
    # Exactly what the action plugin sends.
    p = plugin("powershell", True, dict(CRED_ARGS, password=SECRET), action=win_mapped_drive.ActionModule)
    p.run(task_vars={})
    assert set(shim_call(p)) == set(options), (set(shim_call(p)), set(options))
    # No file: the arguments go to the exe's redirected standard input.
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for forbidden in ("GetTempFileName", "WriteAllText", "WriteAllBytes", "Set-Content", "Out-File",
                      "New-Item", "Add-Content", "$env:TEMP", "GetTempPath"):
        assert forbidden not in code, forbidden
    for needed in ("$psi.RedirectStandardInput = $true", "$psi.Arguments = '-'",
                   "[System.Diagnostics.Process]::Start($psi)", "StandardInput.Close()"):
        assert needed in code, needed
    # The documentation stub lists the same options.
    path = os.path.join(COLLECTION, "plugins", "modules", "mapdrive_become.py")
    with open(path, encoding="utf-8") as f:
        doc = re.search(r'DOCUMENTATION = r"""(.*?)"""', f.read(), re.S).group(1)
    assert set(yaml.safe_load(doc)["options"]) == set(options)


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    for name, test in tests:
        test()
        print("ok   %s" % name)
    print("test_action_plugin: %d passed, 0 failed" % len(tests))


if __name__ == "__main__":
    main()
