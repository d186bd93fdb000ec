#!/usr/bin/env bash
# The Python suite under Debian's debug interpreter (python3-dbg): its own assertions run, and
# sys.gettotalrefcount() makes the reference-leak test real. Builds objgraph._core for it into a
# temporary directory (setuptools and pytest from Debian: python3-setuptools, python3-pytest).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3-dbg
if [ ! -x "$PY" ]; then echo "run_debug: no $PY, skipped"; exit 0; fi
out=$(mktemp -d /tmp/og-dbg.XXXXXX)
trap 'rm -rf "$out"' EXIT
"$PY" setup.py -q build_ext --build-lib "$out/lib" --build-temp "$out/tmp" >/dev/null
cp bindings/python/objgraph/*.py "$out/lib/objgraph/"
cd /tmp
OG_TEST_INSTALLED=1 PYTHONPATH="$out/lib" "$PY" -m pytest -q -p no:cacheprovider "$OLDPWD/tests/python"
