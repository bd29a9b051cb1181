#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then remove the cluster.
#
#   scripts/with-postgres.sh make test
#
# The cluster lives in a temporary directory on a free loopback port, with durability
# switched off (it is thrown away); DATABASE_URL points the command at it. Debian's
# `postgresql` package is installed first when no server is found.
set -euo pipefail

find_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

bindir=$(find_bindir)
if [ -z "$bindir" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(find_bindir)
fi

workdir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# initdb refuses to run as root: run the server as the `postgres` user when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$workdir"; fi

stop() {
  as_owner "'$bindir/pg_ctl' -D '$workdir/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT

as_owner "'$bindir/initdb' -D '$workdir/data' -U procession --auth=trust -E UTF8 >/dev/null"
as_owner "'$bindir/pg_ctl' -D '$workdir/data' -l '$workdir/server.log' -w start -o \
  \"-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\"" >/dev/null
as_owner "'$bindir/createdb' -h 127.0.0.1 -p $port -U procession procession"

export DATABASE_URL="postgresql+psycopg://procession@127.0.0.1:$port/procession"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port"
"$@"
