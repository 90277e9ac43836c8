#!/usr/bin/python
# -*- coding: utf-8 -*-
# Documentation only: the module is win_mapped_drive.exe (mapdrive.exe), placed beside this file
# when the collection is built.

DOCUMENTATION = r"""
---
module: win_mapped_drive
short_description: Map network drives for users
description:
  - Maps (or removes) a network drive letter in the logon session of the user the task runs as,
    remembered for later logons by default.
  - A drop-in for C(ansible.windows.win_mapped_drive) with the same options, validation, failure
    messages, check mode and diff, from one static C(mapdrive.exe) (no PowerShell, no inline C#).
  - Unlike it, sees live (not remembered) connections, puts the old mapping back when a re-map
    fails, explains Win32 errors such as 1219 and 1312 with what to do, and never replaces a local
    disk, C(subst) drive or another logon session's drive.
  - Explicit O(username)/O(password) are used for the first connection only; Windows never stores
    the password, so C(HKCU\\Network\\<letter>\\UserName) is blanked and later logons use the
    Credential Manager (save it with M(mapdrive.windows.win_credential)).
  - Mapped drives exist in one logon session. A drive mapped by one Ansible task is not visible to
    the next task (each WinRM/SSH connection is a new network logon). Use UNC paths in tasks.
version_added: 0.1.0
options:
  letter:
    description:
      - The letter of the network path to map to, a single letter from A to Z.
    type: str
    required: true
  path:
    description:
      - The UNC path to map the drive to (C(\\\\server\\share), WebDAV C(\\\\host@SSL@443\\path)).
      - Required when O(state=present).
      - With O(state=absent), the module fails unless the drive points here.
      - Compared case-insensitively, a trailing backslash ignored; C(%VAR%) expanded.
    type: path
  state:
    description:
      - C(present) maps the drive, C(absent) removes it (and its remembered entry).
    type: str
    choices: [absent, present]
    default: present
  username:
    description:
      - The user for the first connection (C(DOMAIN\\user) or C(user@domain)); never stored.
    type: str
  password:
    description:
      - The password for O(username), for the first connection only; never stored, never returned.
    type: str
  label:
    description:
      - Explorer's label for the share (Group Policy's "Label as"); an empty string removes it.
      - mapdrive option, not in ansible.windows.
    type: str
  session:
    description:
      - Which logon session(s) to act in. C(auto) acts in the linked limited session when the task
        runs elevated (as ansible.windows does), C(current) here, C(limited) fails instead of
        falling back, C(both) maps in both halves of a split token.
      - mapdrive option, not in ansible.windows.
    type: str
    choices: [auto, current, limited, both]
    default: auto
  persistent:
    description:
      - Remember the mapping for later logons (C(HKCU\\Network)); C(false) maps for this logon
        session only.
      - mapdrive option, not in ansible.windows.
    type: bool
    default: true
  global:
    description:
      - A global drive every user sees (the task must run as SYSTEM), or with O(at_boot) one
        defined at every boot.
      - mapdrive option, not in ansible.windows.
    type: bool
    default: false
  at_boot:
    description:
      - With O(global), write C(HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\DOS Devices)
        so the drive exists from the next boot on.
      - mapdrive option, not in ansible.windows.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), disconnect even with open files (ansible.windows always does).
        C(false) reports open files (2401) and busy devices (2404) instead.
      - mapdrive option, not in ansible.windows.
    type: bool
    default: true
notes:
  - Runs as the connection user (ansible-core does not apply become to binary modules); with
    C(become), the collection's action plugin runs it through a PowerShell shim that honours become.
  - Check mode is supported; C(--diff) shows C(letter) and C(path) before and after.
seealso:
  - module: mapdrive.windows.win_credential
  - module: mapdrive.windows.win_mapped_drive_info
author:
  - mapdrive maintainers
"""

EXAMPLES = r"""
- name: Map drive P to a public share
  mapdrive.windows.win_mapped_drive:
    letter: P
    path: \\fileserver\public

- name: Save the credential the drive needs, then map it
  become: true
  become_method: runas
  become_user: '{{ ansible_user }}'
  block:
    - mapdrive.windows.win_credential:
        name: fileserver
        type: domain_password
        username: CORP\alice
        secret: '{{ alice_password }}'
        update_secret: on_create
    - mapdrive.windows.win_mapped_drive:
        letter: T
        path: \\fileserver\team
        label: Team files

- name: Remove drive Z only if it still points to the old server
  mapdrive.windows.win_mapped_drive:
    letter: Z
    path: \\oldserver\share
    state: absent
"""

RETURN = r"""
actions:
  description: What was done (or, in check mode, would be done), one line per step.
  returned: success
  type: list
  elements: str
  sample: ['connect T: to \\fileserver\team, remembered for later logons']
sessions:
  description: Per logon session acted in, the drive's state before and after.
  returned: success
  type: list
  elements: dict
remedy:
  description: On failure, what the Win32 error means and what to do.
  returned: failure
  type: str
win32_error:
  description: On failure, the Win32 error code, when Windows reported one.
  returned: failure
  type: int
"""
