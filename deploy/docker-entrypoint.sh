#!/usr/bin/env bash
# Container entrypoint: `rasa` (the Rasa server), `actions` (the action server), `purge` (retention, for a
# cron job), `preflight` (only the checks). Settings are the BACKLINE_* variables (README: Operations).
set -euo pipefail
cd /app
mode="${1:-rasa}"
case "$mode" in
  rasa)
    python -m ops.preflight
    api_args=()
    if [ -n "${BACKLINE_API_TOKEN:-}" ]; then
      api_args=(--enable-api --auth-token "$BACKLINE_API_TOKEN")
    elif [ -n "${BACKLINE_JWT_SECRET:-}" ]; then
      api_args=(--enable-api --jwt-secret "$BACKLINE_JWT_SECRET" --jwt-method "${BACKLINE_JWT_METHOD:-HS256}")
    fi
    case "${BACKLINE_ENABLE_API:-}" in 0|false|no|off) api_args=() ;; esac
    endpoints=endpoints.yml
    if [ -n "${BACKLINE_ACTION_URL:-}" ]; then  # the action server's address inside the cluster/compose network
      endpoints=/tmp/endpoints.yml
      sed "s#http://127.0.0.1:5055/webhook#${BACKLINE_ACTION_URL}#" endpoints.yml >"$endpoints"
    fi
    exec rasa run -m models --endpoints "$endpoints" --credentials credentials.yml \
      "${api_args[@]}" -i 0.0.0.0 --port "${RASA_PORT:-5005}" --cors "${BACKLINE_CORS:-*}"
    ;;
  actions) exec rasa run actions --actions actions --port "${ACTIONS_PORT:-5055}" ;;
  purge) exec python -m ops.retention "${@:2}" ;;
  preflight) exec python -m ops.preflight ;;
  *) exec "$@" ;;
esac
