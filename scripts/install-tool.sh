#!/usr/bin/env bash
# Build objgraph-tool optimised and install it as /usr/local/bin/objgraph-tool (or $PREFIX/bin).
# Usage: scripts/install-tool.sh        (BAZEL_OUTPUT_BASE=... to pick the Bazel output base)
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
BAZEL=(bazel)
[ -n "${BAZEL_OUTPUT_BASE:-}" ] && BAZEL+=(--output_base="$BAZEL_OUTPUT_BASE")
"${BAZEL[@]}" build -c opt //tools:objgraph-tool
bin="$("${BAZEL[@]}" info -c opt bazel-bin)/tools/objgraph-tool"
SUDO=""
[ -w "$PREFIX/bin" ] || [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO install -d "$PREFIX/bin"
# install unlinks the old file before writing the new one: a running copy is not disturbed.
$SUDO install -m 0755 "$bin" "$PREFIX/bin/objgraph-tool"
echo "installed $PREFIX/bin/objgraph-tool"
