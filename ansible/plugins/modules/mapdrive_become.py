#!/usr/bin/python
# -*- coding: utf-8 -*-

DOCUMENTATION = r"""
---
module: mapdrive_become
short_description: Internal - runs a mapdrive.windows binary module, its arguments on standard input
description:
  - Used by the action plugins of M(mapdrive.windows.win_mapped_drive), M(mapdrive.windows.win_credential) and
    M(mapdrive.windows.win_mapped_drive_info) on a Windows host when a task uses C(become) or carries a C(password)
    or C(secret). ansible-core applies become only to PowerShell modules, and writes a binary module's arguments to
    a file on the host; this PowerShell module starts the already uploaded exe (as the become user with become) and
    writes the arguments to its redirected standard input, so no secret is ever written to a file.
  - Not meant to be used in playbooks.
version_added: 0.1.0
options:
  exe:
    description: Remote path of the uploaded module exe.
    type: str
    required: true
  module_name:
    description: The module the exe runs (C(win_mapped_drive), C(win_credential), C(win_mapped_drive_info)).
    type: str
    required: true
  module_args_json:
    description: The task's options without the secrets, as a JSON object.
    type: str
    required: true
  password:
    description: The task's C(password) (win_mapped_drive), if any.
    type: str
  secret:
    description: The task's C(secret) (win_credential), if any.
    type: str
author:
  - mapdrive maintainers
"""

EXAMPLES = r"""
# Not used directly: set become on a mapdrive.windows task.
"""

RETURN = r"""
module_json:
  description: The exe's result, as the JSON text it printed (the action plugin returns it as the task result).
  returned: success
  type: str
"""
