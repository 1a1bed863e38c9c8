#!/usr/bin/env bash
# helm-oracle.sh — qspgb against real Helm on generated values files (tests/helm-oracle).
#
#   bash scripts/helm-oracle.sh install       # target/helm-venv with helm-python-sdk (pinned)
#   bash scripts/helm-oracle.sh compare [DIR] # render the recorded cases (default
#                                             # tests/helm-oracle/corpus) with qspgb and
#                                             # compare with what Helm printed; CI runs this
#   bash scripts/helm-oracle.sh run --chart CHART [--seed S] [--count N]
#                                             # generate N cases, render each with real Helm
#                                             # and qspgb, compare (the long run)
#   bash scripts/helm-oracle.sh record --chart CHART --seed S --count N --out DIR
#   bash scripts/helm-oracle.sh record-regressions --chart CHART
#                                             # re-record tests/helm-oracle/regressions/*.yaml
#                                             # (minimized divergence classes) as corpus/r-*.json
#
# CHART is the reference wrapper chart of ../shared/reference/README.md: its Chart.yaml and
# values.yaml with the upstream pgbouncer chart 4.0.2 unpacked as charts/pgbouncer (for
# example from `helm pull icoretech/pgbouncer --version 4.0.2 --untar`). The project does
# not carry the upstream chart; the corpus holds what Helm printed for it. Recording checks
# the chart first: it must print the reference rendering a-defaults byte for byte.
#
# Knobs: QSPGB_HELM_VENV (default target/helm-venv), QSPGB_PYTHON (default /usr/bin/python3),
# QSPGB_REFERENCE_DIR (default ../shared/reference), QSPGB_BIN (default: the debug build).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${QSPGB_HELM_VENV:-$PWD/target/helm-venv}"
PYTHON="${QSPGB_PYTHON:-/usr/bin/python3}"
REQUIREMENTS="$PWD/scripts/helm-oracle-requirements.txt"
REFERENCE="${QSPGB_REFERENCE_DIR:-$PWD/../shared/reference}"
ORACLE="$PWD/tests/helm-oracle/oracle.py"

log() { printf '[helm-oracle] %s\n' "$*" >&2; }

source scripts/venv.sh

install() {
  venv_install "$VENV" "$REQUIREMENTS" helm_python "$PYTHON"
}

qspgb_bin() {
  if [[ -n "${QSPGB_BIN:-}" ]]; then
    echo "$QSPGB_BIN"
    return
  fi
  cargo build --locked --quiet >&2
  local target
  target="$(cargo metadata --format-version 1 --no-deps \
    | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  local triple
  triple="$(rustc -vV | sed -n 's/^host: //p')"
  if [[ -x "$target/$triple/debug/qspgb" ]]; then echo "$target/$triple/debug/qspgb"; else echo "$target/debug/qspgb"; fi
}

compare() {
  local corpus="${1:-tests/helm-oracle/corpus}"
  [[ -f "$REFERENCE/wrapper/values.yaml" ]] \
    || { log "reference wrapper values not found at $REFERENCE/wrapper (set QSPGB_REFERENCE_DIR)"; exit 1; }
  "$VENV/bin/python" "$ORACLE" compare --corpus "$corpus" --qspgb "$(qspgb_bin)" --repo "$PWD" \
    --wrapper-values "$REFERENCE/wrapper/values.yaml"
}

record() {
  "$VENV/bin/python" "$ORACLE" record --schema values/pgbouncer.schema.json \
    --reference "$REFERENCE" "$@" 2> >(grep -v ' warning: ' >&2)
}

record_regressions() {
  local chart=""
  while (($#)); do
    case "$1" in
      --chart) chart="$2"; shift 2 ;;
      *) log "unknown argument $1"; exit 2 ;;
    esac
  done
  [[ -n "$chart" ]] || { log "--chart CHART is required"; exit 2; }
  rm -f tests/helm-oracle/corpus/r-*.json
  "$VENV/bin/python" "$ORACLE" record-regressions --chart "$chart" --reference "$REFERENCE" \
    --dir tests/helm-oracle/regressions --out tests/helm-oracle/corpus 2> >(grep -v ' warning: ' >&2)
}

run() {
  local chart="" seed=1 count=2000
  while (($#)); do
    case "$1" in
      --chart) chart="$2"; shift 2 ;;
      --seed) seed="$2"; shift 2 ;;
      --count) count="$2"; shift 2 ;;
      *) log "unknown argument $1"; exit 2 ;;
    esac
  done
  [[ -n "$chart" ]] || { log "--chart CHART is required"; exit 2; }
  local out
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' RETURN
  record --chart "$chart" --seed "$seed" --count "$count" --out "$out"
  compare "$out"
}

command="${1:-}"
shift || true
case "$command" in
  install) install ;;
  compare) install; compare "$@" ;;
  record) install; record "$@" ;;
  record-regressions) install; record_regressions "$@" ;;
  run) install; run "$@" ;;
  *) echo "usage: $0 install|compare [DIR]|run --chart CHART [--seed S] [--count N]|record ..." >&2; exit 2 ;;
esac
