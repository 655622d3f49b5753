#!/usr/bin/env bash
# A local cluster on loopback: a 3-node MariaDB Galera cluster, N service replicas (each on its own
# Galera node) and HAProxy in front of them, checking each replica's /health with the API key.
# It never touches the MariaDB at 3306: every node has its own --defaults-file, ports and data folder.
#
#   scripts/cluster/cluster.sh up                 start whatever is not running yet (idempotent)
#   scripts/cluster/cluster.sh status             what runs, Galera's view, HAProxy's view
#   scripts/cluster/cluster.sh down               stop everything and delete the cluster folder
#   scripts/cluster/cluster.sh env                the settings a client needs (URL, keys, node ports)
#   scripts/cluster/cluster.sh node-kill I        SIGKILL Galera node I (1-3)
#   scripts/cluster/cluster.sh node-start I       start node I again; it rejoins by IST (or SST)
#   scripts/cluster/cluster.sh replica-kill I     SIGKILL replica I
#   scripts/cluster/cluster.sh replica-start I    start replica I again (waits for /health)
#   scripts/cluster/cluster.sh replicas-restart   SIGTERM every replica and start it again, e.g. to
#                                                 apply another RATE_LIMIT_PER_MINUTE
#
# Settings (environment): CLUSTER_DIR (default ./.cluster, git-ignored), CLUSTER_PORT_BASE (23300),
# CLUSTER_REPLICAS (2), CLUSTER_REDIS_URL (redis://127.0.0.1:6379; empty for none: each replica then
# limits on its own), CLUSTER_SKIP_BUILD=1 (use dist/ as it is). RATE_LIMIT_PER_MINUTE, RETRY_AFTER_SECONDS
# and LOG_LEVEL, when set, are passed to the replicas. CLUSTER_WAIT_NODE_S (240) and CLUSTER_WAIT_REPLICA_S
# (120) bound the waits for a node to be Synced and a replica healthy (a joiner may wait for a donor).
#
# Ports, from CLUSTER_PORT_BASE (B): HAProxy B; replica I: B+10+I; Galera node I: SQL B+20+I,
# group communication B+30+I, IST B+40+I, rsync SST B+50+I.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${CLUSTER_DIR:-$REPO/.cluster}"
BASE="${CLUSTER_PORT_BASE:-23300}"
REPLICAS="${CLUSTER_REPLICAS:-2}"
REDIS_URL_FOR_REPLICAS="${CLUSTER_REDIS_URL-redis://127.0.0.1:6379}"
NODES=3
DB_NAME=crm
DB_USER=crm
DB_PASSWORD=crm-local
HOST=127.0.0.1
GALERA_LIB=/usr/lib/galera/libgalera_smm.so
WAIT_NODE_S="${CLUSTER_WAIT_NODE_S:-240}"
WAIT_REPLICA_S="${CLUSTER_WAIT_REPLICA_S:-120}"

say() { echo "cluster: $*"; }
die() { echo "cluster: error: $*" >&2; exit 1; }

haproxy_port() { echo "$BASE"; }
replica_port() { echo $((BASE + 10 + $1)); }
node_port() { echo $((BASE + 20 + $1)); }
gcomm_port() { echo $((BASE + 30 + $1)); }
ist_port() { echo $((BASE + 40 + $1)); }
sst_port() { echo $((BASE + 50 + $1)); }
node_dir() { echo "$DIR/node$1"; }
node_of_replica() { echo $((($1 - 1) % NODES + 1)); }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------- what the machine needs
ensure_tools() {
  [ -f "$GALERA_LIB" ] || install_packages galera-4
  command -v rsync >/dev/null || install_packages rsync
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || install_packages haproxy
  command -v socat >/dev/null || install_packages socat
  command -v mariadb-install-db >/dev/null || die "mariadb-install-db is missing (Debian's mariadb-server)"
  command -v curl >/dev/null || install_packages curl
  id mysql >/dev/null 2>&1 || die "the mysql system user is missing (Debian's mariadb-server makes it)"
}

