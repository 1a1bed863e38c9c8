#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, integration, golden and Helm-compatibility
# tests. Installs what the tests need on a Debian machine (run as root, or with sudo
# available), so a newcomer and CI run the same thing:
#
#   bash scripts/test.sh
#
# The Helm compatibility test reads the reference renderings from ../shared/reference
# (or $QSPGB_REFERENCE_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# Debian packages the tests use. None is needed for rendering itself; the list grows with
# the hooks (kube-apiserver, etcd) and PgBouncer end-to-end tests.
DEBIAN_PACKAGES=(bash coreutils)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy (warnings are errors)"
cargo clippy --all-targets --locked -- -D warnings

log "cargo test (unit, integration, golden, Helm compatibility)"
cargo test --all-targets --locked

log "doc tests"
cargo test --doc --locked
