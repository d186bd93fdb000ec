#!/bin/sh
# Regenerate the seed corpus fuzz/corpus/ from the snapshot bench (tiny synthetic heaps) plus
# hand-made edge cases. Usage: fuzz/make_corpus.sh [path/to/snapshot_bench]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${1:-}
if [ -z "$BENCH" ]; then
  (cd "$ROOT" && bazel build -c opt //bench:snapshot_bench >/dev/null 2>&1)
  BENCH="$ROOT/bazel-bin/bench/snapshot_bench"
fi
OUT="$ROOT/fuzz/corpus"
rm -rf "$OUT" && mkdir -p "$OUT"
gen() { "$BENCH" --nodes "$1" --chunk "$2" --keep --out "$OUT/$3" >/dev/null; }
gen 0 0 empty-graph.ogsnap
gen 1 0 one-node.ogsnap
gen 5 2 five-nodes-chunks-of-2.ogsnap
gen 40 7 forty-nodes-chunks-of-7.ogsnap
gen 300 0 three-hundred-nodes.ogsnap
gen 1000 400 thousand-nodes-chunks-of-400.ogsnap
# chunks in encodings that only protobuf-c's path reads (the engine's own decoder declines them)
python3 "$ROOT/fuzz/recode_chunks.py" unpacked "$OUT/forty-nodes-chunks-of-7.ogsnap" \
    "$OUT/forty-nodes-unpacked-columns.ogsnap"
python3 "$ROOT/fuzz/recode_chunks.py" reversed "$OUT/forty-nodes-chunks-of-7.ogsnap" \
    "$OUT/forty-nodes-reversed-fields.ogsnap"
# varints of 1 to 10 bytes in long columns, which the engine's decoder takes (sixteen at a time
# with AVX-512, and one by one those of 5 bytes or more)
python3 "$ROOT/fuzz/recode_chunks.py" stretched "$OUT/three-hundred-nodes.ogsnap" \
    "$OUT/three-hundred-nodes-stretched-varints.ogsnap"
: > "$OUT/empty-file"
printf 'OGSNAP1\n' > "$OUT/magic-only"
head -c 60 "$OUT/five-nodes-chunks-of-2.ogsnap" > "$OUT/truncated"
{ cat "$OUT/one-node.ogsnap"; printf 'xx'; } > "$OUT/trailing-bytes"
printf 'OGSNAP1\n\377\377\377\377\017' > "$OUT/huge-length"
ls -l "$OUT"
