#!/usr/bin/env bash
# Starts the action server and then the Rasa server (`server`) or `rasa shell` (`shell`) in front of it.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-server}"
# The ports, for this script and every process it starts (the action server makes the diary's links with
# RASA_PORT, ops/settings.py public_url; the pre-flight check below names a wrong one).
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export WEB_PORT="${WEB_PORT:-8080}"
source ops/env.sh
# Logs name conversations (never their text) and the SQLite file holds them: not readable by other users.
umask 027
mkdir -p logs var
endpoints=endpoints.yml
if [ "$ACTIONS_PORT" != 5055 ]; then
  endpoints=logs/endpoints.run.yml
  sed "s#127.0.0.1:5055#127.0.0.1:${ACTIONS_PORT}#" endpoints.yml >"$endpoints"
fi

# Storage, locks, retention, API and CORS settings (BACKLINE_*; docs/operations.md): a clear error naming
# the setting, before anything starts; then the `rasa run` flags the same parser decided (ops/settings.py).
# The page (WEB_PORT) is another origin than Rasa: it may call Rasa unless BACKLINE_CORS says otherwise.
export BACKLINE_CORS="${BACKLINE_CORS:-http://127.0.0.1:${WEB_PORT} http://localhost:${WEB_PORT}}"
rasa_args=()
mapfile -d '' rasa_args < <(.venv/bin/python -m ops.preflight --endpoints "$endpoints" --rasa-args \
  --interface 127.0.0.1; echo -n "exit=$?")
[ "${rasa_args[-1]}" = "exit=0" ] || exit 1
unset 'rasa_args[-1]'
api_on=0
for flag in "${rasa_args[@]}"; do [ "$flag" = --enable-api ] && api_on=1; done

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Backline stopped."
}
trap stop INT TERM EXIT

# The action server serves only the Rasa server: on loopback (rasa_sdk reads SANIC_HOST), and it refuses any
# call without the credential in var/action-server.secret (made by the preflight above) or BACKLINE_ACTION_SECRET.
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" >logs/actions.log 2>&1 &
pids+=($!)

wait_for() {  # url, seconds, what
  for _ in $(seq 1 "$2"); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "$3 did not come up within $2 s; see logs/" >&2
  return 1
}
wait_for "http://127.0.0.1:${ACTIONS_PORT}/health" 60 "The action server"

# `make shell`: the same Rasa server (on RASA_PORT, loopback only, the same flags) with a console in front.
if [ "$mode" = shell ]; then
  # rasa shell serves Rasa's plain REST webhook for the terminal: on loopback only (ops/settings.py refuses more).
  .venv/bin/rasa shell -m models --endpoints "$endpoints" "${rasa_args[@]}" -i 127.0.0.1 --port "$RASA_PORT"
  exit 0
fi

.venv/bin/rasa run -m models --endpoints "$endpoints" --credentials credentials.yml \
  "${rasa_args[@]}" --port "$RASA_PORT" >logs/rasa.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:${RASA_PORT}/" 180 "The Rasa server"

# The website chat page (web/, widget installed by `make install`), beside the Rasa server.
# The page talks only to this Rasa server (ops/webpage.py puts it in the page's allow-list and CSP).
web_url="http://127.0.0.1:${WEB_PORT}/"
.venv/bin/python -m ops.webpage --bind 127.0.0.1 --port "$WEB_PORT" --server "http://127.0.0.1:${RASA_PORT}" \
  >logs/web.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:${WEB_PORT}/" 15 "The web page server (port ${WEB_PORT}; set WEB_PORT to change it)"
cat <<MSG

Backline is running.
  Web:     ${web_url}   (the website chat widget)
  REST:    curl -s -X POST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  Tracker: $(if [ "$api_on" = 0 ]; then echo "HTTP API off (set BACKLINE_API_TOKEN to read trackers)";
             elif [ -n "${BACKLINE_API_TOKEN:-}" ]; then echo "curl -s 'http://127.0.0.1:${RASA_PORT}/conversations/me/tracker?token=\$BACKLINE_API_TOKEN'";
             else echo "curl -s -H 'Authorization: Bearer <JWT>' http://127.0.0.1:${RASA_PORT}/conversations/me/tracker"; fi)
  Logs:    logs/rasa.log, logs/actions.log, logs/web.log
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
