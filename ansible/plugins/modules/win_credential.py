#!/usr/bin/python
# -*- coding: utf-8 -*-
# Documentation only: the module is win_credential.exe (mapdrive.exe), placed beside this file
# when the collection is built.

DOCUMENTATION = r"""
---
module: win_credential
short_description: Manages Windows Credentials in the Credential Manager
description:
  - Creates, updates and removes a saved credential (Credential Manager) of the user the task runs as.
  - A drop-in for C(ansible.windows.win_credential) with the same options, semantics and messages,
    from one static C(mapdrive.exe).
  - Unlike it, O(update_secret=on_create) with another change keeps the stored secret (ansible.windows
    blanks it), and a missing credential vault (1312) says what to do.
version_added: 0.1.0
options:
  name:
    description:
      - The target that identifies the server or servers the credential is for (C(*.domain.com) allowed).
    type: str
    required: true
  type:
    description:
      - The type of credential. C(domain_password) is what SMB (mapped drives) uses.
    type: str
    required: true
    choices: [domain_certificate, domain_password, generic_certificate, generic_password]
  username:
    description:
      - The user for the credential; for the certificate types the SHA-1 thumbprint of a certificate in
        C(Cert:\\CurrentUser\\My) (spaces and hyphens ignored, any case).
      - Required when O(state=present).
    type: str
  secret:
    description:
      - The secret (password, or the PIN for certificate types). Omitted on an update, the stored secret is kept.
    type: str
  secret_format:
    description:
      - C(text) stores O(secret) as UTF-16LE text; C(base64) stores its decoded bytes, which must be
        UTF-16LE text (an even number of bytes, no unpaired surrogate), as every password is; other
        binary data is refused with a message rather than stored.
    type: str
    choices: [base64, text]
    default: text
  alias:
    description:
      - The alias (for example the NetBIOS name). Omitted, an existing alias is removed.
    type: str
  comment:
    description:
      - A comment. Omitted, an existing comment is removed.
    type: str
  attributes:
    description:
      - Application-defined attributes, compared as a whole list.
    type: list
    elements: dict
    suboptions:
      name:
        description: The attribute name.
        type: str
        required: true
      data:
        description: The attribute value.
        type: str
      data_format:
        description: C(text) stores O(attributes[].data) as UTF-8; C(base64) its decoded bytes.
        type: str
        choices: [base64, text]
        default: text
  persistence:
    description:
      - C(local) keeps it for later logons on this host, C(enterprise) also roams; C(session) (mapdrive only)
        lasts this logon session.
    type: str
    choices: [enterprise, local, session]
    default: local
  update_secret:
    description:
      - C(always) writes O(secret) whenever it differs (a domain password cannot be read back, so it is
        always rewritten and reported changed); C(on_create) only when the credential is created.
    type: str
    choices: [always, on_create]
    default: always
  state:
    description:
      - C(present) creates or updates the credential, C(absent) removes it.
    type: str
    choices: [absent, present]
    default: present
  session:
    description:
      - Which logon session's vault to act in (see M(mapdrive.windows.win_mapped_drive)).
      - mapdrive option, not in ansible.windows.
    type: str
    choices: [auto, current, limited, both]
    default: auto
notes:
  - Needs a logon session with a credential vault. A WinRM/SSH network logon has none (1312), so run the task
    with C(become=true), C(become_method=runas) and the user's password, or with CredSSP. The module then
    fails with C(Failed to access the user's credential store, run the module with become) and says so.
  - The credential lands in the vault of the user the module runs as (the become user).
  - Changing O(username) of a password credential needs its O(secret) (mapdrive refuses to move the stored
    password to another user).
seealso:
  - module: mapdrive.windows.win_mapped_drive
author:
  - mapdrive maintainers
"""

EXAMPLES = r"""
- name: Save the password SMB uses for fileserver
  mapdrive.windows.win_credential:
    name: fileserver
    type: domain_password
    username: CORP\alice
    secret: '{{ alice_password }}'
    update_secret: on_create
  become: true
  become_method: runas
  become_user: '{{ ansible_user }}'
  vars:
    ansible_become_password: '{{ ansible_password }}'

- name: Remove it
  mapdrive.windows.win_credential:
    name: fileserver
    type: domain_password
    state: absent
  become: true
  become_method: runas
  become_user: '{{ ansible_user }}'
"""

RETURN = r"""
credential:
  description: The credential after the task (never the secret), in ansible.windows' diff shape.
  returned: success
  type: dict
  sample: {"alias": null, "attributes": [], "comment": null, "name": "fileserver",
           "persistence": "LocalMachine", "type": "DomainPassword", "username": "CORP\\alice"}
actions:
  description: What was done (or would be done in check mode).
  returned: success
  type: list
  elements: str
"""
