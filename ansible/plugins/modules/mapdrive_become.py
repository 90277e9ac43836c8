#!/usr/bin/python
# -*- coding: utf-8 -*-

DOCUMENTATION = r"""
---
module: mapdrive_become
short_description: Internal - runs a mapdrive.windows binary module as the become user
description:
  - Used by the action plugins of M(mapdrive.windows.win_mapped_drive), M(mapdrive.windows.win_credential) and
    M(mapdrive.windows.win_mapped_drive_info) when a task on a Windows host uses C(become). ansible-core applies
    become only to PowerShell modules; this PowerShell module starts the already uploaded exe as the become user
    and returns its result.
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
  module_args:
    description: The task's options, without secrets.
    type: dict
    required: true
  secrets:
    description: The task's no_log options.
    type: dict
    default: {}
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
