#!/usr/bin/env bash
# Whole-process benchmarks of the static release binary, against a bare process spawn
# measured in the same run (the targets are ratios, so a busy or slow machine moves both):
#
#   bash scripts/bench.sh [OLD_BINARY] [ROUNDS]
#
# Prints, for each case: callgrind's instruction count (independent of machine noise),
# the median wall time, and the median of pairwise ratios (each round runs every command
# once, in turn, so drift hits all alike). With OLD_BINARY (an earlier qspgb, e.g. built in
# a worktree), the same for it, side by side. Then the per-database slope of the large
# cases, and the peak memory of the default render. Results go into BENCHMARKS.md by hand,
# with the machine. No test asserts a time: this is the measure.
#
# Targets (issue 17): default render <= 4x the bare spawn; the example-customization and
# production examples <= 5x; 1,000 databases + 1,000 users <= 10 ms and linear; lint and
# hooks (up to the first API request) <= 1.5x render on the same input.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:-}; rounds=${2:-200}
[ -z "$old" ] || old=$(realpath "$old")
command -v valgrind >/dev/null || {
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq valgrind
}

cargo build --release --locked
# .cargo/config.toml builds for an explicit target (static linking); take the newest binary
# (CARGO_TARGET_DIR may name another build directory, such as the one scripts/test.sh uses).
target=${CARGO_TARGET_DIR:-target}
new=$(realpath "$(ls -t "$target"/*/release/qspgb "$target"/release/qspgb 2>/dev/null | head -n 1)")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# N databases and N users in the rendered userlist (the large case of earlier releases is
# N = 1,000).
for n in 10 100 1000 10000; do
  {
    printf 'pgbouncerPharia:\n  hooks:\n    enabled: false\n  config:\n    existingUserlistSecret: ""\n    existingAdminSecret: ""\n    adminPassword: secret\n    databases:\n'
    for ((i = 0; i < n; i++)); do printf '      db%d: {host: cluster-pharia-rw, port: 5432, dbname: db%d}\n' "$i" "$i"; done
    printf '    userlist:\n'
    for ((i = 0; i < n; i++)); do printf '      user%d: SCRAM-SHA-256$4096:salt%d$key:server\n' "$i" "$i"; done
  } >"$work/dbs-$n.yaml"
done
# `hooks` is measured up to its first API request: the kubeconfig names a context it does
# not have, so the run ends (exit 4, the API class) when it connects, after the values are
# loaded, the chart rendered and the targets known, with no network wait in the measure.
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
  "render -f $work/dbs-10.yaml"
  "render -f $work/dbs-100.yaml"
  "render -f $work/dbs-1000.yaml"
  "render -f $work/dbs-10000.yaml"
)
binaries=("$new"); [ -z "$old" ] || binaries=("$old" "$new")

echo "machine: $(nproc) CPUs, $(awk '/model name/{$1=$2=$3=""; print; exit}' /proc/cpuinfo | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg)"
for bin in "${binaries[@]}"; do echo "binary: $bin ($("$bin" version | head -n 1))"; done

instructions() { # BINARY ARGS...: instructions of one run, in millions
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" >/dev/null 2>"$work/vg" || true
  awk '/refs:/{gsub(",", "", $NF); printf "%.2f", $NF / 1e6}' "$work/vg"
}
for bin in "${binaries[@]}"; do
  for args in "${cases[@]}"; do
    read -ra words <<< "$args"
    printf '%s\t%s\t%s\n' "$bin" "$args" "$(instructions "$bin" "${words[@]}")"
  done
done > "$work/instructions.tsv"

python3 - "$rounds" "$work" "${binaries[@]}" -- "${cases[@]}" <<'PY'
import os, statistics, sys, time
rounds = int(sys.argv[1]); work = sys.argv[2]
split = sys.argv.index("--")
binaries = sys.argv[3:split]; cases = sys.argv[split + 1:]
short = lambda case: case.replace(work + "/", "")
ins = {}
for line in open(f"{work}/instructions.tsv"):
    b, c, n = line.rstrip("\n").split("\t")
    ins[(b, c)] = n

def run(argv):
    null = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status = os.waitpid(pid, 0)
    took = (time.perf_counter_ns() - start) / 1e6
    os.close(null)
    code = os.waitstatus_to_exitcode(status)
    # hooks ends where it would connect, with the API class (4), by design of the case.
    if code not in (0, 4):
        sys.exit(f"{' '.join(argv)} exited {code}")
    return took

commands = [("bare spawn", ["/bin/true"])]
for b in binaries:
    for c in cases:
        commands.append(((b, c), [b] + c.split()))
times = {key: [] for key, _ in commands}
ratios = {key: [] for key, _ in commands}
for _ in range(10):  # warm-up: page cache, CPU frequency
    for _, argv in commands:
        run(argv)
for _ in range(rounds):
    took = {key: run(argv) for key, argv in commands}
    for key in took:
        times[key].append(took[key])
        ratios[key].append(took[key] / took["bare spawn"])
med = lambda xs: statistics.median(xs)
print(f"\n{rounds} rounds; bare spawn (/bin/true): median {med(times['bare spawn']):.2f} ms\n")
label = lambda b: "old" if len(binaries) == 2 and b == binaries[0] else "new"
header = "| case |" + "".join(f" {label(b)} M instr | {label(b)} median ms | {label(b)} x spawn |" for b in binaries)
print(header)
print("|---|" + "---:|---:|---:|" * len(binaries))
for c in cases:
    row = f"| `qspgb {short(c)}` |"
    for b in binaries:
        row += f" {ins[(b, c)]} | {med(times[(b, c)]):.2f} | {med(ratios[(b, c)]):.2f} |"
    print(row)

print("\nlint and hooks against render on the same input (median of pairwise ratios):")
prod = "render -f values/examples/production.yaml"
for b in binaries:
    for c in cases:
        if c.split()[0] in ("lint", "hooks"):
            pair = [x / y for x, y in zip(times[(b, c)], times[(b, prod)])]
            print(f"  {label(b)}: {c.split()[0]} / render = {med(pair):.2f}")

print("\nN databases + N users: median ms (least-squares slope over N, per database):")
for b in binaries:
    points = [(int(c.rsplit('-', 1)[1].split('.')[0]), med(times[(b, c)])) for c in cases if "/dbs-" in c]
    xs = [p[0] for p in points]; ys = [p[1] for p in points]
    mx = sum(xs) / len(xs); my = sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    steps = ", ".join(f"{x}: {y:.2f}" for x, y in points)
    print(f"  {label(b)}: {steps}; slope {slope * 1000:.2f} us per database")
PY

echo
echo "peak memory of the default render (maximum resident set, median of 21 runs):"
for bin in "${binaries[@]}"; do
  for _ in $(seq 21); do /usr/bin/time -f %M "$bin" render 2>&1 >/dev/null | tail -n 1; done |
    sort -n | awk -v b="$bin" '{a[NR]=$1} END{printf "  %s: %d KiB\n", b, a[int((NR+1)/2)]}'
done
