#!/usr/bin/env bash
# Fill deploy/k8s/overlays/dev/secrets/*.env with random credentials (once; kept if present).
# These files are git-ignored: no password is ever committed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/deploy/k8s/overlays/dev/secrets"
DEFINITIONS="$ROOT/deploy/k8s/components/in-cluster/broker/definitions.json"
mkdir -p "$DIR"
random() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
write() { [ -f "$DIR/$1" ] || { umask 077; printf '%s\n' "${@:2}" >"$DIR/$1"; }; }
# One Secret per broker user, every user the broker's definitions name (scripts/k8s_broker.py):
# the broker reads `password`, the user's clients `uri`. The administrator only uses the
# management API, so it gets no URI.
users=$(python3 -c 'import json, sys; print(*(u["name"] for u in json.load(open(sys.argv[1]))["users"]))' \
  "$DEFINITIONS")
for user in $users; do
  password=$(random)
  if [ "$user" = admin ]; then
    write "amqp-$user.env" "password=$password"
  else
    write "amqp-$user.env" "password=$password" "uri=pyamqp://$user:$password@rabbitmq:5672/"
  fi
done
write postgres-admin.env "password=$(random)"
for svc in registry training equipment assessment reporting; do
  write "db-$svc.env" "password=$(random)"
done
write assessment-pseudonym.env "key=$(random)$(random)"
echo "dev secrets in $DIR"
