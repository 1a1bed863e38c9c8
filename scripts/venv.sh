# venv.sh — sourced by validators.sh and helm-oracle.sh: a Python virtualenv holding exactly
# what one requirements file lists, installed from PyPI and reinstalled when the file
# changes (its sha256 is stamped in the venv). The caller defines `log`.
#
#   venv_current VENV REQUIREMENTS MODULES   # 0 when VENV is current and imports MODULES
#   venv_install VENV REQUIREMENTS MODULES PYTHON

venv_current() {
  local venv="$1" requirements="$2" modules="$3"
  [[ "$(cat "$venv/.qspgb-requirements.sha256" 2>/dev/null)" == "$(sha256sum < "$requirements")" ]] || return 1
  "$venv/bin/python" -c "import $modules" 2>/dev/null
}

venv_install() {
  local venv="$1" requirements="$2" modules="$3" python="$4"
  if venv_current "$venv" "$requirements" "$modules"; then
    return 0
  fi
  if ! "$venv/bin/python" -c pass 2>/dev/null; then
    [[ -x "$python" ]] || { log "$python not found: apt-get install python3 python3-venv"; exit 1; }
    log "creating $venv ($("$python" --version))"
    "$python" -m venv --clear "$venv" || { log "python3 -m venv failed: apt-get install python3-venv"; exit 1; }
  fi
  log "pip install -r $(basename "$requirements")"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  sha256sum < "$requirements" > "$venv/.qspgb-requirements.sha256"
  venv_current "$venv" "$requirements" "$modules" \
    || { log "the venv is still incomplete after pip install"; exit 1; }
}
