#!/usr/bin/env bash
# Container entrypoint: `rasa` (the Rasa server), `actions` (the action server), `purge` (retention, for a
# cron job), `preflight` (only the checks), `probe` (readiness: the database and Redis answer). Settings are
# the BACKLINE_* variables (README: Operations); ops.preflight decides the `rasa run` flags (one parser).
set -euo pipefail
cd /app
source ops/env.sh
umask 027  # the SQLite file (when used) and logs: not readable by other users
mode="${1:-rasa}"
case "$mode" in
  rasa)
    rasa_args=()
    mapfile -d '' rasa_args < <(python -m ops.preflight --rasa-args --interface 0.0.0.0; echo -n "exit=$?")
    [ "${rasa_args[-1]}" = "exit=0" ] || exit 1
    unset 'rasa_args[-1]'
    endpoints=endpoints.yml
    if [ -n "${BACKLINE_ACTION_URL:-}" ]; then  # the action server's address inside the cluster/compose network
      endpoints=/tmp/endpoints.yml
      sed "s#http://127.0.0.1:5055/webhook#${BACKLINE_ACTION_URL}#" endpoints.yml >"$endpoints"
    fi
    exec rasa run -m models --endpoints "$endpoints" --credentials credentials.yml \
      "${rasa_args[@]}" --port "${RASA_PORT:-5005}"
    ;;
  actions) exec rasa run actions --actions actions --port "${ACTIONS_PORT:-5055}" ;;
  purge) exec python -m ops.retention "${@:2}" ;;
  preflight) exec python -m ops.preflight ;;
  probe) exec python -m ops.preflight --probe ;;
  *) exec "$@" ;;
esac
