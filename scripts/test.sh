#!/usr/bin/env bash
# The test suite, in two sizes:
#
#   bash scripts/test.sh fast   formatting, lints, unit tests, the `it` integration binary
#                               and the doc tests: no installs, no services (the
#                               edit-compile-test loop)
#   bash scripts/test.sh [full] everything CI runs (.ci/run): formatting, lints, unit,
#                               integration, golden, end-to-end (`--features e2e`) and
#                               Helm-compatibility tests, the container image's checks
#                               (scripts/image.sh test), then the Helm oracle replay
#
# The full run installs what the tests need on a Debian machine (run as root, or with sudo
# available), so a newcomer and CI run the same thing.
#
# The Helm compatibility test reads the reference renderings from ../shared/reference
# (or $QSPGB_REFERENCE_DIR). The hooks tests run against a real kube-apiserver + etcd on
# loopback (scripts/kube-apiserver.sh): built once from Debian's source package into
# /var/cache/qspgb-e2e (about 7 minutes on 2 cores), started for the run, stopped at exit.
# The rendered manifests are checked by kubernetes-validate and checkov, installed at fixed
# versions into target/venv by scripts/validators.sh (about a minute the first time); real
# Helm (helm-python-sdk, pinned) into target/helm-venv by scripts/helm-oracle.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

mode="${1:-full}"
case "$mode" in
  fast)
    command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }
    log "cargo fmt --check"
    cargo fmt --all -- --check
    log "cargo clippy (warnings are errors)"
    cargo clippy --workspace --all-targets --locked -- -D warnings
    log "cargo test: unit tests and the it binary"
    cargo test --workspace --locked --lib --test it
    log "doc tests"
    cargo test --workspace --doc --locked
    exit 0
    ;;
  full) ;;
  *) echo "usage: bash scripts/test.sh [fast|full]" >&2; exit 2 ;;
esac

# Debian packages the tests use (the API server's own are installed by its script):
# the test Pods' script is checked by shellcheck and run with psql (postgresql-client);
# python3 and python3-venv hold the manifest validators (scripts/validators.sh).
DEBIAN_PACKAGES=(bash coreutils shellcheck postgresql-client-15 python3 python3-venv)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# promtool checks the PrometheusRule: taken out of Debian's `prometheus` package without
# installing it (the package would also install and start a Prometheus server).
if [ ! -x target/tools/promtool ]; then
  log "promtool from Debian's prometheus package"
  mkdir -p target/tools/deb
  (cd target/tools/deb && apt-get download prometheus >/dev/null 2>&1 \
     || { apt-get update -qq && apt-get download prometheus; })
  dpkg-deb -x target/tools/deb/prometheus_*.deb target/tools/deb/root
  cp target/tools/deb/root/usr/bin/promtool target/tools/promtool
  rm -rf target/tools/deb
fi
export PROMTOOL="$PWD/target/tools/promtool"

log "manifest validators: checkov, kubernetes-validate (target/venv)"
bash scripts/validators.sh install
eval "$(bash scripts/validators.sh env)"

log "kube-apiserver, PostgreSQL, PgBouncer: packages"
bash scripts/kube-apiserver.sh install
bash scripts/postgres.sh install
bash scripts/pgbouncer.sh install
log "podman and runc: packages (the container image)"
bash scripts/image.sh install
# Building the API server and the PgBouncer versions the chart deploys (first run only)
# overlaps with formatting and lints, and so does the image's release build. That build
# keeps its own target directory beside the other caches: CI's clones are fresh, so there
# only qspgb itself recompiles (the debug target/ of the tests is another profile anyway).
mkdir -p target
release_target="${QSPGB_CACHE:-/var/cache/qspgb-e2e}/release-target"
bash scripts/kube-apiserver.sh build > target/apiserver-build.log 2>&1 &
apiserver_build=$!
bash scripts/pgbouncer.sh build > target/pgbouncer-build.log 2>&1 &
pgbouncer_build=$!
CARGO_TARGET_DIR="$release_target" bash scripts/image.sh build > target/image-build.log 2>&1 &
image_build=$!

command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --features e2e --locked -- -D warnings

log "kube-apiserver: build (cached) and start"
if ! wait "$apiserver_build"; then
  tail -40 target/apiserver-build.log >&2
  echo "building kube-apiserver failed (log above)" >&2
  exit 1
fi
rm -f target/apiserver-build.log
log "PgBouncer: build the deployed versions (cached)"
if ! wait "$pgbouncer_build"; then
  tail -40 target/pgbouncer-build.log >&2
  echo "building PgBouncer failed (log above)" >&2
  exit 1
fi
rm -f target/pgbouncer-build.log
log "the container image: release build, podman build (cached), and its checks"
if ! wait "$image_build"; then
  tail -40 target/image-build.log >&2
  echo "building the container image failed (log above)" >&2
  exit 1
fi
rm -f target/image-build.log
CARGO_TARGET_DIR="$release_target" bash scripts/image.sh test

# The README's first set-up command, as a newcomer runs it, on the image's release build
# (tests/it/docs_commands.rs checks that every `sh ci` command of the documentation is a
# command line here or in .ci/run).
log "README set-up: the embedded chart with its defaults"
CARGO_TARGET_DIR="$release_target" cargo run --release -- render > target/readme-render.yaml
grep -q '^kind: Deployment' target/readme-render.yaml
rm -f target/readme-render.yaml
eval "$(bash scripts/pgbouncer.sh env)"
export KAE2E_RUN_DIR="/tmp/qspgb-test-$$" QSPGB_PG_RUN_DIR="/tmp/qspgb-test-pg-$$"
trap 'bash scripts/kube-apiserver.sh stop; bash scripts/postgres.sh stop' EXIT
eval "$(bash scripts/kube-apiserver.sh start)"
log "PostgreSQL: start"
eval "$(bash scripts/postgres.sh start)"

log "cargo test (unit, integration, golden, Helm compatibility, hooks against the API server, PgBouncer against PostgreSQL, validators)"
cargo test --workspace --all-targets --features e2e --locked --no-fail-fast

log "doc tests"
cargo test --workspace --doc --locked

log "Helm as an oracle: the recorded cases of tests/helm-oracle (real Helm's output) against qspgb"
bash scripts/helm-oracle.sh compare

