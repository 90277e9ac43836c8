#!/usr/bin/python
# -*- coding: utf-8 -*-
# Documentation only: the module is win_mapped_drive_info.exe (mapdrive.exe), placed beside this
# file when the collection is built.

DOCUMENTATION = r"""
---
module: win_mapped_drive_info
short_description: Drives, remembered drives, saved credentials and diagnostics of a Windows user
description:
  - Reports the drive letters the acting logon session(s) see with their status (C(OK), C(Unavailable),
    C(Disconnected), local disks, global drives), the remembered entries (C(HKCU\\Network)), the saved
    credentials (never a secret), who the task runs as (logon session, logon type, elevation) and the
    mapdrive doctor's findings with their stable codes (C(MD001)...).
  - Changes nothing; supports check mode.
version_added: 0.1.0
options:
  session:
    description:
      - Which logon session(s) to look at (see M(mapdrive.windows.win_mapped_drive)).
    type: str
    choices: [auto, current, limited, both]
    default: auto
  credentials:
    description: Include the saved credentials.
    type: bool
    default: true
  doctor:
    description: Include the doctor's findings.
    type: bool
    default: true
seealso:
  - module: mapdrive.windows.win_mapped_drive
  - module: mapdrive.windows.win_credential
author:
  - mapdrive maintainers
"""

EXAMPLES = r"""
- name: What does this user see, and why?
  mapdrive.windows.win_mapped_drive_info:
  register: drives

- name: Fail on a drive that will not reconnect at the next logon
  ansible.builtin.assert:
    that: drives.findings | selectattr('code', 'equalto', 'MD003') | list | length == 0
"""

RETURN = r"""
drives:
  description: Every drive letter in use, as the (first) acting logon session sees it.
  returned: always
  type: list
  elements: dict
  sample: [{"letter": "P:", "kind": "network", "remote": "\\\\fileserver\\public", "status": "OK",
            "remembered": true, "user_name": "", "scope": "session"}]
remembered:
  description: The remembered drives (C(HKCU\\Network)) with their path and stored user name.
  returned: always
  type: list
  elements: dict
sessions:
  description: The full picture per acting logon session (identity, drives, boot-time global drives, warnings).
  returned: always
  type: list
  elements: dict
credentials:
  description: Saved credentials (target, type, user_name, persistence, alias, comment); never a secret.
  returned: when O(credentials=true)
  type: list
  elements: dict
whoami:
  description: What C(mapdrive whoami --json) reports of the process token (user, sid, logon_id,
    logon_type, elevation, linked_logon_id, is_system), the EnableLinkedConnections policy, the
    credential persistence the session may store, the linked and desktop users, and for an elevated
    token whether the limited token is usable.
  returned: always
  type: dict
findings:
  description: The doctor's findings (code, slug, severity, letter, title, explanation, remedy), for
    the logon session O(session) selects.
  returned: when O(doctor=true)
  type: list
  elements: dict
"""
