#!/usr/bin/env bash
# Starts the action server and then the Rasa server (`server`) or `rasa shell` (`shell`) in front of it.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-server}"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD"
mkdir -p logs
endpoints=endpoints.yml
if [ "$ACTIONS_PORT" != 5055 ]; then
  endpoints=logs/endpoints.run.yml
  sed "s#127.0.0.1:5055#127.0.0.1:${ACTIONS_PORT}#" endpoints.yml >"$endpoints"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Backline stopped."
}
trap stop INT TERM EXIT

.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" >logs/actions.log 2>&1 &
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

if [ "$mode" = shell ]; then
  .venv/bin/rasa shell -m models --endpoints "$endpoints"
  exit 0
fi

.venv/bin/rasa run -m models --endpoints "$endpoints" --credentials credentials.yml \
  --enable-api -i 127.0.0.1 --port "$RASA_PORT" --cors "*" >logs/rasa.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:${RASA_PORT}/" 180 "The Rasa server"
cat <<MSG

Backline is running.
  REST:    curl -s -X POST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  Tracker: curl -s http://127.0.0.1:${RASA_PORT}/conversations/me/tracker
  Logs:    logs/rasa.log, logs/actions.log
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
