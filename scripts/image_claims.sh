#!/usr/bin/env bash
# The image is what it claims: prints its size and every package it holds, and fails if its
# root filesystem has a compiler or build tool, something that looks like a secret or a path
# of the build machine, or a world-writable path (other than Debian's empty sticky /tmp,
# /var/tmp and /run/lock, which a read-only root makes unwritable anyway), or if `pip check`
# finds a broken requirement or pip-audit a known vulnerability. Lists in .stack/image/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${IMAGE:-localhost/baqylau:dev}
OUT="$ROOT/.stack/image"
TOOLS="$ROOT/.venv-audit"
export CONTAINERS_CONF="$ROOT/deploy/image/containers.conf"
log() { printf '[claims] %s\n' "$*"; }
failed=0
fail() { log "FAIL: $*"; failed=1; }
in_image() { podman run --rm --network none --read-only --entrypoint "$1" "$IMAGE" "${@:2}"; }

mkdir -p "$OUT"
rootfs=$(podman image mount "$IMAGE")
trap 'podman image unmount "$IMAGE" >/dev/null' EXIT

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
log "$IMAGE: $((size / 1000000)) MB, $(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12)"
in_image dpkg-query -W -f '${Package}=${Version}\n' >"$OUT/debian-packages.txt"
in_image pip list --format=freeze 2>/dev/null >"$OUT/python-packages.txt"
log "Debian packages ($(wc -l <"$OUT/debian-packages.txt")): $(paste -sd' ' "$OUT/debian-packages.txt")"
log "Python packages ($(wc -l <"$OUT/python-packages.txt")): $(paste -sd' ' "$OUT/python-packages.txt")"

# Build tools: neither their packages nor their commands.
tools=$(grep -E '^(gcc|g\+\+|cpp|clang|make|binutils|build-essential|libc6-dev|[^=]*-dev)[-0-9.]*=' \
  "$OUT/debian-packages.txt" || true)
[ -z "$tools" ] || fail "build packages in the image: $tools"
for cmd in cc gcc g++ c++ clang make ld as; do
  for dir in usr/bin bin usr/local/bin opt/venv/bin; do
    [ ! -e "$rootfs/$dir/$cmd" ] || fail "build tool /$dir/$cmd in the image"
  done
done
log "no compiler or build tool (packages or commands)"

# Secrets and the build machine's traces: key material, credential files, the host's pip
# config and wheel paths, the dev overlay's generated secrets, the build secrets' mount.
# (Public CA bundles, *.pem, are not secrets; a private key in any file is found by content.)
find "$rootfs" -xdev \( -name '*.key' -o -name 'id_rsa*' -o -name 'id_ed25519*' -o -name '.netrc' \
  -o -name '.pypirc' -o -name 'pip.conf' -o -name '.env' -o -name '*.env' \) \
  -printf '/%P\n' >"$OUT/secret-like-files.txt"
[ ! -s "$OUT/secret-like-files.txt" ] || fail "secret-like files: $(paste -sd' ' "$OUT/secret-like-files.txt")"
# An AWS key id stands alone: inside base64 (Pillow's embedded default font) the same
# letters run on, and are no key.
patterns=(-e 'BEGIN [A-Z ]*PRIVATE KEY' -e '(^|[^A-Za-z0-9+/])AKIA[0-9A-Z]{16}([^A-Za-z0-9+/=]|$)'
  -e '/etc/xdg/pip' -e '/opt/wheels'
  -e '/opt/pypi' -e '/run/secrets/pip' -e "$ROOT")
