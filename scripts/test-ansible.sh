#!/usr/bin/env bash
# The Ansible collection proven with real ansible-core: builds the collection tarball, installs it,
# and runs the playbooks in tests/ansible/ on localhost against mapdrive.exe under Wine with the fake
# SMB provider. Called by scripts/test.sh after the Wine end-to-end step; expects the release
# mapdrive.exe and the template prefix (wine/setup-prefix.sh) to exist.
#
# Usage: scripts/test-ansible.sh
#
# - ansible-core comes from the virtual environment target/ansible/venv that
#   `scripts/bootstrap.sh ansible` creates once from PyPI (delete it to upgrade;
#   $MAPDRIVE_ANSIBLE_CORE pins the pip requirement).
# - The tarball is built by scripts/build-collection.sh into target/ansible/ and installed with
#   ansible-galaxy collection install into a fresh collections path.
# - The test copy gets tests/ansible/wrapper.sh installed as plugins/modules/<module> (no extension):
#   it wins over <module>.exe on this Linux controller and runs the exe under Wine (test scaffolding,
#   never in the tarball).
# - The script runs itself again in one private Wine prefix (wine/with-prefix.sh) with a
#   persistent wineserver; the fake provider serves wine/fixture.json (server ansiblehost).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
win=x86_64-pc-windows-gnu
exe="${MAPDRIVE_EXE:-$root/target/$win/release/mapdrive.exe}"
[[ -f "$exe" ]] || { echo "test-ansible: $exe missing: cargo build --release --target $win -p mapdrive" >&2; exit 1; }

step() { printf -- '-- %s\n' "$*"; }
fail() { echo "test-ansible: FAILED: $*" >&2; exit 1; }

venv="$root/target/ansible/venv"
if [[ "${MAPDRIVE_PRIVATE_PREFIX:-none}" != "${WINEPREFIX:-}" ]]; then
    scripts/bootstrap.sh ansible
    exec wine/with-prefix.sh scripts/test-ansible.sh "$@"
fi
export PATH="$venv/bin:$PATH"
step "$(ansible --version 2>/dev/null | head -n1)"

step "build the collection tarball"
tarball="$(ANSIBLE_GALAXY="$venv/bin/ansible-galaxy" MAPDRIVE_EXE="$exe" scripts/build-collection.sh)"
contents="$(tar tzf "$tarball")"
for f in win_mapped_drive.exe win_credential.exe win_mapped_drive_info.exe win_mapped_drive.py mapdrive_become.ps1; do
    grep -qx "plugins/modules/$f" <<<"$contents" || fail "the tarball lacks plugins/modules/$f"
done
grep -qx 'README.md' <<<"$contents" || fail "the tarball lacks README.md"
if grep -Eq '^plugins/modules/win_[a-z_]+$' <<<"$contents"; then fail "a test wrapper leaked into the tarball"; fi

