#!/usr/bin/env bash
# Compares two qspgb binaries on the same inputs, in one run: callgrind instruction counts
# (independent of machine noise) and whole-process wall time measured pairwise (the two
# binaries alternate, so drift on a shared machine hits both alike). For BENCHMARKS.md.
#
#   bash scripts/bench-compare.sh OLD_BINARY NEW_BINARY [PAIRS]
#
# Build the old binary from a worktree, e.g.
#   git worktree add /tmp/qspgb-old v0.5.0-commit && (cd /tmp/qspgb-old && cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY [PAIRS]" >&2; exit 2; }
old=$(realpath "$1"); new=$(realpath "$2"); pairs=${3:-300}
command -v valgrind >/dev/null || {
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq valgrind
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `lint` renders and checks everything once; `hooks` is measured up to its first API
# request: the kubeconfig names a context it does not have, so the run ends (exit 4, the
# API class) when it connects, after the values are loaded, the chart rendered and the
# targets known, with no network wait in the measure.
cat > "$work/kubeconfig" <<'KUBECONFIG'
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: qs}}]
current-context: absent
KUBECONFIG
cases=(
  "render"
  "render -f values/examples/example-customization.yaml"
  "render -f values/examples/production.yaml"
  "lint -f values/examples/production.yaml"
  "hooks --kubeconfig $work/kubeconfig -f values/examples/production.yaml"
)
instructions() { # BINARY ARGS...: instructions of one run, in millions
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" >/dev/null 2>"$work/vg"
  awk '/refs:/{gsub(",", "", $NF); printf "%.2f", $NF / 1e6}' "$work/vg"
}
echo "machine: $(nproc) CPUs, $(awk '/model name/{$1=$2=$3=""; print; exit}' /proc/cpuinfo), load $(cut -d' ' -f1 /proc/loadavg)"
printf '| case | old (M instructions) | new | change | old median ms | new median ms | median of pairwise ratios |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for args in "${cases[@]}"; do
  read -ra words <<< "$args" # the case is a list of words
  a=$(instructions "$old" "${words[@]}"); b=$(instructions "$new" "${words[@]}")
  wall=$(python3 - "$pairs" "$old $args" "$new $args" <<'PY'
import os, statistics, sys, time
pairs = int(sys.argv[1]); old = sys.argv[2].split(); new = sys.argv[3].split()
def run(argv):
    null = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status = os.waitpid(pid, 0)
    took = (time.perf_counter_ns() - start) / 1e6
    os.close(null)
    # hooks ends where it would connect, with the API class (4), by design of the case.
    expected = 4 if argv[1] == "hooks" else 0
    if os.waitstatus_to_exitcode(status) != expected:
        sys.exit(f"{' '.join(argv)}: exit status {status}")
    return took
for _ in range(20):
    run(old); run(new)
olds, news, ratios = [], [], []
for i in range(pairs):
    # Alternate which goes first, so neither always runs on a warmer cache.
    if i % 2:
        o = run(old); n = run(new)
    else:
        n = run(new); o = run(old)
    olds.append(o); news.append(n); ratios.append(n / o)
print(f"{statistics.median(olds):.2f} | {statistics.median(news):.2f} | {statistics.median(ratios):.3f}")
PY
)
  change=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%+.1f %%", (b / a - 1) * 100}')
  # shellcheck disable=SC2016 # the backquotes are Markdown
  printf '| `qspgb %s` | %s | %s | %s | %s |\n' "${args/$work\//}" "$a" "$b" "$change" "$wall"
done
