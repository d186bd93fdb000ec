#!/usr/bin/env bash
# Install what building and testing need, only when missing: quick when everything is present.
set -euo pipefail

DEBS=(bazel-bootstrap bazel-rules-java protobuf-c-compiler libprotobuf-c-dev protobuf-compiler
      libgraphviz-dev graphviz libgtest-dev googletest libffi-dev clang libclang-rt-14-dev valgrind
      xdot python3-dbg python3-pytest python3-setuptools rsync)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
PIPS=(pytest protobuf networkx setuptools wheel)
need=()
for m in "${PIPS[@]}"; do
  mod=$m; [ "$m" = protobuf ] && mod=google.protobuf
  "$PY" -c "import $mod" 2>/dev/null || need+=("$m")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Python packages: ${need[*]}"
  "$PY" -m pip install -q "${need[@]}"
fi
