# -*- coding: utf-8 -*-
# Shared by the mapdrive.windows action plugins (controller side).
"""Runs a mapdrive.exe binary module on a Windows host: directly, or through the collection's
PowerShell shim when the task uses become or carries a secret.

Two things ansible-core does for binary modules on Windows decide the route:

- it ignores become (only its PowerShell module wrapper implements runas);
- it writes the module's arguments, a `password` or `secret` included, as JSON to an `args` file in
  the task's temporary directory on the host, where a killed task (timeout) leaves it.

A PowerShell module's arguments, by contrast, travel on the standard input of the PowerShell
process (ansible-core pipelines PowerShell modules on winrm, psrp and ssh) and, with become, of the
become process (its become wrapper). So on a PowerShell host, when the task has become or a
non-null `password`/`secret`, this plugin uploads <module>.exe into the task's temporary
directory and runs the shim module mapdrive.windows.mapdrive_become (as the become user when the
task has become) with the task's other options as one JSON text and each secret as its own
`no_log` option; the shim starts `<module>.exe -` and writes the arguments to its redirected
standard input, and returns the exe's JSON, which becomes the task result. The shim's own
`invocation` is dropped in every case (success or failure), the exe's own `invocation` is kept
with every secret masked again here, and the temporary directory is removed in all cases.

Otherwise (no become, no secret) the module runs as ansible-core runs any binary module. On a host
whose shell is not PowerShell (the Linux test harness, where a test wrapper named after the module
runs the exe under Wine) the module always runs directly.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase

# The modules' no_log options: a task carrying one (non-null) takes the shim and standard input;
# the shim declares each as its own no_log string option.
SECRET_OPTIONS = ("password", "secret")
SHIM = "mapdrive.windows.mapdrive_become"
# What Ansible puts in place of a no_log value.
NO_LOG_MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def carries_secret(args):
    """Whether the task's options hold a secret (a non-null password or secret)."""
    return any(args.get(k) is not None for k in SECRET_OPTIONS)


def mask_invocation(result):
    """Masks every secret option in the result's `invocation.module_args` (defence in depth: the exe
    masks its own)."""
    invocation = result.get("invocation")
    module_args = invocation.get("module_args") if isinstance(invocation, dict) else None
    if isinstance(module_args, dict):
        for k in SECRET_OPTIONS:
            if module_args.get(k) is not None:
                module_args[k] = NO_LOG_MASK
    return result


class MapdriveAction(ActionBase):
    """Base of the win_mapped_drive, win_credential and win_mapped_drive_info action plugins."""

    MODULE = ""
    TRANSFERS_FILES = True

    def _fqcn(self):
        return "mapdrive.windows." + self.MODULE

    def _takes_shim(self, args):
        """The route: the shim (standard input, become) on a PowerShell host when the task uses
        become or carries a secret; the plain binary module otherwise."""
        windows = getattr(self._connection._shell, "SHELL_FAMILY", "") == "powershell"
        return windows and (bool(self._play_context.become) or carries_secret(args))

    def run(self, tmp=None, task_vars=None):
        result = super(MapdriveAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if self._takes_shim(args):
            result.update(self._run_through_shim(args, task_vars))
        else:
            result.update(
                self._execute_module(
                    module_name=self._fqcn(), module_args=args, task_vars=task_vars
                )
            )
        return result

    def _local_exe(self):
        here = os.path.dirname(os.path.abspath(__file__))
        return os.path.join(here, "..", "modules", self.MODULE + ".exe")

    def _run_through_shim(self, args, task_vars):
        exe = self._local_exe()
        if not os.path.isfile(exe):
            return {
                "failed": True,
                "msg": "%s.exe is missing from the mapdrive.windows collection (%s): install the built "
                "collection tarball" % (self.MODULE, exe),
            }
        secrets = dict((k, args.pop(k)) for k in SECRET_OPTIONS if args.get(k) is not None)
        # The exe's other options, as JSON text (the shim adds the secrets and internal keys).
        for k in [k for k in args if k.startswith("_ansible_") or k in SECRET_OPTIONS]:
            del args[k]
        shim_args = {
            "module_name": self.MODULE,
            "module_args_json": json.dumps(args, sort_keys=True),
        }
        shim_args.update(secrets)
        if not self._connection._shell.tmpdir:
            self._make_tmp_path()
        tmpdir = self._connection._shell.tmpdir
        try:
            remote_exe = self._connection._shell.join_path(tmpdir, self.MODULE + ".exe")
            shim_args["exe"] = remote_exe
            self._transfer_file(exe, remote_exe)
            shim_result = self._execute_module(
                module_name=SHIM, module_args=shim_args, task_vars=task_vars
            )
        finally:
            self._remove_tmp_path(tmpdir)
        # The shim's invocation (its own options) never reaches the task result, whatever happened.
        shim_result.pop("invocation", None)
        text = shim_result.pop("module_json", None)
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
        return mask_invocation(inner)
