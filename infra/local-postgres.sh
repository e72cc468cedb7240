#!/usr/bin/env bash
# Starts (creating it on first use) a project-local PostgreSQL cluster for development.
# Usage: infra/local-postgres.sh <data-dir> <port>   Prints the connection string on stdout.
# Loopback only, password auth (the password is generated once and kept beside the cluster).
set -euo pipefail
dir=$(realpath -m "$1"); port=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  echo "Installing PostgreSQL server..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/PG_VERSION" ]; then
  pw="$dir.password"
  head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$pw"
  [ "$(id -u)" = 0 ] && chown postgres "$pw"
  as_pg "$bin/initdb" -D "$dir" -U chatdesk --pwfile="$pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
fi
if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start \
    -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=300" >&2
fi
password=$(cat "$dir.password")
PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U chatdesk -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='chatdesk'" | grep -q 1 \
  || PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U chatdesk chatdesk >&2
echo "Host=127.0.0.1;Port=$port;Database=chatdesk;Username=chatdesk;Password=$password"
