#!/usr/bin/env bash
# schemathesis against the running app's own OpenAPI document, bounded: a fresh SQLite
# database with the demo county, gunicorn on DIXIAN_FUZZ_PORT (5099), county staff's token,
# DIXIAN_FUZZ_EXAMPLES examples per operation (300) within DIXIAN_FUZZ_SECONDS (240).
# Fails on any 500, response-schema violation, undocumented status or content type.
# The figures (requests, failures) are printed and written to artifacts/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${VENV:-.venv}/bin"
port="${DIXIAN_FUZZ_PORT:-5099}"
work="$(mktemp -d)"
export DIXIAN_DATABASE_URL="sqlite:///$work/fuzz.sqlite" DIXIAN_SECRET_KEY="fuzz"
export DIXIAN_LOGIN_RATE_LIMIT="100000/minute"
"$bin/python" -c "import sys; from cli import main; sys.argv = ['dixian', 'init', '--demo']; main()" >/dev/null
"$bin/gunicorn" -b "127.0.0.1:$port" -w 2 "webapp:create_app()" >"$work/gunicorn.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/v1/openapi.json" >/dev/null && break; sleep 0.2; done
token="$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"username": "county1", "password": "dixian-demo"}' \
  "http://127.0.0.1:$port/api/v1/tokens" | "$bin/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
mkdir -p artifacts/fuzz
# DELETE /tokens would revoke the token the rest of the run uses.
"$bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" --exclude-operation-id revokeToken \
  -c not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  -n "${DIXIAN_FUZZ_EXAMPLES:-300}" --max-time "${DIXIAN_FUZZ_SECONDS:-240}" \
  --generation-database none --no-color --report json --report-dir artifacts/fuzz
