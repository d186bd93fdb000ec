#!/usr/bin/env bash
# The Python stage of scripts/test.sh: install the package from the repository root with pip
# (building objgraph._core from engine/src + bindings/python/src), then run our pytest suite and
# objgraph 3.6.2's own test suite against the installed package.
#   tests/python/run.sh [python]
set -euo pipefail
PY=${1:-python3}
cd "$(dirname "$0")/../.."
"$PY" -m pip install --quiet --no-deps --force-reinstall . 2>&1 | grep -v "Running pip as the 'root' user" || true
"$PY" -c 'import objgraph, sys; assert hasattr(objgraph, "_core"); print("installed:", objgraph.__file__)' \
  </dev/null
export OG_TEST_INSTALLED=1 # conftest.py and run_upstream.sh: test the installed package
bash tests/python/run_upstream.sh "$PY" # also caches the sdist the comparison tests read
(cd /tmp && "$PY" -m pytest -q -p no:cacheprovider "$OLDPWD/tests/python")