install_packages() {
  say "installing $* from Debian"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---------------------------------------------------------------- keys
ensure_keys() {
  mkdir -p "$DIR"
  if [ ! -f "$DIR/keys.env" ]; then
    umask 077
    {
      echo "API_KEY=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
      echo "ADMIN_KEY=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    } >"$DIR/keys.env"
  fi
  # Every replica signs record-page sessions with one secret, so a session works on each of them.
  if ! grep -q '^SESSION_SECRET=' "$DIR/keys.env"; then
    (umask 077; echo "SESSION_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >>"$DIR/keys.env")
  fi
  # shellcheck disable=SC1091
  . "$DIR/keys.env"
}

# ---------------------------------------------------------------- Galera
sql() { # sql NODE 'statement'  (as root, over the node's socket)
  mariadb --no-defaults --protocol=socket -S "$(node_dir "$1")/mysqld.sock" -uroot -N -B -e "$2"
}

# The pid of the mariadbd we started (it does not fork), written at once: mariadbd's own pid file
# appears only once it is past its state transfer.
node_pidfile() { echo "$(node_dir "$1")/node.pid"; }
node_running() { alive "$(node_pidfile "$1")"; }

node_state() { sql "$1" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | awk '{print $2}'; }

write_node_config() {
  local i=$1 d members="" j
  d="$(node_dir "$i")"
  for j in $(seq 1 $NODES); do members="$members${members:+,}$HOST:$(gcomm_port "$j")"; done
  cat >"$d/my.cnf" <<EOF
[mysqld]
user=mysql
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
tmpdir=$d/tmp
log-error=$d/error.log
port=$(node_port "$i")
bind-address=$HOST
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=96M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider=$GALERA_LIB
wsrep_cluster_name=crm-local
wsrep_cluster_address=gcomm://$members
wsrep_node_name=node$i
wsrep_node_address=$HOST:$(gcomm_port "$i")
wsrep_provider_options="gmcast.listen_addr=tcp://$HOST:$(gcomm_port "$i");ist.recv_addr=$HOST:$(ist_port "$i");gcache.size=256M;pc.wait_prim_timeout=PT30S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=$HOST:$(sst_port "$i")
wsrep_slave_threads=2
EOF
}

prepare_node() {
  local i=$1 d
  d="$(node_dir "$i")"
  mkdir -p "$d"
  write_node_config "$i"
  mkdir -p "$d/tmp"
  if [ ! -d "$d/data/mysql" ]; then
    # Installed aside and moved in whole, so that an install cut short never looks like a data folder.
    rm -rf "$d/data" "$d/data.installing"
    mkdir -p "$d/data.installing"
    chown -R mysql:mysql "$d"
    # Its own temporary folder: installs running at once in the shared /tmp collide on the names of
    # their temporary tables ("#sql-temptable-...MAD not found") and one of them aborts.
    if ! mariadb-install-db --no-defaults --user=mysql --datadir="$d/data.installing" --tmpdir="$d/tmp" >"$d/install.log" 2>&1; then
      cat "$d/install.log" >&2
      die "mariadb-install-db failed for node $i (its output above)"
    fi
    mv "$d/data.installing" "$d/data"
  fi
  chown -R mysql:mysql "$d"
}

# The position a node stopped at (after a crash too), so that it asks its peers for the missing
# write sets (IST) instead of a whole copy (SST).
recovered_position() {
  local d
  d="$(node_dir "$1")"
  /usr/sbin/mariadbd --defaults-file="$d/my.cnf" --wsrep-recover --log-error="$d/recover.log" >/dev/null 2>&1 || true
  sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\?[0-9]*\).*/\1/p' "$d/recover.log" 2>/dev/null | tail -1
}

start_node() { # start_node I [bootstrap]
  local i=$1 mode=${2:-join} d args=() position
  d="$(node_dir "$i")"
  if node_running "$i"; then say "galera node $i already runs"; return; fi
  prepare_node "$i"
  position=""
  [ -f "$d/data/grastate.dat" ] && position="$(recovered_position "$i")"
  [[ "$position" =~ ^00000000-0000-0000-0000-000000000000: ]] && position=""
  [ -n "$position" ] && args+=("--wsrep_start_position=$position")
  if [ "$mode" = bootstrap ]; then
    [ -f "$d/data/grastate.dat" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$d/data/grastate.dat"
    args+=(--wsrep-new-cluster)
  fi
  say "starting galera node $i (SQL port $(node_port "$i"), $mode${position:+, from $position})"
  nohup /usr/sbin/mariadbd --defaults-file="$d/my.cnf" "${args[@]}" >>"$d/stdout.log" 2>&1 </dev/null &
  echo $! >"$(node_pidfile "$i")"
}

wait_node() {
  local i=$1 deadline=$((SECONDS + WAIT_NODE_S)) state=""
  while [ $SECONDS -lt $deadline ]; do
    state="$(node_state "$i" || true)"
    [ "$state" = Synced ] && { say "galera node $i is Synced"; return 0; }
    node_running "$i" || { tail -20 "$(node_dir "$i")/error.log" >&2; die "galera node $i stopped while starting (log above)"; }
    sleep 0.5
  done
  tail -20 "$(node_dir "$i")/error.log" >&2
  die "galera node $i is not Synced after ${WAIT_NODE_S}s (state: ${state:-no answer}; log above)"
}

stop_node() {
  local i=$1 pidfile pid
  pidfile="$(node_pidfile "$i")"
  alive "$pidfile" || return 0
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}

kill_node() {
  local pidfile
  pidfile="$(node_pidfile "$1")"
  alive "$pidfile" || die "galera node $1 is not running"
  kill -KILL "$(cat "$pidfile")"
  say "galera node $1 killed (SIGKILL)"
}

ensure_database() {
  sql "$1" "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS '$DB_USER'@'$HOST' IDENTIFIED BY '$DB_PASSWORD';
    GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'$HOST';"
}

# ---------------------------------------------------------------- replicas
replica_pidfile() { echo "$DIR/replica$1.pid"; }

start_replica() {
  local i=$1 node port
  node="$(node_of_replica "$i")"
  port="$(replica_port "$i")"
  if alive "$(replica_pidfile "$i")"; then say "replica $i already runs"; return; fi
  ensure_keys
  say "starting replica $i on port $port (galera node $node)"
  (
    cd "$REPO"
    nohup env PORT="$port" HOST="$HOST" NODE_ENV=production \
      DATABASE_URL="mysql://$DB_USER:$DB_PASSWORD@$HOST:$(node_port "$node")/$DB_NAME" \
      API_KEYS="$API_KEY" ADMIN_API_KEYS="$ADMIN_KEY" SESSION_SECRET="$SESSION_SECRET" REDIS_URL="$REDIS_URL_FOR_REPLICAS" \
      RATE_LIMIT_PER_MINUTE="${RATE_LIMIT_PER_MINUTE:-0}" RETRY_AFTER_SECONDS="${RETRY_AFTER_SECONDS:-5}" \
      LOG_LEVEL="${LOG_LEVEL:-warn}" \
      node --max-old-space-size=512 dist/src/main.js >>"$DIR/replica$i.log" 2>&1 </dev/null &
    echo $! >"$(replica_pidfile "$i")"
  )
}

wait_replica() {
  local i=$1 port deadline=$((SECONDS + WAIT_REPLICA_S))
  port="$(replica_port "$i")"
  while [ $SECONDS -lt $deadline ]; do
    if curl -fsS -o /dev/null -m 2 -H "X-API-Key: $API_KEY" "http://$HOST:$port/health" 2>/dev/null; then
      say "replica $i is healthy"
      return 0
    fi
    alive "$(replica_pidfile "$i")" || { tail -20 "$DIR/replica$i.log" >&2; die "replica $i exited while starting (log above)"; }
    sleep 0.5
  done
  tail -20 "$DIR/replica$i.log" >&2
  die "replica $i has no healthy /health after ${WAIT_REPLICA_S}s (log above)"
}

stop_replica() { # stop_replica I SIGNAL
  local pidfile pid
  pidfile="$(replica_pidfile "$1")"
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- HAProxy
write_haproxy_config() {
  local i
  {
    cat <<EOF
global
  maxconn 2048
  stats socket $DIR/haproxy.sock mode 600 level admin
  # Whole request bodies fit in a buffer, so that a request whose replica died before answering
  # can be sent again to another replica (layer-7 retry below).
  tune.bufsize 1048576

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 30s
  timeout http-request 15s
  retries 3
  option redispatch 1
  # A replica that refuses the connection or closes it without an answer (it was killed): send the
  # request to another one. POST /contacts is safe to repeat: contacts are keyed by externalId.
  retry-on conn-failure empty-response

  errorfile 503 $DIR/503.http

frontend api
  bind $HOST:$(haproxy_port)
  default_backend replicas

backend replicas
  balance roundrobin
  http-request wait-for-body time 10s at-least 1m
  option httpchk
  http-check send meth GET uri /health hdr X-API-Key $API_KEY
  http-check expect status 200
  default-server check inter 1s fall 2 rise 2
EOF
    for i in $(seq 1 "$REPLICAS"); do echo "  server replica$i $HOST:$(replica_port "$i")"; done
  } >"$DIR/haproxy.cfg"
  chmod 600 "$DIR/haproxy.cfg"
  # HAProxy's own 503 (no replica is up) says what the service's 503s say: retry, and when.
  printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nRetry-After: %s\r\nConnection: close\r\n\r\n{"error":"service_unavailable","message":"No replica of the service is available. Retry later."}\n' \
    "${RETRY_AFTER_SECONDS:-5}" >"$DIR/503.http"
}

start_haproxy() {
  if alive "$DIR/haproxy.pid"; then say "haproxy already runs"; return; fi
  write_haproxy_config
  local bin
  bin="$(command -v haproxy || echo /usr/sbin/haproxy)"
  "$bin" -c -q -f "$DIR/haproxy.cfg" || die "haproxy rejects $DIR/haproxy.cfg"
  "$bin" -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid" || die "haproxy did not start"
  say "haproxy balances $REPLICAS replicas at http://$HOST:$(haproxy_port)"
}

wait_haproxy() {
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    curl -fsS -o /dev/null -m 2 -H "X-API-Key: $API_KEY" "http://$HOST:$(haproxy_port)/health" 2>/dev/null && return 0
    sleep 0.5
  done
  die "no healthy answer through haproxy after 30s"
}

haproxy_view() {
  [ -S "$DIR/haproxy.sock" ] || return 0
  echo "show stat" | socat - "UNIX-CONNECT:$DIR/haproxy.sock" 2>/dev/null \
    | awk -F, '$1=="replicas" && $2!="BACKEND" {printf "  haproxy: %s %s\n", $2, $18}'
}

# ---------------------------------------------------------------- commands
cmd_up() {
  ensure_tools
  ensure_keys
  local any=0 i pid first=""
  for i in $(seq 1 $NODES); do node_running "$i" && { any=1; first=${first:-$i}; }; done
  # mariadb-install-db takes a while: for every node at once.
  local installs=()
  for i in $(seq 1 $NODES); do
    node_running "$i" && continue
    prepare_node "$i" &
    installs+=($!)
  done
  for pid in "${installs[@]}"; do
    wait "$pid" && continue
    kill "${installs[@]}" 2>/dev/null || true
    die "a node could not be prepared (above)"
  done
  if [ $any = 0 ]; then
    start_node 1 bootstrap
    wait_node 1
    first=1
  fi
  ensure_database "$first"
  for i in $(seq 1 $NODES); do start_node "$i"; done
  for i in $(seq 1 $NODES); do wait_node "$i"; done
  if [ "${CLUSTER_SKIP_BUILD:-}" != 1 ] || [ ! -f "$REPO/dist/src/main.js" ]; then
    say "building the service (npm run build)"
    (cd "$REPO" && npm run build --silent)
  fi
  # The first replica applies the migrations alone; the others find none pending.
  start_replica 1
  wait_replica 1
  for i in $(seq 2 "$REPLICAS"); do start_replica "$i"; done
  for i in $(seq 2 "$REPLICAS"); do wait_replica "$i"; done
  start_haproxy
  wait_haproxy
  cmd_env
}

cmd_env() {
  ensure_keys
  local i nodes="" replicas=""
  for i in $(seq 1 $NODES); do nodes="$nodes${nodes:+,}$(node_port "$i")"; done
  for i in $(seq 1 "$REPLICAS"); do replicas="$replicas${replicas:+,}$(replica_port "$i")"; done
  echo "CLUSTER_URL=http://$HOST:$(haproxy_port)"
  echo "CLUSTER_API_KEY=$API_KEY"
  echo "CLUSTER_ADMIN_KEY=$ADMIN_KEY"
  echo "CLUSTER_NODE_PORTS=$nodes"
  echo "CLUSTER_REPLICA_PORTS=$replicas"
  echo "CLUSTER_DB=mysql://$DB_USER:$DB_PASSWORD@$HOST/$DB_NAME"
}

cmd_status() {
  local i state size
  [ -d "$DIR" ] || { say "not running (no $DIR)"; return 0; }
  for i in $(seq 1 $NODES); do
    if node_running "$i"; then
      state="$(node_state "$i" || echo '?')"
      size="$(sql "$i" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | awk '{print $2}' || true)"
      echo "  galera node $i: running on $(node_port "$i"), ${state:-no answer}, cluster size ${size:-?}"
    else
      echo "  galera node $i: stopped"
    fi
  done
  for i in $(seq 1 "$REPLICAS"); do
    if alive "$(replica_pidfile "$i")"; then
      echo "  replica $i: running on $(replica_port "$i") (galera node $(node_of_replica "$i"))"
    else
      echo "  replica $i: stopped"
    fi
  done
  if alive "$DIR/haproxy.pid"; then echo "  haproxy: running on $(haproxy_port)"; haproxy_view; else echo "  haproxy: stopped"; fi
}

cmd_down() {
  local i
  [ -d "$DIR" ] || { say "nothing to stop"; return 0; }
  if alive "$DIR/haproxy.pid"; then kill -TERM "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true; fi
  for i in $(seq 1 "$REPLICAS"); do stop_replica "$i" TERM; done
  # Replicas beyond CLUSTER_REPLICAS, from an earlier `up` with more of them.
  for pidfile in "$DIR"/replica*.pid; do [ -f "$pidfile" ] && alive "$pidfile" && kill -KILL "$(cat "$pidfile")" 2>/dev/null; done
  for i in $(seq 1 $NODES); do stop_node "$i" & done
  wait
  rm -rf "$DIR"
  say "stopped and removed $DIR"
}

check_index() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$2" -le "$1" ] || die "expected a number from 1 to $1 (got '${2:-}')"; }

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  node-kill) check_index $NODES "${2:-}"; kill_node "$2" ;;
  node-start) check_index $NODES "${2:-}"; start_node "$2"; wait_node "$2" ;;
  replica-kill)
    check_index "$REPLICAS" "${2:-}"
    alive "$(replica_pidfile "$2")" || die "replica $2 is not running"
    kill -KILL "$(cat "$(replica_pidfile "$2")")"; say "replica $2 killed (SIGKILL)" ;;
  replica-start) check_index "$REPLICAS" "${2:-}"; ensure_keys; start_replica "$2"; wait_replica "$2" ;;
  replicas-restart)
    ensure_keys
    for i in $(seq 1 "$REPLICAS"); do stop_replica "$i" TERM; start_replica "$i"; done
    for i in $(seq 1 "$REPLICAS"); do wait_replica "$i"; done ;;
  *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
