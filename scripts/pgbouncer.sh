#!/usr/bin/env bash
# pgbouncer.sh — the PgBouncer versions the chart deploys, built from Debian's source
# packages for the end-to-end suites, so they test the PgBouncer that runs in the pods and
# not the one Debian 12 happens to ship (1.18: no peering, no SIGTERM drain, no prepared
# statements in transaction mode).
#
# Usage (as root; needs the network to deb.debian.org once, then only the cache):
#   bash pgbouncer.sh install   # the build dependencies (libevent, c-ares, OpenSSL headers)
#   bash pgbouncer.sh build     # downloads, checks and builds every version below (cached)
#   bash pgbouncer.sh env       # export QSPGB_PGBOUNCER_ROOT=...: the tests find
#                               # $QSPGB_PGBOUNCER_ROOT/<version>/bin/pgbouncer
#
# Versions: the one upstream-compat renders (the pgbouncer 4.0.2 chart's image tag, 1.24.1)
# and the one the product values render (values/values.yaml). The tests read the version
# from the rendered image tag and fail naming it when it is not built here, so moving a tag
# without building it cannot go unnoticed.
#
# What is built: the upstream release tarball as Debian ships it (the `.orig.tar.gz`, checked
# against the sha256 below, which Debian's signed .dsc also lists), without Debian's patches:
# the deployed image (ghcr.io/icoretech/pgbouncer-docker) builds the same upstream release
# unpatched. Configured with c-ares (what resolves the peers' DNS names) and OpenSSL.
# About 75 s per version on 2 cores; kept in $QSPGB_CACHE (default /var/cache/qspgb-e2e).
set -euo pipefail

QSPGB_CACHE="${QSPGB_CACHE:-/var/cache/qspgb-e2e}"
ROOT="$QSPGB_CACHE/pgbouncer"
POOL="http://deb.debian.org/debian/pool/main/p/pgbouncer"
# version sha256-of-the-orig-tarball (the Checksums-Sha256 line of Debian's .dsc)
VERSIONS=(
  "1.24.1 da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0"
  "1.25.2 924ad35113fd0a71c8e2dbe85b5d03445532e2b7b37a9f8a48983beea238b332"
)
BUILD_PACKAGES=(build-essential pkg-config libevent-dev libc-ares-dev libssl-dev curl ca-certificates)

log() { printf '[pgbouncer.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

install() {
  local need=() p
  for p in "${BUILD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
  if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
  fi
}

build_one() {
  local version="$1" sha="$2" dir="$ROOT/$1" work tarball
  if [[ -x "$dir/bin/pgbouncer" ]] && "$dir/bin/pgbouncer" --version 2>/dev/null | grep -q "^PgBouncer $version\$"; then
    return 0
  fi
  work="$(mktemp -d "${TMPDIR:-/tmp}/qspgb-pgbouncer-build.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  tarball="pgbouncer_$version.orig.tar.gz"
  log "PgBouncer $version: downloading $POOL/$tarball"
  curl -fsS --retry 3 -m 300 -o "$work/$tarball" "$POOL/$tarball"
  echo "$sha  $work/$tarball" | sha256sum -c --quiet - \
    || { log "$tarball: sha256 differs from the pinned one"; return 1; }
  tar -xzf "$work/$tarball" -C "$work"
  log "PgBouncer $version: configure and make (about 75 s)"
  (
    cd "$work/pgbouncer-$version"
    ./configure --prefix="$dir.tmp" --with-cares --with-openssl --without-systemd >"$work/configure.log" 2>&1 \
      || { tail -30 "$work/configure.log" >&2; exit 1; }
    make -j"$(nproc)" pgbouncer >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
    # Only the binary: `make install` would also build the man pages (pandoc).
    rm -rf "$dir.tmp"
    command install -D -m 0755 pgbouncer "$dir.tmp/bin/pgbouncer"
  )
  # Only a complete build is ever seen under the final name.
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  "$dir/bin/pgbouncer" --version | head -1 >&2
}

build() {
  local entry
  mkdir -p "$ROOT"
  for entry in "${VERSIONS[@]}"; do
    # shellcheck disable=SC2086
    build_one $entry
  done
}

env_lines() {
  echo "export QSPGB_PGBOUNCER_ROOT='$ROOT'"
}

case "${1:-help}" in
  install) install ;;
  build) build ;;
  env) env_lines ;;
  versions) for e in "${VERSIONS[@]}"; do echo "${e%% *}"; done ;;
  *) sed -n '2,22p' "$0"; [[ "${1:-help}" == help ]] ;;
esac