work="$(mktemp -d "$root/target/ansible/run.XXXXXX")"
cleanup() {
    # Keep the logs of the last run for reading; drop the installed copy (wine/with-prefix.sh
    # drops the prefix).
    rm -rf "$root/target/ansible/last-run"
    mkdir -p "$root/target/ansible/last-run"
    cp "$work"/*.log "$work"/*.jsonl "$work"/*.txt "$root/target/ansible/last-run/" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step "install the tarball with ansible-galaxy collection install"
ansible-galaxy collection install "$tarball" -p "$work/collections" >"$work/galaxy-install.log" 2>&1 || { cat "$work/galaxy-install.log" >&2; fail "ansible-galaxy collection install"; }
installed="$work/collections/ansible_collections/mapdrive/windows"
[[ -f "$installed/plugins/modules/win_mapped_drive.exe" ]] || fail "installed collection lacks win_mapped_drive.exe"
for module in win_mapped_drive win_credential win_mapped_drive_info; do
    install -m 0755 tests/ansible/wrapper.sh "$installed/plugins/modules/$module"
done

step "ansible-doc renders every module"
for module in win_mapped_drive win_credential win_mapped_drive_info mapdrive_become; do
    ANSIBLE_COLLECTIONS_PATH="$work/collections" ansible-doc "mapdrive.windows.$module" >"$work/doc-$module.txt" 2>&1 ||
        { cat "$work/doc-$module.txt" >&2; fail "ansible-doc mapdrive.windows.$module"; }
    grep -q "OPTIONS" "$work/doc-$module.txt" || fail "ansible-doc mapdrive.windows.$module shows no options"
done

step "action plugin: become or a secret on a Windows host goes through the PowerShell shim and stdin; the shim's options (stand-in connection)"
"$venv/bin/python" tests/ansible/test_action_plugin.py "$work/collections" || fail "action plugin become path"

export MAPDRIVE_ANSIBLE_EXE="$exe"
export MAPDRIVE_ANSIBLE_WINE_LOG="$work/wine.log"
export MAPDRIVE_ANSIBLE_RESULTS="$work/results.jsonl"
# tests/ansible/wrapper.sh records how each module run got its arguments: stdin (a task with a
# secret, `mapdrive.exe -`) or file.
export MAPDRIVE_ANSIBLE_ROUTES="$work/routes.txt"

cat >"$work/hosts" <<HOSTS
localhost ansible_connection=local ansible_python_interpreter=$venv/bin/python
HOSTS
cat >"$work/ansible.cfg" <<CFG
[defaults]
inventory = $work/hosts
collections_path = $work/collections
library = $root/tests/ansible/library
callback_plugins = $root/tests/ansible/callback_plugins
callbacks_enabled = results_jsonl
local_tmp = $work/tmp/local
remote_tmp = $work/tmp/remote
home = $work/home
interpreter_python = $venv/bin/python
retry_files_enabled = false
nocows = true
CFG
export ANSIBLE_CONFIG="$work/ansible.cfg"

playbook() {
    local name="$1"
    shift
    step "playbook $name $*"
    if ! ansible-playbook "$root/tests/ansible/$name" "$@" >"$work/$name.log" 2>&1; then
        tail -n 60 "$work/$name.log" >&2
        fail "ansible-playbook $name"
    fi
}

playbook win_mapped_drive.yml -vvv
playbook win_credential.yml -vvv
playbook beyond.yml -vvv --diff
playbook info.yml -vvv

step "ad-hoc -a with Ansible's boolean strings (persistent=no) and doubled backslashes"
ansible localhost -m mapdrive.windows.win_mapped_drive \
    -a 'letter=P path=\\\\ansiblehost\\share1 persistent=no' >"$work/adhoc.log" 2>&1 || { cat "$work/adhoc.log" >&2; fail "ad-hoc map"; }
grep -q 'CHANGED' "$work/adhoc.log" || { cat "$work/adhoc.log" >&2; fail "ad-hoc map did not change"; }
ansible localhost -m test_drive_facts -a 'letter=P' >"$work/adhoc-facts.log" 2>&1 || { cat "$work/adhoc-facts.log" >&2; fail "ad-hoc facts"; }
grep -q '"connected": true' "$work/adhoc-facts.log" && grep -q '"remembered": false' "$work/adhoc-facts.log" ||
    { cat "$work/adhoc-facts.log" >&2; fail "persistent=no must connect without remembering"; }
ansible localhost -m mapdrive.windows.win_mapped_drive -a 'letter=P state=absent force=yes' >>"$work/adhoc.log" 2>&1 ||
    { cat "$work/adhoc.log" >&2; fail "ad-hoc unmap"; }

step "--diff output shows the re-map as a unified diff of letter and path"
grep -qF -- '-    "path": "\\\\ansiblehost\\share1"' "$work/beyond.yml.log" &&
    grep -qF -- '+    "path": "\\\\ansiblehost\\share2"' "$work/beyond.yml.log" ||
    fail "no path diff in the ansible-playbook --diff output"

step "tasks with a secret ran mapdrive.exe - (arguments on stdin), the others the arguments file"
grep -qx stdin "$work/routes.txt" && grep -qx file "$work/routes.txt" ||
    fail "expected both routes in $(sort "$work/routes.txt" | uniq -c | tr '\n' ' ')"

step "no secret in any output (plain, UTF-16LE, base64), invocation masked"
"$venv/bin/python" "$root/tests/ansible/check_outputs.py" "$work" || fail "output check"

echo "test-ansible: all Ansible tests passed"
