#!/usr/bin/env bash
# validators.sh — the Python validators of the rendered manifests (tests/e2e/validate.rs), at
# fixed versions, in a virtualenv inside the repository's target directory:
#
#   checkov 3.3.30              security policy checks (configuration: .checkov.yaml)
#   kubernetes-validate 1.37.0  Kubernetes JSON schemas 1.25 ... 1.37 (`--strict`)
#
# The versions are in scripts/validators-requirements.txt.
#
#   bash scripts/validators.sh install        # create target/venv and pip install; when it is
#                                             # already there and current, returns in ~0.1 s
#   eval "$(bash scripts/validators.sh env)"  # export QSPGB_CHECKOV, QSPGB_KUBERNETES_VALIDATE
#
# scripts/test.sh runs both. Needs Debian's python3 and python3-venv (test.sh installs
# them) and PyPI. Knobs: QSPGB_VENV (default target/venv), QSPGB_PYTHON (default
# /usr/bin/python3, Debian's, so the packages above are all it takes).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${QSPGB_VENV:-$PWD/target/venv}"
PYTHON="${QSPGB_PYTHON:-/usr/bin/python3}"
REQUIREMENTS="$PWD/scripts/validators-requirements.txt"
log() { printf '[validators] %s\n' "$*" >&2; }
source scripts/venv.sh

# Whether the venv holds exactly what the requirements file says, with the two programs.
current() {
  [[ -x "$VENV/bin/checkov" && -x "$VENV/bin/kubernetes-validate" ]] || return 1
  venv_current "$VENV" "$REQUIREMENTS" "checkov, kubernetes_validate"
}

install() {
  current && return 0
  venv_install "$VENV" "$REQUIREMENTS" "checkov, kubernetes_validate" "$PYTHON"
  current || { log "the venv is still incomplete after pip install"; exit 1; }
  log "installed: $("$VENV/bin/pip" show checkov kubernetes-validate 2>/dev/null | awk '/^(Name|Version):/ {printf "%s ", $2}')"
}

env_lines() {
  current || { log "not installed: run \`bash scripts/validators.sh install\` first"; exit 1; }
  printf "export QSPGB_CHECKOV='%s'\n" "$VENV/bin/checkov"
  printf "export QSPGB_KUBERNETES_VALIDATE='%s'\n" "$VENV/bin/kubernetes-validate"
}

case "${1:-}" in
  install) install ;;
  env) env_lines ;;
  *) echo "usage: $0 install|env" >&2; exit 2 ;;
esac
