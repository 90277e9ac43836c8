#!/bin/sh
# WANT_JSON
# Benchmark floor (scripts/bench-ansible.sh): a module that starts one no-op Wine process
# (`cmd /c exit`) and returns an unchanged result, installed like the test wrapper.
set -eu
WINEDEBUG=-all wine cmd /c exit </dev/null >/dev/null 2>&1
printf '{"changed": false}\n'
