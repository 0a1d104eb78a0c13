#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for the tests of the scale-out configuration, on a machine that runs neither.
#
#   source scripts/services.sh && services_up     # sets BACKLINE_TEST_PG / BACKLINE_TEST_REDIS, traps their stop
#
# Nothing happens when BACKLINE_TEST_PG and BACKLINE_TEST_REDIS are set, or when a PostgreSQL answers on
# 127.0.0.1:5432 and a Redis on 127.0.0.1:6379 (the machine's own services are used, never changed). With
# BACKLINE_PRIVATE_SERVICES=1 the private ones are started even so. They run from Debian's packages (make install
# installs them as it installs chromium) on free loopback ports, with their data under a temporary folder that is
# removed when the shell that sourced this exits.

_svc_port() { "${PY:-.venv/bin/python}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
_svc_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_svc_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

services_down() {
  [ -n "${_SVC_DIR:-}" ] || return 0
  if [ -n "${_SVC_PG_BIN:-}" ] && [ -f "$_SVC_DIR/pg/postmaster.pid" ]; then
    _svc_as_owner "$_SVC_PG_BIN/pg_ctl" -D "$_SVC_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -f "$_SVC_DIR/redis.pid" ]; then kill "$(cat "$_SVC_DIR/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$_SVC_DIR"
  _SVC_DIR=""
}

# PostgreSQL will not run as root: as root, its commands run as the `postgres` user the package creates.
_svc_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services_up() {
  local want_private="${BACKLINE_PRIVATE_SERVICES:-0}" need_pg=0 need_redis=0
  if [ -z "${BACKLINE_TEST_PG:-}" ] && { [ "$want_private" = 1 ] || ! _svc_answers 5432; }; then need_pg=1; fi
  if [ -z "${BACKLINE_TEST_REDIS:-}" ] && { [ "$want_private" = 1 ] || ! _svc_answers 6379; }; then need_redis=1; fi
  [ "$need_pg$need_redis" = "00" ] && { echo "services: using the machine's PostgreSQL and Redis (or BACKLINE_TEST_*)"; return 0; }

  _SVC_DIR=$(mktemp -d /tmp/backline-services.XXXXXX)
  chmod 755 "$_SVC_DIR"
  trap services_down EXIT
  if [ "$need_pg" = 1 ]; then
    _SVC_PG_BIN=$(_svc_pg_bin) || { echo "services: no PostgreSQL binaries (make install installs Debian's postgresql)" >&2; return 1; }
    local port; port=$(_svc_port)
    mkdir -p "$_SVC_DIR/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres "$_SVC_DIR/pg"
    _svc_as_owner "$_SVC_PG_BIN/initdb" -D "$_SVC_DIR/pg" -U postgres -A trust >/dev/null \
      || { echo "services: initdb failed" >&2; return 1; }
    _svc_as_owner "$_SVC_PG_BIN/pg_ctl" -D "$_SVC_DIR/pg" -w -t 60 -l "$_SVC_DIR/pg/log" \
      -o "-p $port -k $_SVC_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
      || { echo "services: PostgreSQL did not start (see $_SVC_DIR/pg/log)" >&2; return 1; }
    export BACKLINE_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
    echo "services: a private PostgreSQL on 127.0.0.1:$port"
  fi
  if [ "$need_redis" = 1 ]; then
    command -v redis-server >/dev/null || { echo "services: no redis-server (make install installs Debian's redis-server)" >&2; return 1; }
    local rport; rport=$(_svc_port)
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$_SVC_DIR/redis.pid" --dir "$_SVC_DIR" --logfile "$_SVC_DIR/redis.log" >/dev/null \
      || { echo "services: Redis did not start" >&2; return 1; }
    for _ in $(seq 50); do _svc_answers "$rport" && break; sleep 0.1; done
    export BACKLINE_TEST_REDIS="redis://127.0.0.1:$rport/0"
    echo "services: a private Redis on 127.0.0.1:$rport"
  fi
}
