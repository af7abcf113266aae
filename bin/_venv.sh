# Sourced by bin/run and bin/test: make .venv and install the pinned requirements when they changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
ensure_venv() {  # $1: requirements file
    local req="$1" stamp=".venv/.installed-$(basename "$1")"
    if [ ! -x .venv/bin/python ]; then
        echo "==> creating .venv"
        "$PYTHON" -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
    fi
    local want
    want="$(cat requirements.txt "$req" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> installing $req"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
        echo "$want" > "$stamp"
    fi
}
