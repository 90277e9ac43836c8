# -*- coding: utf-8 -*-
# Shared by the mapdrive.windows action plugins (controller side).
"""Runs a mapdrive.exe binary module, honouring become on Windows hosts.

ansible-core ignores become for binary modules on Windows (only its PowerShell module wrapper
implements runas). Without become the module runs as usual: Ansible uploads <name>.exe and its
arguments file and runs it. With become on a PowerShell host, the exe is uploaded next to the
task's temporary files and started by the collection's PowerShell shim module
(mapdrive.windows.mapdrive_become), which Ansible runs as the become user; the shim hands the
options to the exe in a file only that user can read, deletes it afterwards, and returns the exe's
JSON result, which this plugin returns as the task result.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase

# Options that are secrets (no_log in the modules): passed to the shim apart from the others so
# the shim's own Ansible.Basic masks exactly those.
SECRET_OPTIONS = ("password", "secret")
SHIM = "mapdrive.windows.mapdrive_become"


class MapdriveAction(ActionBase):
    """Base of the win_mapped_drive, win_credential and win_mapped_drive_info action plugins."""

    MODULE = ""
    TRANSFERS_FILES = True

    def _fqcn(self):
        return "mapdrive.windows." + self.MODULE

    def run(self, tmp=None, task_vars=None):
        result = super(MapdriveAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        windows = getattr(self._connection._shell, "SHELL_FAMILY", "") == "powershell"
        if self._play_context.become and windows:
            result.update(self._run_with_become(args, task_vars))
        else:
            # Without become, or on a host whose shell is not PowerShell (the Linux test harness, where
            # a test wrapper named after the module runs the exe under Wine): the module as it is.
            result.update(
                self._execute_module(
                    module_name=self._fqcn(), module_args=args, task_vars=task_vars
                )
            )
        return result

    def _local_exe(self):
        here = os.path.dirname(os.path.abspath(__file__))
        return os.path.join(here, "..", "modules", self.MODULE + ".exe")

    def _run_with_become(self, args, task_vars):
        exe = self._local_exe()
        if not os.path.isfile(exe):
            return {
                "failed": True,
                "msg": "%s.exe is missing from the mapdrive.windows collection (%s): install the built "
                "collection tarball" % (self.MODULE, exe),
            }
        if not self._connection._shell.tmpdir:
            self._make_tmp_path()
        remote_exe = self._connection._shell.join_path(
            self._connection._shell.tmpdir, self.MODULE + ".exe"
        )
        self._transfer_file(exe, remote_exe)
        secrets = dict((k, args.pop(k)) for k in SECRET_OPTIONS if k in args)
        shim_result = self._execute_module(
            module_name=SHIM,
            module_args={
                "exe": remote_exe,
                "module_name": self.MODULE,
                "module_args": args,
                "secrets": secrets,
            },
            task_vars=task_vars,
        )
        self._remove_tmp_path(self._connection._shell.tmpdir)
        text = shim_result.get("module_json")
        if not isinstance(text, str):
            # The shim itself failed (become, PowerShell, the exe did not start): report that.
            return shim_result
        try:
            inner = json.loads(text)
        except ValueError as e:
            return {"failed": True, "msg": "%s.exe returned invalid JSON: %s" % (self.MODULE, e),
                    "module_stdout": text}
        if not isinstance(inner, dict):
            return {"failed": True, "msg": "%s.exe did not return a JSON object" % self.MODULE,
                    "module_stdout": text}
        return inner
