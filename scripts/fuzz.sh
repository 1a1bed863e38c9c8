#!/usr/bin/env bash
# Fuzzes the `--set` parsers and the values pipeline with cargo-fuzz (libFuzzer). Not part
# of CI (.ci/run, scripts/test.sh): it needs nightly Rust and takes minutes per target.
# tests/it/fuzz_corpus.rs replays the committed inputs on stable in every `cargo test`.
#
#   bash scripts/fuzz.sh [TARGET|all] [SECONDS]   fuzz each target SECONDS (default 600)
#   bash scripts/fuzz.sh cmin TARGET              minimize into fuzz/corpus/TARGET
#   bash scripts/fuzz.sh tmin TARGET FILE         minimize one crashing input
#   bash scripts/fuzz.sh list                     the targets
#
# Targets: fuzz/fuzz_targets/*.rs; their checks: fuzz/checks/. A run starts from the
# committed inputs (fuzz/corpus, fuzz/seeds, fuzz/regressions) and grows a scratch corpus
# in fuzz/work/corpus/TARGET (not committed); `cmin` then keeps, in fuzz/corpus/TARGET, only
# the inputs that add coverage beyond the seeds. Crashes, timeouts and out-of-memory inputs
# land in fuzz/artifacts/TARGET/; CONTRIBUTING.md (Fuzzing) says how one
# becomes a regression test.
#
# Environment: FUZZ_TOOLCHAIN (default nightly), FUZZ_NICE (default 10; the fuzzer runs
# at that niceness), FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=8192").
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"
NICE="${FUZZ_NICE:-10}"
# Helm-style inputs are short; a hang is anything near a second per input (libFuzzer
# reports at -timeout), and 2 GB is far beyond what any sane input may cost.
LIBFUZZER_FLAGS=(-timeout=5 -rss_limit_mb=2048 -print_final_stats=1)

log() { printf '\n==> %s\n' "$*" >&2; }

setup() {
  command -v rustup >/dev/null || { echo "rustup not found: install Rust with rustup first" >&2; exit 1; }
  if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1; then
    log "installing the $TOOLCHAIN toolchain"
    rustup toolchain install "$TOOLCHAIN" --profile minimal
  fi
  if ! command -v cargo-fuzz >/dev/null; then
    log "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
  fi
}

# `cargo fuzz` passes its sanitizer flags in RUSTFLAGS, which replaces the static-linking
# flags of the repository's .cargo/config.toml (ASan cannot link statically), and builds
# for the host triple, which that file also names: no override is needed here.
cargo_fuzz() { cargo "+$TOOLCHAIN" fuzz "$@"; }

targets() { cargo_fuzz list; }

check_target() {
  local t
  for t in $(targets); do [ "$t" = "$1" ] && return 0; done
  echo "unknown fuzz target: $1 (targets: $(targets | tr '\n' ' '))" >&2
  exit 2
}

# The committed input folders of a target that exist (libFuzzer rejects missing ones).
committed_dirs() {
  local d
  for d in corpus seeds regressions; do
    [ -d "$d/$1" ] && printf '%s\n' "$d/$1"
  done
  return 0
}

run_one() {
  local target=$1 seconds=$2 log_file status
  local -a dirs extra
  mkdir -p "work/corpus/$target" work/logs "artifacts/$target"
  mapfile -t dirs < <(committed_dirs "$target")
  read -r -a extra <<< "${FUZZ_ARGS:-}"
  log_file="work/logs/$target.log"
  log "fuzzing $target for ${seconds}s (log: fuzz/$log_file)"
  status=0
  nice -n "$NICE" cargo "+$TOOLCHAIN" fuzz run -O "$target" "work/corpus/$target" "${dirs[@]}" -- \
    "${LIBFUZZER_FLAGS[@]}" -max_total_time="$seconds" "${extra[@]}" > "$log_file" 2>&1 || status=$?
  log "$target: final stats (exit status $status)"
  # The last progress line has cov/ft/corp; -print_final_stats adds the stat:: lines.
  grep -E '^#[0-9]+' "$log_file" | tail -n 1 || true
  grep -E '^stat::' "$log_file" | awk '!seen[$0]++' || true
  if [ "$status" -ne 0 ]; then
    grep -E 'ERROR: libFuzzer|panicked at|SUMMARY|Test unit written' "$log_file" | head -n 20 >&2 || true
  fi
  return "$status"
}

cmd_run() {
  local which=${1:-all} seconds=${2:-600} failed=0 t
  local -a list
  if [ "$which" = all ]; then
    mapfile -t list < <(targets)
  else
    check_target "$which"
    list=("$which")
  fi
  log "building ${list[*]}"
  for t in "${list[@]}"; do cargo_fuzz build -O "$t"; done
  # One after the other: a fuzzer takes a whole core.
  for t in "${list[@]}"; do run_one "$t" "$seconds" || failed=1; done
  return "$failed"
}

# libFuzzer's merge: start from the seeds, add only the inputs (from the committed corpus
# and the scratch one) that reach new coverage, and commit those, named by content hash.
# Only inputs of at most FUZZ_CMIN_MAX_BYTES (default 2048) are candidates: the large ones
# are mostly mutations of the big values files, which are seeds already, and would make
# the committed corpus several times larger for a few percent of the features.
# -set_cover_merge picks a small set covering the same features: about half the files of
# -merge (what `cargo fuzz cmin` uses) here.
cmd_cmin() {
  local target=${1:?usage: fuzz.sh cmin TARGET} max_bytes=${FUZZ_CMIN_MAX_BYTES:-2048} d f
  check_target "$target"
  cargo_fuzz build -O "$target"
  CMIN_TMP=$(mktemp -d)
  trap 'rm -rf "$CMIN_TMP"' EXIT
  mkdir "$CMIN_TMP/merged" "$CMIN_TMP/candidates"
  [ -d "seeds/$target" ] && cp "seeds/$target"/* "$CMIN_TMP/merged"/
  for d in "corpus/$target" "work/corpus/$target"; do
    [ -d "$d" ] && find "$d" -type f -size "-$((max_bytes + 1))c" -exec cp {} "$CMIN_TMP/candidates"/ \;
  done
  log "merging $(find "$CMIN_TMP/candidates" -type f | wc -l) inputs of at most $max_bytes bytes over the seeds"
  nice -n "$NICE" cargo "+$TOOLCHAIN" fuzz run -O "$target" "$CMIN_TMP/merged" "$CMIN_TMP/candidates" -- \
    -set_cover_merge=1 "${LIBFUZZER_FLAGS[@]}" 2>&1 | grep -E '^MERGE-OUTER' || true
  mkdir -p "corpus/$target"
  find "corpus/$target" -type f -delete
  for f in "$CMIN_TMP/merged"/*; do
    [ -f "seeds/$target/$(basename "$f")" ] && continue
    mv "$f" "corpus/$target/"
  done
  log "fuzz/corpus/$target: $(find "corpus/$target" -type f | wc -l) files, $(du -sh --apparent-size "corpus/$target" | cut -f1)"
}

cmd_tmin() {
  local target=${1:?usage: fuzz.sh tmin TARGET FILE} file=${2:?usage: fuzz.sh tmin TARGET FILE}
  check_target "$target"
  case $file in /*) ;; *) file="$OLDPWD/$file" ;; esac
  cargo_fuzz tmin -O "$target" "$file" -- -timeout=5 -rss_limit_mb=2048
}

setup
case ${1:-all} in
  list) targets ;;
  cmin) shift; cmd_cmin "$@" ;;
  tmin) shift; cmd_tmin "$@" ;;
  *) cmd_run "$@" ;;
esac
