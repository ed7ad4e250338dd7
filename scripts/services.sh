#!/usr/bin/env bash
# Start/stop the PostgreSQL and Redis servers of the scaled set-up, on
# loopback, with their data under build/ (Debian's packages; no Docker).
#   services.sh start|stop [PG_PORT] [REDIS_PORT]
# SERVICES_HOST=ADDR binds both to that address instead (a test host, harness/hosts.py), and
# SERVICES_CLIENTS=NET/LEN lets PostgreSQL's clients from that network in (trust, as on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?start or stop}; pg_port=${2:-5433}; redis_port=${3:-6380}
host=${SERVICES_HOST:-127.0.0.1}; clients=${SERVICES_CLIENTS:-}
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
  if [ -n "$clients" ] && ! grep -q "^host all all $clients trust" "$pgdata/pg_hba.conf"; then
    echo "host all all $clients trust" | as_pg tee -a "$pgdata/pg_hba.conf" >/dev/null
  fi
  as_pg "$pg_bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-p $pg_port -k /tmp -c listen_addresses=$host -c max_connections=200" start >/dev/null
  as_pg "$pg_bin/psql" -h "$host" -p "$pg_port" -U rasa -d postgres -tc \
    "SELECT 1 FROM pg_database WHERE datname='rasa'" | grep -q 1 \
    || as_pg "$pg_bin/createdb" -h "$host" -p "$pg_port" -U rasa rasa
  # Redis 7 answers only loopback clients without a password unless protected mode is off.
  redis-server --port "$redis_port" --bind "$host" --save "" --appendonly no --daemonize yes \
    --protected-mode "$([ -n "$clients" ] && echo no || echo yes)" \
    --pidfile "$data/redis.pid" --logfile "$data/redis.log"
  # A daemonized Redis may not listen yet: wait (at most 10 s) until it answers.
  for _ in $(seq 100); do redis-cli -h "$host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h "$host" -p "$redis_port" ping >/dev/null 2>&1 \
    || { echo "services: Redis did not answer on $host:$redis_port (see $data/redis.log)" >&2; exit 1; }
  echo "services: PostgreSQL on $host:$pg_port (db rasa, user rasa), Redis on $host:$redis_port"
  ;;
stop)
  [ -f "$pgdata/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true
  [ -f "$data/redis.pid" ] && kill "$(cat "$data/redis.pid")" 2>/dev/null || true
  rm -f "$data/redis.pid"
  ;;
esac