for f in "$ROOT"/deploy/k8s/overlays/dev/secrets/*.env; do
  [ -f "$f" ] && while IFS='=' read -r _ value; do [ ${#value} -lt 12 ] || patterns+=(-e "$value"); done <"$f"
done
hits=$(grep -rIlE "${patterns[@]}" "$rootfs/app" "$rootfs/opt" "$rootfs/etc" "$rootfs/root" "$rootfs/usr/local" \
  2>/dev/null | sed "s|^$rootfs||" || true)
[ -z "$hits" ] || fail "secret or build-machine text in: $hits"
# The CAs pip was given as a build secret (pip_cert in image.sh) must be in no file.
host_cas=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
python3 "$ROOT/scripts/image_host_cas.py" "$host_cas" "$rootfs/etc/ssl/certs/ca-certificates.crt" \
  >"$OUT/host-only-cas.txt"
if [ -s "$OUT/host-only-cas.txt" ]; then
  baked=$(grep -rlF -f "$OUT/host-only-cas.txt" "$rootfs/etc" "$rootfs/opt" "$rootfs/app" \
    "$rootfs/usr/local" "$rootfs/usr/lib/ssl" 2>/dev/null | sed "s|^$rootfs||" || true)
  [ -z "$baked" ] || fail "the build machine's own CAs are baked into: $baked"
fi
config=$(podman image inspect --format '{{json .Config}}' "$IMAGE")
history=$(podman history --no-trunc --format '{{.CreatedBy}}' "$IMAGE")
if grep -qiE 'password|secret=|token=|PIP_CERT=/|pipcert,src' <<<"$config$history"; then
  fail "a secret-like value in the image's config or history"
fi
log "no secret-like file, key, host path, dev secret or the build machine's" \
  "$(wc -l <"$OUT/host-only-cas.txt") own CAs; config and history clean"

# World-writable paths: only the empty sticky directories Debian makes (/tmp, /var/tmp,
# /run/lock); the read-only root makes them unwritable and the pod mounts /tmp itself.
find "$rootfs" -xdev -perm -0002 ! -type l -printf '/%P %M\n' >"$OUT/world-writable.txt"
others=$(grep -vE '^/(tmp|var/tmp|run/lock) drwxrwxrwt$' "$OUT/world-writable.txt" || true)
[ -z "$others" ] || fail "world-writable paths: $others"
find "$rootfs" -xdev -perm /6000 -type f -printf '/%P\n' >"$OUT/setuid.txt"
log "world-writable: only $(paste -sd' ' "$OUT/world-writable.txt" | sed 's/ drwxrwxrwt//g') (sticky, empty);" \
  "setuid/setgid files $(wc -l <"$OUT/setuid.txt") (inert: no_new_privs, no capabilities)"

in_image pip check >/dev/null 2>&1 || fail "pip check: $(in_image pip check 2>&1)"
log "pip check: no broken requirements"

# pip-audit against PyPI's vulnerability data, then OSV's; each needs the network.
if [ ! -f "$TOOLS/.installed" ]; then
  python3 -m venv "$TOOLS" && "$TOOLS/bin/pip" install -q 'pip-audit==2.10.1' 2>"$OUT/audit-install.log" && touch "$TOOLS/.installed"
fi
audited=""
for service in pypi osv; do
  # The host's CAs: PyPI may be reached through a TLS-inspecting proxy (see pip config).
  REQUESTS_CA_BUNDLE=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt} timeout 300 \
    "$TOOLS/bin/pip-audit" -r "$OUT/python-packages.txt" --no-deps --disable-pip \
    --vulnerability-service "$service" --progress-spinner off -f json -o "$OUT/audit-$service.json" \
    2>"$OUT/audit-$service.log" || true
  summary=$("$ROOT/.venv/bin/python" -m scripts.image_audit "$OUT/audit-$service.json" \
    "$OUT/audit-$service.log") && status=0 || status=$?
  log "pip-audit ($service): $summary"
  [ $status -ne 2 ] || { audited=yes; fail "known vulnerabilities ($service)"; break; }
  [ $status -ne 0 ] || { audited=yes; break; }
done
[ -n "$audited" ] || log "WARNING: no vulnerability database was reachable; the dependencies are unaudited"

[ $failed -eq 0 ] && log "the image is what it claims" || { log "the image fails its claims"; exit 1; }
