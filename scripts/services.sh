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
# As root, PostgreSQL runs as the postgres user, who may not reach a checkout
# under a private folder (e.g. /root): its data then lives in a folder of its
# own under /tmp, one per checkout and port (the same choice at start and stop).
pgdata="$data/pg"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PWD" 2>/dev/null; then
  pgdata="/tmp/troubleshooter-pg-$(printf %s "$PWD" | sha256sum | cut -c1-12)-$pg_port"
fi

case "$action" in
start)
  mkdir -p "$data" "$(dirname "$pgdata")"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$pgdata" && chown postgres "$pgdata" && chmod 700 "$pgdata"
    chown postgres "$data"
  fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    as_pg mkdir -p "$pgdata"
    as_pg "$pg_bin/initdb" -D "$pgdata" -U rasa --auth=trust >/dev/null \
      || { echo "services: PostgreSQL cannot initialise its data in $pgdata" >&2; exit 1; }
  fi
  as_pg "$pg_bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U rasa -d postgres -tc \
    "SELECT 1 FROM pg_database WHERE datname='rasa'" | grep -q 1 \
    || as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U rasa rasa
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$data/redis.pid" --logfile "$data/redis.log"
  # A daemonized Redis may not listen yet: wait (at most 10 s) until it answers.
  for _ in $(seq 100); do redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 \
    || { echo "services: Redis did not answer on 127.0.0.1:$redis_port (see $data/redis.log)" >&2; exit 1; }
  echo "services: PostgreSQL on 127.0.0.1:$pg_port (db rasa, user rasa), Redis on 127.0.0.1:$redis_port"
  ;;
stop)
  [ -f "$pgdata/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true
  [ -f "$data/redis.pid" ] && kill "$(cat "$data/redis.pid")" 2>/dev/null || true
  rm -f "$data/redis.pid"
  ;;
esac
