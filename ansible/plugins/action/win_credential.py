# -*- coding: utf-8 -*-
"""Action plugin for mapdrive.windows.win_credential: runs the binary module, through the become shim
when the task uses become on a Windows host (see plugin_utils/mapdrive_action.py)."""

from __future__ import annotations

from ansible_collections.mapdrive.windows.plugins.plugin_utils.mapdrive_action import (
    MapdriveAction,
)


class ActionModule(MapdriveAction):
    MODULE = "win_credential"
