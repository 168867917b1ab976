#!/usr/bin/env bash
# Local RabbitMQ + PostgreSQL for development and CI: installed from Debian packages when
# missing, bound to 127.0.0.1 only, data under .stack/ (git-ignored), one database and role
# per service. `up` is idempotent; `down` stops exactly the processes `up` started (by pid).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVICES=(training registry equipment assessment reporting)
PG_PORT=${PG_PORT:-5433}
PG_SUPERPASS=${PG_SUPERPASS:-postgres}   # local development cluster only
AMQP_PORT=${AMQP_PORT:-5672}
MGMT_PORT=${MGMT_PORT:-15672}
# A stack on other ports gets a node of its own name by default: a test that restarts
# "its" broker (rabbit-down, rabbit-up) must never stop another stack's node.
if [ "$AMQP_PORT" = 5672 ]; then DEFAULT_NODE=baqylau@localhost; else DEFAULT_NODE="baqylau-$AMQP_PORT@localhost"; fi
RABBIT_NODE=${RABBIT_NODE:-$DEFAULT_NODE}

log() { printf '[stack] %s\n' "$*"; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

install_packages() {
  local missing=()
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  # The reporting service makes report.pdf with WeasyPrint, which loads Pango and HarfBuzz
  # at run time; DejaVu has every Kazakh letter (ә ғ қ ң ө ұ ү һ і).
  local libs; libs=$(ldconfig -p 2>/dev/null || true)
  for lib in libpango-1.0-0:libpango-1.0.so.0 libpangoft2-1.0-0:libpangoft2-1.0.so.0 \
             libharfbuzz-subset0:libharfbuzz-subset.so.0; do
    grep -qF "${lib#*:}" <<<"$libs" || missing+=("${lib%%:*}")
  done
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d keeps the packages' own system services from starting: we run our own.
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The servers run as their own system users, which must reach the data folder. A clone in a
# private directory (mktemp -d is 0700) is not reachable, so the data then lives in
# /var/tmp and .stack is a symlink to it.
resolve_stack_dir() {
  if [ -L "$ROOT/.stack" ] || [ -d "$ROOT/.stack" ]; then
    STACK=$(readlink -f "$ROOT/.stack"); return
  fi
  if runuser -u postgres -- test -x "$ROOT" 2>/dev/null && runuser -u rabbitmq -- test -x "$ROOT" 2>/dev/null; then
    mkdir -p "$ROOT/.stack"; chmod 755 "$ROOT/.stack"; STACK="$ROOT/.stack"
  else
    STACK="/var/tmp/baqylau-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
    mkdir -p "$STACK"; chmod 755 "$STACK"; ln -sfn "$STACK" "$ROOT/.stack"
    log "project folder not reachable by the server users; data in $STACK (.stack links there)"
  fi
}

alive() { [ -f "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

wait_for_port() { # host port seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { log "timed out waiting for $1:$2"; return 1; }
    sleep 0.3
  done
}

# ---------------------------------------------------------------- PostgreSQL
# The server users may not be able to enter the current folder (a private clone): run from /.
pg_as() { (cd / && runuser -u postgres -- "$@"); }

pg_up() {
  local bin data; bin=$(pg_bin); data="$STACK/pg/data"
  mkdir -p "$STACK/pg"; chown postgres:postgres "$STACK/pg"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    local pw; pw=$(mktemp); printf '%s\n' "$PG_SUPERPASS" >"$pw"; chown postgres "$pw"
    pg_as "$bin/initdb" -D "$data" -U postgres --pwfile="$pw" --auth-host=scram-sha-256 \
      --auth-local=peer --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    rm -f "$pw"
  fi
  if alive "$data/postmaster.pid"; then
    log "PostgreSQL already running (pid $(head -n1 "$data/postmaster.pid"))"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_as "$bin/pg_ctl" -D "$data" -l "$STACK/pg/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $STACK/pg -c max_connections=300 -c fsync=${PG_FSYNC:-on}" >/dev/null
  fi
  wait_for_port 127.0.0.1 "$PG_PORT" 30
  for svc in "${SERVICES[@]}"; do
    pg_as psql -h "$STACK/pg" -p "$PG_PORT" -U postgres -qtA -v ON_ERROR_STOP=1 <<SQL >/dev/null
SELECT 'CREATE ROLE $svc LOGIN PASSWORD ''$svc'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$svc') \gexec
SELECT 'CREATE DATABASE $svc OWNER $svc'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$svc') \gexec
SQL
  done
  log "PostgreSQL ready; databases: ${SERVICES[*]}"
}

pg_down() {
  local data="$STACK/pg/data"
  if alive "$data/postmaster.pid"; then
    log "stopping PostgreSQL (pid $(head -n1 "$data/postmaster.pid"))"
    pg_as "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

# ---------------------------------------------------------------- RabbitMQ
rabbit_env() {
  export RABBITMQ_NODENAME="$RABBIT_NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$AMQP_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$STACK/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$STACK/rabbitmq/log" \
    RABBITMQ_PID_FILE="$STACK/rabbitmq/rabbitmq.pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$STACK/rabbitmq/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$STACK/rabbitmq/rabbitmq" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    HOME=/var/lib/rabbitmq
}
rabbit_as() { rabbit_env; (cd / && runuser -u rabbitmq --preserve-environment -- "$@"); }

rabbit_up() {
  local dir="$STACK/rabbitmq"
  mkdir -p "$dir/mnesia" "$dir/log"
  cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users = none
CONF
  chown -R rabbitmq:rabbitmq "$dir"
  if alive "$dir/rabbitmq.pid"; then
    log "RabbitMQ already running (pid $(head -n1 "$dir/rabbitmq.pid"))"
  else
    # The management plugin must be enabled before boot (enabling it live failed here).
    rabbit_as /usr/lib/rabbitmq/bin/rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
    log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT (management on $MGMT_PORT)"
    rabbit_as /usr/lib/rabbitmq/bin/rabbitmq-server -detached
  fi
  wait_for_port 127.0.0.1 "$AMQP_PORT" 90
  wait_for_port 127.0.0.1 "$MGMT_PORT" 60
  log "RabbitMQ ready (guest/guest on loopback)"
}

rabbit_down() {
  local pidfile="$STACK/rabbitmq/rabbitmq.pid"
  if alive "$pidfile"; then
    local pid; pid=$(head -n1 "$pidfile")
    log "stopping RabbitMQ (pid $pid)"
    rabbit_as /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" stop "$pidfile" >/dev/null 2>&1 \
      || kill "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  # RabbitMQ started epmd for its node; stop it too unless another Erlang node still uses it.
  if command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name'; then
    epmd -kill >/dev/null 2>&1 || true
  fi
}

# The dashboard's browser test drives Debian's headless Chromium (tests only, not the demo).
browser_install() {
  if [ ! -x /usr/bin/chromedriver ]; then
    log "installing chromium and chromium-driver from Debian packages (the dashboard's test)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

# The Node.js client test (tests/node): Debian's nodejs and npm when missing, then the
# packages its committed package-lock.json pins (npm ci; node_modules is git-ignored), again
# only when the lock changed.
node_install() {
  local missing=() dir="$ROOT/tests/node"
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian packages (the Node client test)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"; then
    log "installing tests/node's packages (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"
  fi
}

rabbit_ctl() { rabbit_as /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" "$@"; }

case "${1:-}" in
  up) install_packages; resolve_stack_dir; pg_up; rabbit_up ;;
  down) resolve_stack_dir; rabbit_down; pg_down ;;
  pg-up) resolve_stack_dir; pg_up ;;
  pg-down) resolve_stack_dir; pg_down ;;
  rabbit-up) resolve_stack_dir; rabbit_up ;;
  rabbit-down) resolve_stack_dir; rabbit_down ;;
  browser) browser_install ;;
  node) node_install ;;
  rabbitmqctl) shift; resolve_stack_dir; rabbit_ctl "$@" ;;
  status)
    resolve_stack_dir
    alive "$STACK/pg/data/postmaster.pid" && log "PostgreSQL up" || log "PostgreSQL down"
    alive "$STACK/rabbitmq/rabbitmq.pid" && log "RabbitMQ up" || log "RabbitMQ down" ;;
  *) echo "usage: $0 up|down|status|pg-up|pg-down|rabbit-up|rabbit-down|browser|node|rabbitmqctl ..." >&2; exit 2 ;;
esac
