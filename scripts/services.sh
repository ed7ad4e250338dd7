#!/usr/bin/env bash
# Start/stop the PostgreSQL and Redis servers of the scaled set-up, on
# loopback, with their data under build/ (Debian's packages; no Docker).
#   services.sh start|stop [PG_PORT] [REDIS_PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?start or stop}; pg_port=${2:-5433}; redis_port=${3:-6380}
data="$PWD/build/services-$pg_port"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
start)
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres "$data"
  if [ ! -f "$data/pg/PG_VERSION" ]; then
    as_pg mkdir -p "$data/pg"
    as_pg "$pg_bin/initdb" -D "$data/pg" -U rasa --auth=trust >/dev/null
  fi
  as_pg "$pg_bin/pg_ctl" -D "$data/pg" -l "$data/pg.log" -w \
    -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U rasa -d postgres -tc \
    "SELECT 1 FROM pg_database WHERE datname='rasa'" | grep -q 1 \
    || as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U rasa rasa
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$data/redis.pid" --logfile "$data/redis.log"
  echo "services: PostgreSQL on 127.0.0.1:$pg_port (db rasa, user rasa), Redis on 127.0.0.1:$redis_port"
  ;;
stop)
  [ -f "$data/pg/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null || true
  [ -f "$data/redis.pid" ] && kill "$(cat "$data/redis.pid")" 2>/dev/null || true
  rm -f "$data/redis.pid"
  ;;
esac
