#!/usr/bin/env bash
# `baqylau ARGS...` in a service's pod, as the operators' broker user:
#   bash scripts/k8s_baqylau.sh token list
#   bash scripts/k8s_baqylau.sh import scores /dev/stdin --round R < scores.csv
# The pod's own AMQP_URI is its service's user, which may not run operators' commands. The
# operators' URI is read from their Secret here and handed to the pod on standard input's
# first line, so it is in no process's arguments and in no pod's spec; the rest of standard
# input (a CSV to import) follows it. NAMESPACE (baqylau) and POD (deploy/reporting) may be set.
set -euo pipefail
NAMESPACE=${NAMESPACE:-baqylau}
POD=${POD:-deploy/reporting}
uri=$(kubectl -n "$NAMESPACE" get secret baqylau-amqp-operators -o jsonpath='{.data.uri}' \
  | base64 -d)
[ -n "$uri" ] || { echo "k8s_baqylau: Secret baqylau-amqp-operators has no uri" >&2; exit 2; }
# From a terminal there is nothing to pass on: only the URI goes.
{ printf '%s\n' "$uri"; [ -t 0 ] || cat; } | kubectl -n "$NAMESPACE" exec -i "$POD" -- \
  sh -c 'IFS= read -r AMQP_URI && export AMQP_URI && exec baqylau "$@"' baqylau "$@"
