#!/usr/bin/env bash
# Benchmarks: in-process rendering (criterion) and whole-process time of the release binary
# (hyperfine, Debian package). Results go into BENCHMARKS.md by hand, with the machine.
#
#   bash scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || {
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq hyperfine
}

cargo build --release --locked
# .cargo/config.toml builds for an explicit target (static linking); take the newest binary.
bin=$(ls -t target/*/release/qspgb target/release/qspgb 2>/dev/null | head -n 1)
echo "binary: $bin ($(file -b "$bin" | cut -d, -f1-2,6))"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1,000 databases and 1,000 users in the rendered userlist.
{
  printf 'pgbouncerPharia:\n  hooks:\n    enabled: false\n  config:\n    existingUserlistSecret: ""\n    existingAdminSecret: ""\n    adminPassword: secret\n    databases:\n'
  for i in $(seq 0 999); do printf '      db%d: {host: cluster-pharia-rw, port: 5432, dbname: db%d}\n' "$i" "$i"; done
  printf '    userlist:\n'
  for i in $(seq 0 999); do printf '      user%d: SCRAM-SHA-256$4096:salt%d$key:server\n' "$i" "$i"; done
} >"$work/large.yaml"

hyperfine --warmup 30 --runs 500 -N \
  --export-markdown "$work/hyperfine.md" --export-json "$work/hyperfine.json" \
  "$bin render" \
  "$bin render -f values/examples/example-customization.yaml" \
  "$bin render -f $work/large.yaml"
cat "$work/hyperfine.md"
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median']*1000:6.2f} ms  mean {r['mean']*1000:6.2f} ms  min {r['min']*1000:6.2f} ms  {r['command']}")
PY

cargo bench --bench render --locked -- --noplot
