#!/usr/bin/env bash
# Run objgraph 3.6.2's own test suite (tests.py + docs/*.txt doctests) against our package.
#   tests/python/run_upstream.sh [python]
# Downloads the sdist once into a cache under /tmp (pip download), unpacks a fresh copy and puts
# our package beside its objgraph.py as a directory `objgraph/` (a symlink): a package directory
# wins over a module of the same name on the same sys.path entry, so `import objgraph` resolves
# to ours while upstream's setup.py doctest can still read objgraph.py for its version string.
# Exits non-zero on any failure. Our package is taken from an in-place build of this checkout
# (python setup.py build_ext --inplace) when there is one and OG_TEST_INSTALLED is unset, else
# from the installed package.
set -euo pipefail
PY=${1:-python3}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${OG_UPSTREAM_CACHE:-/tmp/objgraph-upstream-cache}
VER=3.6.2
mkdir -p "$CACHE"
SDIST="$CACHE/objgraph-$VER.tar.gz"
if [ ! -s "$SDIST" ]; then
  "$PY" -m pip download --quiet --no-deps --no-binary :all: "objgraph==$VER" -d "$CACHE"
fi
WORK=$(mktemp -d /tmp/objgraph-upstream-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
tar xzf "$SDIST" -C "$WORK"
cd "$WORK/objgraph-$VER"
if [ -z "${OG_TEST_INSTALLED:-}" ] && ls "$HERE"/bindings/python/objgraph/_core*.so >/dev/null 2>&1; then
  PKG="$HERE/bindings/python/objgraph"
else
  PKG=$(cd / && "$PY" -c 'import objgraph, os; print(os.path.dirname(objgraph.__file__))')
fi
ln -s "$PKG" objgraph
"$PY" - <<'PYEOF'
import objgraph, sys
assert hasattr(objgraph, '_core') and objgraph.__file__.endswith('__init__.py'), objgraph.__file__
print("testing", objgraph.__file__, "engine", objgraph._core.engine_version, file=sys.stderr)
PYEOF
"$PY" tests.py
