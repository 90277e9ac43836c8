# shellcheck shell=bash
# Source me: `. wine/env.sh`. Points the Wine end-to-end tests at the template prefix that
# wine/setup-prefix.sh builds (run that first), and silences Wine's debug channels.
_mapdrive_wine_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MAPDRIVE_WINE_TEMPLATE="$_mapdrive_wine_root/target/wine/template-prefix"
export WINEDEBUG=-all
unset _mapdrive_wine_root
