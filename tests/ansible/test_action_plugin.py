#!/usr/bin/env python3
"""Test-only: the action plugin's become path, which needs a Windows (PowerShell) host, driven
with a stand-in connection: with become the exe is uploaded and the PowerShell shim
(mapdrive.windows.mapdrive_become) is run with the secrets apart, and its JSON text becomes the task
result; without become (or on a POSIX shell) the module runs as usual.

Usage: test_action_plugin.py COLLECTIONS_PATH   (the installed collection, with the .exe files)
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

from ansible.plugins.action import ActionBase  # noqa: E402
from ansible_collections.mapdrive.windows.plugins.action.win_credential import ActionModule  # noqa: E402

ActionBase.run = lambda self, tmp=None, task_vars=None: {}


class Shell:
    def __init__(self, family):
        self.SHELL_FAMILY = family
        self.tmpdir = None

    def join_path(self, *parts):
        return "\\".join(parts)


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def plugin(family, become):
    p = ActionModule.__new__(ActionModule)
    p._connection = Obj(_shell=Shell(family))
    p._play_context = Obj(become=become)
    p._task = Obj(args={"name": "srv", "type": "domain_password", "username": "u", "secret": "S3cret!"})
    p.calls = []

    def make_tmp():
        p._connection._shell.tmpdir = "C:\\tmp\\ansible-tmp-1"
        return p._connection._shell.tmpdir

    p._make_tmp_path = make_tmp
    p._transfer_file = lambda src, dst: p.calls.append(("transfer", src, dst))
    p._remove_tmp_path = lambda path: p.calls.append(("remove", path))

    def execute(module_name=None, module_args=None, task_vars=None, **kw):
        p.calls.append(("execute", module_name, module_args))
        if module_name.endswith("mapdrive_become"):
            return {"changed": False, "module_json": json.dumps({"changed": True, "invocation": {"module_args": {"secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}})}
        return {"changed": True, "direct": True}

    p._execute_module = execute
    return p


def main():
    # Windows host with become: upload, shim with secrets apart, the exe's JSON is the result.
    p = plugin("powershell", True)
    result = p.run(task_vars={})
    kinds = [c[0] for c in p.calls]
    assert kinds == ["transfer", "execute", "remove"], p.calls
    assert p.calls[0][1].endswith("win_credential.exe") and p.calls[0][2] == "C:\\tmp\\ansible-tmp-1\\win_credential.exe", p.calls
    _, shim, args = p.calls[1]
    assert shim == "mapdrive.windows.mapdrive_become", shim
    assert args["module_name"] == "win_credential" and args["exe"].endswith("win_credential.exe"), args
    assert args["secrets"] == {"secret": "S3cret!"} and "secret" not in args["module_args"], args
    assert result == {"changed": True, "invocation": {"module_args": {"secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}}, result
    # A shim failure (no JSON text) is reported as it is.
    p = plugin("powershell", True)
    p._execute_module = lambda **kw: {"failed": True, "msg": "runas failed"}
    assert p.run(task_vars={}) == {"failed": True, "msg": "runas failed"}
    # Without become, and on a POSIX shell with become (this Linux harness): the module as usual.
    for family, become in (("powershell", False), ("sh", True)):
        p = plugin(family, become)
        result = p.run(task_vars={})
        assert [c[:2] for c in p.calls] == [("execute", "mapdrive.windows.win_credential")], p.calls
        assert p.calls[0][2]["secret"] == "S3cret!" and result["direct"], result
    print("test_action_plugin: become via the PowerShell shim, and the direct path, as designed")


if __name__ == "__main__":
    main()
