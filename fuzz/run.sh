#!/bin/sh
# Build the snapshot-reader fuzzer with clang (libFuzzer + ASan + UBSan, outside Bazel) and run it.
#
#   fuzz/run.sh [SECONDS]        default 60; the test command runs `fuzz/run.sh 60`
#
# A longer run, on all cores, keeping what it finds in fuzz/build/corpus:
#   fuzz/run.sh 0 && fuzz/build/snapshot_fuzz -max_total_time=3600 -jobs=$(nproc) \
#       -workers=$(nproc) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
#       -artifact_prefix=fuzz/build/ fuzz/build/corpus fuzz/corpus fuzz/regressions
# (SECONDS = 0 only builds.) A crash leaves fuzz/build/crash-* and exits non-zero; reproduce it
# with `fuzz/build/snapshot_fuzz fuzz/build/crash-...`. The seed corpus fuzz/corpus/ holds tiny
# valid snapshots and edge cases; regenerate it with fuzz/make_corpus.sh. fuzz/regressions/ keeps
# inputs that once failed (named for what they hold), run as seeds too.
set -eu
SECONDS_TO_RUN=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${OG_FUZZ_BUILD:-$ROOT/fuzz/build}
CC=${CC:-clang}
mkdir -p "$BUILD/corpus"

protoc-c --proto_path="$ROOT/proto" --c_out="$BUILD" "$ROOT/proto/og/v1/snapshot.proto"
# Every engine source: the snapshot codec needs the builder, graph, strings, errors...
$CC -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$ROOT/engine/include" -I"$ROOT/engine/src" -I"$BUILD" \
    "$ROOT"/engine/src/*.c "$BUILD/og/v1/snapshot.pb-c.c" "$ROOT/fuzz/snapshot_fuzz.c" \
    -lprotobuf-c -lm -pthread -o "$BUILD/snapshot_fuzz"
echo "built $BUILD/snapshot_fuzz"
[ "$SECONDS_TO_RUN" -gt 0 ] || exit 0

exec "$BUILD/snapshot_fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$BUILD/" \
    "$BUILD/corpus" "$ROOT/fuzz/corpus" "$ROOT/fuzz/regressions"
