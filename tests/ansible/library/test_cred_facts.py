#!/usr/bin/python
# -*- coding: utf-8 -*-
# Test-only: the local equivalent of ansible.windows' test_cred_facts. Reads the Credential
# Manager of the Wine prefix through `mapdrive.exe cred list --json` (an independent read path:
# CredEnumerateW, not the module under test) and answers in test_cred_facts' shape. mapdrive
# never returns a secret, so there is no `secret` key.
from __future__ import annotations

import json
import os
import subprocess

from ansible.module_utils.basic import AnsibleModule

TYPES = {"domain_password": "DomainPassword", "generic_password": "Generic",
         "domain_certificate": "DomainCertificate", "generic_certificate": "GenericCertificate"}
PERSIST = {"local": "LocalMachine", "enterprise": "Enterprise", "session": "Session"}


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type="str", required=True),
                                              type=dict(type="str", required=True, choices=list(TYPES))),
                           supports_check_mode=True)
    p = subprocess.run(["wine", os.environ["MAPDRIVE_ANSIBLE_EXE"], "cred", "list", "--json", "--session", "current"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, WINEDEBUG="-all"))
    creds = json.loads(p.stdout.decode("utf-8"))
    name, kind = module.params["name"], module.params["type"]
    found = [c for c in creds if c["target"].lower() == name.lower() and c["type"] == kind]
    if not found:
        module.exit_json(changed=False, exists=False)
    c = found[0]
    module.exit_json(changed=False, exists=True, name=c["target"], type=TYPES[c["type"]], username=c["user_name"],
                     alias=c["alias"], comment=c["comment"], persistence=PERSIST[c["persistence"]],
                     attributes=c.get("attributes", []))


if __name__ == "__main__":
    main()
