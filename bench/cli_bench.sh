#!/usr/bin/env bash
# objgraph-tool on a 1M-object heap-shaped snapshot: wall time of stats, chain and render.
# Not a test (never gates anything). Usage: bench/cli_bench.sh [NODES]   (default 1000000)
# Env: BAZEL_OUTPUT_BASE=... to pick the Bazel output base; RUNS=N runs per command (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${RUNS:-5}
BAZEL=(bazel)
[ -n "${BAZEL_OUTPUT_BASE:-}" ] && BAZEL+=(--output_base="$BAZEL_OUTPUT_BASE")
"${BAZEL[@]}" build -c opt //tools:objgraph-tool //tests/cli:make_snapshot 2>/dev/null
BIN="$("${BAZEL[@]}" info -c opt bazel-bin 2>/dev/null)"
TOOL="$BIN/tools/objgraph-tool"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SNAP="$WORK/big.pb"

t0=$(date +%s.%N)
ids=$("$BIN/tests/cli/make_snapshot" big "$N" "$SNAP")
t1=$(date +%s.%N)
instance=$(echo "$ids" | awk '/^instance/ {print $2}')
leaf=$(echo "$ids" | awk '/^leaf/ {print $2}')
sys=$(echo "$ids" | awk '/^sys/ {print $2}')
nodes=$("$TOOL" info "$SNAP" | awk '/^nodes:/ {print $2}')
edges=$("$TOOL" info "$SNAP" | awk '/^edges:/ {print $2}')
printf 'snapshot: %s nodes, %s edges, %s bytes, made in %.2f s\n' "$nodes" "$edges" \
  "$(stat -c %s "$SNAP")" "$(echo "$t1 - $t0" | bc)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %8s %8s %8s\n' command best median user+sys max_rss_MB

# Runs a command RUNS times; prints best and median wall seconds, CPU and peak RSS of the best.
bench() {
  local name=$1; shift
  local walls=() best_cpu="" best_rss="" best=""
  for ((i = 0; i < RUNS; i++)); do
    local s e
    s=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || {
      echo "$name failed:"; cat "$WORK/err"; exit 1; }
    e=$(date +%s.%N)
    local w; w=$(echo "$e - $s" | bc)
    walls+=("$w")
    if [ -z "$best" ] || (( $(echo "$w < $best" | bc) )); then
      best=$w
      read -r u sy rss < "$WORK/time"
      best_cpu=$(echo "$u + $sy" | bc); best_rss=$((rss / 1024))
    fi
  done
  local median; median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '%-44s %8.3f %8.3f %8.2f %8d\n' "$name" "$best" "$median" "$best_cpu" "$best_rss"
}

bench "info" "$TOOL" info "$SNAP"
bench "stats" "$TOOL" stats "$SNAP"
bench "chain --id <str 5 refs from a module>" "$TOOL" chain "$SNAP" --id "$leaf"
bench "chain --paths 3" "$TOOL" chain "$SNAP" --id "$leaf" --paths 3
bench "render backrefs depth 3 (instance) svg" "$TOOL" render "$SNAP" --id "$instance" -o "$WORK/b.svg"
bench "render refs depth 3 (sys module) svg" "$TOOL" render "$SNAP" --id "$sys" --refs -o "$WORK/r.svg"
bench "render refs depth 3 (sys module) png" "$TOOL" render "$SNAP" --id "$sys" --refs -o "$WORK/r.png"
bench "render refs depth 4 (sys module) svg" "$TOOL" render "$SNAP" --id "$sys" --refs --max-depth 4 -o "$WORK/r4.svg"
bench "leaks" "$TOOL" leaks "$SNAP"
size() { "$TOOL" render "$SNAP" "$@" -o "$WORK/s.dot" | grep -o '[0-9]* nodes'; }
echo "drawn: backrefs depth 3 $(size --id "$instance"), refs depth 3 $(size --id "$sys" --refs)," \
  "refs depth 4 $(size --id "$sys" --refs --max-depth 4)"
