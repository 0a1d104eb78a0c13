#!/usr/bin/env bash
# Container entrypoint: `rasa` (the Rasa server), `actions` (the action server), `purge` (retention, for a
# cron job), `preflight` (only the checks), `probe` (readiness: the database and Redis answer). Settings are
# the BACKLINE_* variables (docs/operations.md); ops.preflight decides the `rasa run` flags (one parser).
# Both servers need BACKLINE_WEB_SECRET and BACKLINE_ACTION_SECRET (`--container`): no key file is shared here.
set -euo pipefail
cd /app
source ops/env.sh
umask 027  # the SQLite file (when used) and logs: not readable by other users
mode="${1:-rasa}"
case "$mode" in
  rasa)
    rasa_args=()
    mapfile -d '' rasa_args < <(python -m ops.preflight --rasa-args --container --interface 0.0.0.0; echo -n "exit=$?")
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
  actions)
    # Every interface of its own container; it refuses every call without the Rasa servers' credential
    # (ops/action_guard.py), and Kubernetes' NetworkPolicy lets only the Rasa pods reach it.
    python -m ops.preflight --action-server --container --quiet || exit 1
    exec rasa run actions --actions actions --port "${ACTIONS_PORT:-5055}"
    ;;
  purge) exec python -m ops.retention "${@:2}" ;;
  preflight) exec python -m ops.preflight ;;
  probe) exec python -m ops.preflight --probe ;;
  *) exec "$@" ;;
esac
