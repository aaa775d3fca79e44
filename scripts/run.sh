#!/usr/bin/env bash
# Start the timer service in the background and the web application in the foreground;
# stopping one (Ctrl-C) stops both.
set -euo pipefail
bin="${VENV:-.venv}/bin"
host="${DIXIAN_HOST:-127.0.0.1}"
port="${DIXIAN_PORT:-5000}"

"$bin/dixian" timers run &
timer_pid=$!
trap 'kill "$timer_pid" 2>/dev/null || true' EXIT INT TERM

echo "Dixian is running at http://$host:$port/  (demo users: see above; Ctrl-C stops)"
"$bin/gunicorn" --workers "${DIXIAN_WORKERS:-2}" --bind "$host:$port" \
  --access-logfile - "webapp:create_app()"
