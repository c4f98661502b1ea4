#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 server:
#
#   scripts/with-postgres.sh ctest --test-dir build
#
# Initialises a cluster in a new temporary directory, starts it on 127.0.0.1
# on a free port (fsync on, so durability is real), creates a database,
# exports CONTINUUM_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/continuum_test,
# runs the command, and stops and removes the cluster when it ends, whether
# the command passed, failed or was interrupted. Exits with the command's
# status, or 125 if the server could not be set up (nothing was run).
#
# As root, the server runs as the `postgres` OS user (initdb refuses root).
# PG_BIN overrides the binaries' directory (default /usr/lib/postgresql/15/bin).
set -uo pipefail

if (($# == 0)); then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x $bin/initdb || ! -x $bin/pg_ctl ]]; then
  echo "with-postgres: no PostgreSQL binaries in $bin (apt-get install postgresql-15)" >&2
  exit 125
fi

as_server=()
if [[ $(id -u) -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root, but there is no 'postgres' user to run the server as" >&2
    exit 125
  fi
  as_server=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/continuum-pg.XXXXXX") || exit 125
data=$dir/data
log=$dir/server.log
started=0

cleanup() {
  if ((started)); then
    "${as_server[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail_setup() {
  echo "with-postgres: $1" >&2
  [[ -f $log ]] && tail -20 "$log" >&2
  exit 125
}

if ((${#as_server[@]})); then
  chown postgres: "$dir" || fail_setup "cannot hand $dir to the postgres user"
fi
chmod 700 "$dir"

"${as_server[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; fail_setup "initdb failed"; }

# A free port: ask the kernel for one, then retry if another process takes it first.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
for attempt in 1 2 3 4 5; do
  port=$(free_port) || fail_setup "cannot find a free port"
  if "${as_server[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=on \
           -c synchronous_commit=on -c full_page_writes=on -c max_connections=200" \
       start >/dev/null 2>&1; then
    started=1
    break
  fi
done
((started)) || fail_setup "the server did not start"

"${as_server[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres -E UTF8 continuum_test \
  || fail_setup "createdb failed"

export CONTINUUM_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/continuum_test"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $data)"

"$@"
exit $?
