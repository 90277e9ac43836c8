#!/usr/bin/env python3
"""Test-only: searches every output of an Ansible test run for the test secrets, and checks that
each mapdrive.windows task's `invocation` masks its no_log options.

Usage: check_outputs.py RUN_DIR   (the *.log files of ansible-playbook -vvv and results.jsonl)
"""
import base64
import glob
import json
import os
import sys

SECRETS = ["Md-Temp-Pa55!", "genericpass", "otherpass"]
MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def forms(secret):
    raw = secret.encode("utf-8")
    utf16 = secret.encode("utf-16-le")
    yield "plain", raw
    yield "UTF-16LE", utf16
    yield "base64", base64.b64encode(raw)
    yield "base64 of UTF-16LE", base64.b64encode(utf16)


def main(run):
    problems = []
    files = sorted(glob.glob(os.path.join(run, "*.log")) + glob.glob(os.path.join(run, "*.jsonl")))
    if not files:
        problems.append("no output files in %s" % run)
    for path in files:
        data = open(path, "rb").read()
        for secret in SECRETS:
            for name, form in forms(secret):
                if form in data:
                    problems.append("%s: the secret %r appears (%s)" % (path, secret[:2] + "...", name))
    masked = 0
    for line in open(os.path.join(run, "results.jsonl"), encoding="utf-8"):
        record = json.loads(line)
        args = record["result"].get("invocation", {}).get("module_args", {})
        for option in ("password", "secret"):
            if option not in args:
                continue
            value = args[option]
            if value not in (None, MASK):
                problems.append("task %r: invocation.%s is not masked" % (record["task"], option))
            elif value == MASK:
                masked += 1
    if masked == 0:
        problems.append("no masked no_log option seen in any invocation")
    for p in problems:
        print("check_outputs: " + p, file=sys.stderr)
    print("check_outputs: %d files searched, %d masked no_log options seen" % (len(files), masked))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
