# Shared by the database recipes (sourced by run.sh): a postgres user, a cluster on tmpfs,
# the server started with its socket in /tmp. Sets B to the PostgreSQL programs' folder.
B=/usr/lib/postgresql/15/bin
export TZ=UTC
ip link set lo up || return 1
grep -q '^postgres:' /etc/passwd || echo "postgres:x:70:70:postgres:/tmp:/bin/sh" >>/etc/passwd
grep -q '^postgres:' /etc/group || echo "postgres:x:70:" >>/etc/group
mkdir -p /tmp/pg && chown postgres:postgres /tmp/pg && chmod 700 /tmp/pg
su postgres -c "TZ=UTC $B/initdb -D /tmp/pg -A trust -U postgres --no-sync -E UTF8 --locale=C" \
  >/tmp/initdb.log 2>&1 || { tail -20 /tmp/initdb.log; return 1; }
su postgres -c "TZ=UTC $B/pg_ctl -D /tmp/pg -l /tmp/pg.log -w -t 600 start -o \"-c shared_buffers=64MB -c listen_addresses= -c unix_socket_directories=/tmp -c timezone=UTC -c log_timezone=UTC -c max_wal_size=256MB\"" \
  >/tmp/pg_ctl.log 2>&1 || { tail -20 /tmp/pg_ctl.log /tmp/pg.log; return 1; }
