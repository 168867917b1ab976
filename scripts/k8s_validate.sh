#!/usr/bin/env bash
# Render every overlay of deploy/k8s with kustomize, validate the objects against the
# Kubernetes schemas offline (kubernetes-validate) and scan them (checkov): zero failures,
# every suppression justified inline. Output in .stack/k8s/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.venv-k8s"
OUT="$ROOT/.stack/k8s"
K8S_VERSION=1.30.0
log() { printf '[k8s] %s\n' "$*"; }

if ! kubectl version --client 2>/dev/null | grep -Eq 'Kustomize Version: v[4-9]'; then
  log "needs kubectl with kustomize v4 or newer (components); Debian 12's kubernetes-client"
  log "1.20 is too old. Install kubectl from the Kubernetes apt repository, then re-run."
  exit 1
fi
if [ ! -f "$TOOLS/.installed" ]; then
  log "installing kubernetes-validate and checkov into $TOOLS"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q 'kubernetes-validate==1.37.0' 'checkov==3.3.30'
  touch "$TOOLS/.installed"
fi

"$ROOT/.venv/bin/python" -m scripts.k8s_services --check
# The broker's definitions against the roles (importing the services: eventlet's deprecation
# warning on stderr, so the output is shown only when the check fails).
if ! broker=$("$ROOT/.venv/bin/python" -m scripts.k8s_broker --check 2>&1); then
  printf '%s\n' "$broker"; exit 1
fi
bash "$ROOT/scripts/k8s_dev_secrets.sh" >/dev/null
mkdir -p "$OUT"
files=()
for overlay in "$ROOT"/deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" >"$OUT/$name.yaml"
  log "$name: $(grep -c '^kind:' "$OUT/$name.yaml") objects rendered"
  files+=("$OUT/$name.yaml")
done
# CRDs (ServiceMonitor) have no built-in schema: kubernetes-validate warns and moves on.
"$TOOLS/bin/kubernetes-validate" --strict -k "$K8S_VERSION" --quiet "${files[@]}"
log "schemas: valid for Kubernetes $K8S_VERSION"
scan=()
for f in "${files[@]}"; do scan+=(-f "$f"); done
"$TOOLS/bin/checkov" "${scan[@]}" --framework kubernetes --skip-download --quiet --compact \
  >"$OUT/checkov.txt" || { cat "$OUT/checkov.txt"; log "checkov found failed checks"; exit 1; }
log "checkov: $(grep -o 'Passed checks: [0-9]*, Failed checks: [0-9]*, Skipped checks: [0-9]*' "$OUT/checkov.txt" || echo 'no failed checks')"
