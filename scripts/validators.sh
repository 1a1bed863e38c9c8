#!/usr/bin/env bash
# validators.sh — the Python validators of the rendered manifests (tests/validate.rs), at
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
STAMP="$VENV/.qspgb-requirements.sha256"

log() { printf '[validators] %s\n' "$*" >&2; }

# Whether the venv holds exactly what the requirements file says (checked by its hash,
# and by the two programs being there and runnable by the venv's python).
current() {
  [[ -x "$VENV/bin/checkov" && -x "$VENV/bin/kubernetes-validate" ]] || return 1
  [[ "$(cat "$STAMP" 2>/dev/null)" == "$(sha256sum < "$REQUIREMENTS")" ]] || return 1
  "$VENV/bin/python" -c 'import checkov, kubernetes_validate' 2>/dev/null
}

install() {
  if current; then
    return 0
  fi
  if ! "$VENV/bin/python" -c pass 2>/dev/null; then
    [[ -x "$PYTHON" ]] || { log "$PYTHON not found: apt-get install python3 python3-venv"; exit 1; }
    log "creating $VENV ($("$PYTHON" --version))"
    "$PYTHON" -m venv --clear "$VENV" || { log "python3 -m venv failed: apt-get install python3-venv"; exit 1; }
  fi
  log "pip install -r $(basename "$REQUIREMENTS") (checkov, kubernetes-validate)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
  sha256sum < "$REQUIREMENTS" > "$STAMP"
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
