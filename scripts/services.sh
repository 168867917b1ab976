#!/usr/bin/env bash
# Start or stop Baqylau services as background `nameko run` processes (pid files and logs in
# .stack/run). `start` waits until each service's /readyz answers 200.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/.stack/run"
PY="$ROOT/.venv/bin"
declare -A PORT=([training]=8001 [registry]=8002 [equipment]=8003 [assessment]=8004 [reporting]=8005)
declare -A CLASS=([training]=TrainingService [registry]=RegistryService [equipment]=EquipmentService [assessment]=AssessmentService [reporting]=ReportingService)

log() { printf '[services] %s\n' "$*"; }
# A process that exited but was not reaped (a zombie) answers kill -0: it counts as exited.
alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null \
    && ! grep -q '^State:[[:space:]]*Z' "/proc/$(cat "$1")/status" 2>/dev/null
}

start() {
  local svc=$1 pidfile="$RUN/$1.pid"
  mkdir -p "$RUN"
  if alive "$pidfile"; then log "$svc already running (pid $(cat "$pidfile"))"; return; fi
  # Each service connects as its own broker user (scripts/principals.py, made by `make up`),
  # unless AMQP_URI is given: then every service uses it (the tests' throwaway vhosts).
  local uri=${AMQP_URI:-}
  if [ -z "$uri" ] && [ -f "$ROOT/.stack/principals/$svc" ]; then
    uri=$(cd "$ROOT" && "$PY/python" -m scripts.principals uri "$svc" 2>/dev/null)
  fi
  # exec: the recorded pid is nameko's own, so `stop` signals exactly that process.
  (cd "$ROOT" && exec env ${uri:+AMQP_URI="$uri"} WEB_SERVER_ADDRESS="127.0.0.1:${PORT[$svc]}" \
    "$PY/nameko" run --config "services/$svc/config.yaml" \
    "services.$svc.service:${CLASS[$svc]}") >"$RUN/$svc.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + 60))
  until "$PY/python" -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)" \
      "http://127.0.0.1:${PORT[$svc]}/readyz" >/dev/null 2>&1; do
    if ! alive "$pidfile"; then log "$svc exited; see $RUN/$svc.log"; tail -20 "$RUN/$svc.log"; exit 1; fi
    [ $SECONDS -lt $deadline ] || { log "$svc not ready after 60 s; see $RUN/$svc.log"; exit 1; }
    sleep 0.3
  done
  log "$svc ready on http://127.0.0.1:${PORT[$svc]} (pid $(cat "$pidfile"), log $RUN/$svc.log)"
}

stop() {
  local svc=$1 pidfile="$RUN/$1.pid"
  if alive "$pidfile"; then
    local pid; pid=$(cat "$pidfile")
    log "stopping $svc (pid $pid)"
    kill -TERM "$pid"   # nameko finishes running workers on SIGTERM
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

# One line per service: running and ready, running but not ready, exited (with the end of its
# log: what an operator reads first), or not started. Exit status 1 if any started one is down.
status() {
  local svc=$1 pidfile="$RUN/$1.pid" url="http://127.0.0.1:${PORT[$1]}/readyz"
  if alive "$pidfile"; then
    if "$PY/python" -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)" \
        "$url" >/dev/null 2>&1; then
      log "$svc running and ready (pid $(cat "$pidfile"), $url)"
    else
      log "$svc running, NOT READY (pid $(cat "$pidfile")); $url does not answer 200"; down=1
    fi
  elif [ -f "$pidfile" ]; then
    log "$svc EXITED (was pid $(cat "$pidfile")); the end of $RUN/$svc.log:"
    { tail -n 8 "$RUN/$svc.log" 2>/dev/null || true; } | sed 's/^/    /'
    log "restart it with: bash scripts/services.sh start $svc"; down=1
  else
    log "$svc not started"
  fi
}

action=${1:-}; shift || true
services=("$@"); [ ${#services[@]} -gt 0 ] || services=("${!CLASS[@]}")
case "$action" in
  start) for s in "${services[@]}"; do start "$s"; done ;;
  stop) for s in "${services[@]}"; do stop "$s"; done ;;
  status) down=0; for s in registry equipment assessment training reporting; do status "$s"; done
          exit $down ;;
  *) echo "usage: $0 start|stop|status [service...]" >&2; exit 2 ;;
esac
