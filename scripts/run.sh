#!/usr/bin/env bash
# Start the timer worker under a supervisor that starts it again whenever it exits or is
# killed, and the web application (gunicorn). Ctrl-C or SIGTERM stops all of them: the worker
# finishes its current sweep, gunicorn its requests.
set -uo pipefail
bin="${VENV:-.venv}/bin"
host="${DIXIAN_HOST:-127.0.0.1}"
port="${DIXIAN_PORT:-5000}"
restart_delay="${DIXIAN_WORKER_RESTART_DELAY:-2}"

# Runs dixian-worker until told to stop (TERM); starts it again after a short delay whenever
# it ends on its own.
supervise_worker() {
  local child="" stopping="" status
  trap 'stopping=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null' TERM INT
  while [ -z "$stopping" ]; do
    "$bin/dixian-worker" &
    child=$!
    [ -z "$stopping" ] || kill -TERM "$child" 2>/dev/null  # told to stop while starting it
    wait "$child"
    status=$?
    # A signal ends `wait` early: wait on until the worker has finished its sweep.
    while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
    child=""
    [ -z "$stopping" ] || break
    echo "run.sh: the timer worker ended (status $status); starting it again in" \
         "${restart_delay}s" >&2
    sleep "$restart_delay" &
    child=$!
    wait "$child"
    child=""
  done
}

web="" supervisor="" stopped=""
stop() {
  stopped=1
  for pid in $web $supervisor; do kill -TERM "$pid" 2>/dev/null; done
}
trap stop TERM INT

supervise_worker &
supervisor=$!
# Worker class, threads and keep-alive come from gunicorn.conf.py in this folder.
"$bin/gunicorn" --workers "${DIXIAN_WORKERS:-2}" --bind "$host:$port" \
  --access-logfile - "webapp:create_app()" &
web=$!
[ -z "$stopped" ] || stop  # told to stop while starting them

echo "Dixian is running at http://$host:$port/  (demo users: see above; Ctrl-C stops)"
wait "$web"
status=$?
asked="$stopped"
stop
# Wait until both have ended, however often `wait` is interrupted.
while kill -0 "$web" 2>/dev/null || kill -0 "$supervisor" 2>/dev/null; do
  wait "$web" "$supervisor" 2>/dev/null
done
[ -n "$asked" ] && exit 0
echo "run.sh: the web application ended (status $status)" >&2
exit "$status"
