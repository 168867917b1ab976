#!/usr/bin/env bash
# The platform's image, built and run without a daemon or a registry: buildah builds the
# Containerfile (chroot isolation), podman runs it (runc). The tools come from Debian
# packages, installed when missing. On a machine that cannot reach Docker Hub the base is
# made from Debian's own packages (debootstrap + Debian's python3.11): IMAGE_BASE=debian.
#   image.sh build    install the tools, make the base if needed, build $IMAGE
#   image.sh claims   what the image holds: size, packages, no build tools, no secrets,
#                     no world-writable paths, pip check, pip-audit (scripts/image_claims.sh)
#   image.sh smoke    every service from the image as the manifests run it (image_smoke.py)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${IMAGE:-localhost/baqylau:dev}           # the dev overlay's image name and tag
IMAGE_BASE=${IMAGE_BASE:-debian}                # or docker.io/library/python:3.11-slim-bookworm
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
MINBASE=localhost/baqylau-minbase:bookworm
LOCAL_BASE=localhost/baqylau-base:bookworm
export CONTAINERS_CONF="$ROOT/deploy/image/containers.conf"

log() { printf '[image] %s\n' "$*"; }

install_tools() {
  local missing=()
  for tool in buildah podman runc debootstrap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

have_image() { podman image exists "$1"; }

# debootstrap's minbase (essential packages and apt) imported as an image; then Debian's
# python3.11 on top (deploy/image/base.Containerfile), apt's own resolver doing the deps.
make_debian_base() {
  if ! have_image "$MINBASE"; then
    local rootfs; rootfs=$(mktemp -d /var/tmp/baqylau-minbase.XXXXXX)
    local began=$SECONDS
    log "debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR"
    debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$rootfs.log" 2>&1 \
      || { tail -n 20 "$rootfs.log"; rm -rf "$rootfs"; log "debootstrap failed (log: $rootfs.log)"; return 1; }
    rm -f "$rootfs.log"
    # The build machine's name and resolver are not the image's, nor debootstrap's device
    # nodes (world-writable /dev/null...): the runtime mounts its own /etc/resolv.conf, /dev.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/etc/resolv.conf \
      "$rootfs"/etc/hostname "$rootfs"/debootstrap "$rootfs"/dev/*
    # What the excludes keep out of later packages, taken out of minbase's too (50 MB).
    install -m 644 "$ROOT/deploy/image/dpkg-excludes" "$rootfs/etc/dpkg/dpkg.cfg.d/excludes"
    find "$rootfs"/usr/share/doc -type f ! -name copyright -delete
    find "$rootfs"/usr/share/doc -type l -delete
    rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    tar -C "$rootfs" -c . | podman import -q - "$MINBASE" >/dev/null
    rm -rf "$rootfs"
    log "minbase $MINBASE in $((SECONDS - began)) s"
  fi
  if ! have_image "$LOCAL_BASE"; then
    local began=$SECONDS
    log "base $LOCAL_BASE: Debian's python3.11 on $MINBASE"
    buildah bud -q --isolation chroot --build-arg "MINBASE=$MINBASE" -t "$LOCAL_BASE" \
      -f "$ROOT/deploy/image/base.Containerfile" "$ROOT/deploy/image" >/dev/null
    log "base $LOCAL_BASE in $((SECONDS - began)) s"
  fi
}

# The CA bundle the host's pip trusts (PIP_CERT or pip.conf's cert), if it names one.
pip_cert() {
  local cert=${PIP_CERT:-}
  [ -n "$cert" ] || cert=$(python3 -m pip config get global.cert 2>/dev/null || true)
  [ -f "$cert" ] && printf '%s' "$cert" || true
}

build() {
  install_tools
  local base="$IMAGE_BASE" started
  if [ "$base" = debian ]; then make_debian_base; base=$LOCAL_BASE; fi
  started=$SECONDS
  # The host's pip reaches PyPI through the CAs in its configured bundle (a TLS-inspecting
  # proxy); the build gets that bundle as a secret, so it is in no layer of the image.
  local secrets=() cert previous; cert=$(pip_cert)
  previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  [ -z "$cert" ] || secrets+=(--secret "id=pipcert,src=$cert")
  log "building $IMAGE from Containerfile on $base${cert:+ (pip CAs from $cert)}"
  # Which source it holds, for whoever finds it in a registry (no path or host in it).
  local revision version
  revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml")
  buildah bud -q --isolation chroot --build-arg "BASE=$base" "${secrets[@]}" -t "$IMAGE" \
    --label "org.opencontainers.image.revision=$revision" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.title=baqylau" \
    -f "$ROOT/Containerfile" "$ROOT" >/dev/null
  # The build it replaces, now untagged: removed, so rebuilds do not fill the disk.
  if [ -n "$previous" ] && [ -z "$(podman image inspect --format '{{.RepoTags}}' "$previous" \
      2>/dev/null | tr -d '[]')" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
  log "built $IMAGE in $((SECONDS - started)) s; $(podman image inspect --format \
    '{{.Id}} {{.Size}}' "$IMAGE" | awk '{printf "id %.12s, %.1f MB", $1, $2/1e6}')"
}

case "${1:-}" in
  build) build ;;
  base) install_tools; make_debian_base ;;
  claims) install_tools; IMAGE="$IMAGE" bash "$ROOT/scripts/image_claims.sh" ;;
  smoke) install_tools; IMAGE="$IMAGE" "$ROOT/.venv/bin/python" -m scripts.image_smoke ;;
  *) echo "usage: $0 build|base|claims|smoke" >&2; exit 2 ;;
esac
