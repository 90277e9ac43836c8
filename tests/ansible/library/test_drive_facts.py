#!/usr/bin/python
# -*- coding: utf-8 -*-
# Test-only: the local equivalents of `net use L:` and win_reg_stat HKCU:\Network\L UserName in the
# Wine prefix: `mapdrive.exe list --json` (DOS devices + WNet enumeration) and `wine reg query`.
# With snapshot=true, also returns HKCU\Network and the Credential Manager as text, so a test can
# compare the state before and after a check-mode run.
from __future__ import annotations

import json
import os
import subprocess

from ansible.module_utils.basic import AnsibleModule


def wine(*args):
    p = subprocess.run(["wine"] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, env=dict(os.environ, WINEDEBUG="-all"))
    return p.returncode, p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")


def main():
    module = AnsibleModule(argument_spec=dict(letter=dict(type="str"), snapshot=dict(type="bool", default=False)),
                           supports_check_mode=True)
    exe = os.environ["MAPDRIVE_ANSIBLE_EXE"]
    result = dict(changed=False)
    letter = module.params["letter"]
    if letter:
        letter = letter.rstrip(":").upper()
        _, out = wine(exe, "list", "--json", "--session", "current")
        drives = json.loads(out)["drives"]
        d = next((d for d in drives if d["letter"] == letter + ":"), None)
        result["connected"] = bool(d and d.get("status") == "OK")
        result["remote"] = d["remote"] if d else None
        result["remembered"] = bool(d and d["remembered"])
        rc, out = wine("reg", "query", "HKCU\\Network\\" + letter, "/v", "UserName")
        user = None
        for line in out.splitlines():
            parts = line.strip().split(None, 2)
            if parts[:2] == ["UserName", "REG_SZ"]:
                user = parts[2] if len(parts) > 2 else ""
        result["user_name"] = user
        result["remembered_key"] = rc == 0
    if module.params["snapshot"]:
        _, network = wine("reg", "query", "HKCU\\Network", "/s")
        _, creds = wine(exe, "cred", "list", "--json", "--session", "current")
        result["snapshot"] = {"network": network, "credentials": json.loads(creds)}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
