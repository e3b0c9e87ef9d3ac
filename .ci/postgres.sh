# shellcheck shell=bash
# Starts a private, throw-away PostgreSQL 15 server for the store tests and exports
# BENCHGATE_TEST_POSTGRES_URL. Meant to be `source`d (by .ci/run); the server is stopped on exit.
# PostgreSQL refuses to run as root, so the cluster belongs to an unprivileged user.

bg_pg_bin=/usr/lib/postgresql/15/bin
bg_pg_user=${BENCHGATE_PG_USER:-pgtest}

if [ ! -x "$bg_pg_bin/initdb" ]; then
    echo "postgres.sh: installing postgresql" >&2
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql || return 1 2>/dev/null || exit 1
fi

bg_pg_run() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$bg_pg_user" -- "$@"
    else
        "$@"
    fi
}

if [ "$(id -u)" = 0 ] && ! id "$bg_pg_user" >/dev/null 2>&1; then
    useradd -m "$bg_pg_user" || return 1 2>/dev/null || exit 1
fi

BENCHGATE_PG_DIR=$(mktemp -d /tmp/benchgate-pg.XXXXXX)
chmod 755 "$BENCHGATE_PG_DIR"
if [ "$(id -u)" = 0 ]; then
    chown "$bg_pg_user" "$BENCHGATE_PG_DIR"
fi

bg_pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

bg_pg_run "$bg_pg_bin/initdb" -D "$BENCHGATE_PG_DIR/data" -U postgres --auth=trust --no-sync >"$BENCHGATE_PG_DIR/initdb.log" 2>&1 \
    || { cat "$BENCHGATE_PG_DIR/initdb.log" >&2; return 1 2>/dev/null || exit 1; }
bg_pg_run "$bg_pg_bin/pg_ctl" -D "$BENCHGATE_PG_DIR/data" -l "$BENCHGATE_PG_DIR/server.log" -w \
    -o "-p $bg_pg_port -k $BENCHGATE_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null \
    || { cat "$BENCHGATE_PG_DIR/server.log" >&2; return 1 2>/dev/null || exit 1; }

bg_pg_stop() {
    bg_pg_run "$bg_pg_bin/pg_ctl" -D "$BENCHGATE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$BENCHGATE_PG_DIR"
}
# Note: this replaces any EXIT trap set before sourcing.
trap bg_pg_stop EXIT

export BENCHGATE_PG_DIR
export BENCHGATE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$bg_pg_port/postgres"
echo "postgres.sh: PostgreSQL 15 on 127.0.0.1:$bg_pg_port ($BENCHGATE_TEST_POSTGRES_URL)" >&2
