#!/usr/bin/env bash
# Benchmark of `qspgb hooks` against the real kube-apiserver (scripts/kube-apiserver.sh):
# wall time (hyperfine) and API requests per instance, for 2 instances x 50 roles and for
# one instance with 1,000 roles; the steady state (nothing to write) and the first run
# (both Secrets created, workload restarted). Results go into BENCHMARKS.md by hand.
#
#   bash scripts/bench-hooks.sh
#
# Uses the running server of $KAE2E_RUN_DIR if there is one, else starts (and stops) its own.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || {
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq hyperfine
}
bash scripts/kube-apiserver.sh install
bash scripts/kube-apiserver.sh build
if [[ -z "${KAE2E_RUN_DIR:-}" ]] || ! KAE2E_RUN_DIR="$KAE2E_RUN_DIR" bash scripts/kube-apiserver.sh status | grep -q 'readyz: ok'; then
  export KAE2E_RUN_DIR="/tmp/qspgb-bench-$$"
  trap 'bash scripts/kube-apiserver.sh stop' EXIT
  bash scripts/kube-apiserver.sh start >/dev/null
fi
eval "$(bash scripts/kube-apiserver.sh env)"
k="$KAE2E_KUBECTL"

cargo build --release --locked
bin=$(ls -t target/*/release/qspgb target/release/qspgb 2>/dev/null | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"; [[ "$KAE2E_RUN_DIR" == /tmp/qspgb-bench-* ]] && bash scripts/kube-apiserver.sh stop' EXIT

# N source Secrets of CLUSTER in NAMESPACE, role0..role(N-2) plus the admin role pgbouncer.
sources() {
  local ns="$1" cluster="$2" n="$3" i
  for i in $(seq 0 $((n - 1))); do
    local user="role$i"; [[ $i -eq 0 ]] && user=pgbouncer
    printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-%s\n  labels:\n    app.kubernetes.io/name: qs-postgresql-cluster\n    qs-postgresql-cluster/name: %s\nstringData:\n  username: %s\n  password: SCRAM-SHA-256$4096:salt%s$storedkey%s:serverkey%s\n' \
      "$cluster" "$i" "$cluster" "$user" "$i" "$i" "$i"
  done > "$work/$ns-$cluster.yaml"
  "$k" -n "$ns" apply -f "$work/$ns-$cluster.yaml" >/dev/null
}

setup() {  # NAMESPACE ROLES-PER-INSTANCE INSTANCES...
  local ns="$1" n="$2"; shift 2
  "$k" create namespace "$ns" >/dev/null
  local inst
  for inst in "$@"; do sources "$ns" "cluster-$inst" "$n"; done
  "$bin" render qs-pgbouncer -n "$ns" -s 'charts/*/templates/deployment.yaml' | "$k" -n "$ns" apply -f - >/dev/null
}

ns2="bench-2x50-$$"; ns1k="bench-1000-$$"
setup "$ns2" 50 pharia temporal
setup "$ns1k" 1000 pharia

echo "== API requests per run (from qspgb's summary)"
for label in "2x50 first run:$ns2:" "2x50 steady:$ns2:" "1000 first run:$ns1k:--instance=pharia" "1000 steady:$ns1k:--instance=pharia"; do
  IFS=: read -r name ns extra <<<"$label"
  echo "-- $name"
  "$bin" hooks qs-pgbouncer -n "$ns" $extra | grep -E '^[a-zA-Z]|API requests|restart'
done

del2="$k -n $ns2 delete secret pgbouncer-pharia-userlist pgbouncer-pharia-admin pgbouncer-temporal-userlist pgbouncer-temporal-admin"
del1k="$k -n $ns1k delete secret pgbouncer-pharia-userlist pgbouncer-pharia-admin"
hyperfine --warmup 3 --runs 30 -N --export-markdown "$work/steady.md" --export-json "$work/steady.json" \
  -n "2 x 50 roles, steady state" "$bin hooks qs-pgbouncer -n $ns2" \
  -n "1,000 roles, steady state" "$bin hooks qs-pgbouncer -n $ns1k --instance pharia"
hyperfine --runs 20 --prepare "$del2" --export-markdown "$work/first2.md" --export-json "$work/first2.json" \
  -n "2 x 50 roles, first run (4 creates)" "$bin hooks qs-pgbouncer -n $ns2"
hyperfine --runs 20 --prepare "$del1k" --export-markdown "$work/first1k.md" --export-json "$work/first1k.json" \
  -n "1,000 roles, first run (2 creates)" "$bin hooks qs-pgbouncer -n $ns1k --instance pharia"
cat "$work"/steady.md "$work"/first2.md "$work"/first1k.md
python3 - "$work"/steady.json "$work"/first2.json "$work"/first1k.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        print(f"median {r['median']*1000:7.2f} ms  mean {r['mean']*1000:7.2f} ms  min {r['min']*1000:7.2f} ms  max {r['max']*1000:7.2f} ms  {r['command']}")
PY
