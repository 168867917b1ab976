#!/usr/bin/env bash
# Fill deploy/k8s/overlays/dev/secrets/*.env with random credentials (once; kept if present).
# These files are git-ignored: no password is ever committed.
set -euo pipefail
DIR="$(cd "$(dirname "$0")/.." && pwd)/deploy/k8s/overlays/dev/secrets"
mkdir -p "$DIR"
random() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
write() { [ -f "$DIR/$1" ] || { umask 077; printf '%s\n' "${@:2}" >"$DIR/$1"; }; }
amqp_password=$(random)
write amqp.env "username=baqylau" "password=$amqp_password" \
  "uri=pyamqp://baqylau:$amqp_password@rabbitmq:5672/"
write postgres-admin.env "password=$(random)"
for svc in registry training equipment assessment reporting; do
  write "db-$svc.env" "password=$(random)"
done
write assessment-pseudonym.env "key=$(random)$(random)"
echo "dev secrets in $DIR"
