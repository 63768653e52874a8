#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benches: Debian's PostgreSQL 15 (installed with apt-get
# when missing and run as root), initdb into a temp folder, listening on loopback only.
#
#   scripts/postgres.sh start [DIR]   start it; prints the DATABASE_URL (also in DIR/url)
#   scripts/postgres.sh stop  [DIR]   stop it and delete DIR
#
# DIR defaults to .tmp/postgres in the repository. As root, initdb and the server run as the
# `postgres` OS user (created by the package); otherwise as the current user.
set -euo pipefail
cd "$(dirname "$0")/.."

command=${1:-}
dir=${2:-$PWD/.tmp/postgres}

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    bin=$(bindir)
    if [ -z "$bin" ]; then
      if [ "$(id -u)" != 0 ]; then
        echo "[postgres] PostgreSQL is not installed: sudo apt-get install -y postgresql" >&2
        exit 1
      fi
      echo "[postgres] installing Debian's postgresql" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      bin=$(bindir)
    fi
    if [ -f "$dir/url" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      cat "$dir/url"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    as_owner "$bin/initdb" -D "$dir/data" -U smartdmv --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    # Loopback only, the socket in the temp folder; fsync off: a test database need not survive a crash.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U smartdmv smartdmv
    url="postgres://smartdmv@127.0.0.1:$port/smartdmv"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  stop)
    bin=$(bindir)
    if [ -d "$dir/data" ] && [ -n "$bin" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop [DIR]" >&2
    exit 2
    ;;
esac
