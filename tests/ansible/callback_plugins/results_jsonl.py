# -*- coding: utf-8 -*-
# Test-only: records every task result (as the callback sees it, `invocation` and `diff` included)
# as one JSON line in $MAPDRIVE_ANSIBLE_RESULTS, so scripts can check no_log masking and diffs.
from __future__ import annotations

DOCUMENTATION = """
name: results_jsonl
type: aggregate
short_description: one JSON line per task result
description: Writes each task result to the file named by MAPDRIVE_ANSIBLE_RESULTS.
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "results_jsonl"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, status, result):
        path = os.environ.get("MAPDRIVE_ANSIBLE_RESULTS")
        if not path:
            return
        record = {"status": status, "task": result._task.get_name(), "result": result._result}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._write("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result)
