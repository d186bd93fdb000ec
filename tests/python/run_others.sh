#!/usr/bin/env bash
# The Python suite under every other CPython 3.9+ found here (pyenv's versions, python3.X on PATH),
# one per minor version, besides the python3 the "python" stage uses: the adapter's version guards
# (3.12+ gc walk and numbering, immortal objects, the 3.13 frame-locals proxy) run for real. Each
# build goes to a temporary directory; setuptools and pytest come from pip when missing.
# Finding no other interpreter is not a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
minor() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }

declare -A seen
seen[$(minor python3)]=1 # the "python" stage's own
cands=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3)
for v in 9 10 11 12 13 14; do
  p=$(command -v "python3.$v" 2>/dev/null) && cands+=("$p")
done

fail=0; ran=()
for py in "${cands[@]}"; do
  [ -x "$py" ] || continue
  v=$(minor "$py") || continue
  case $v in 3.9|3.1[0-9]) ;; *) continue ;; esac
  [ -n "${seen[$v]:-}" ] && continue
  seen[$v]=1
  echo "--- CPython $v ($py)"
  "$py" -c 'import setuptools, pytest' 2>/dev/null ||
    "$py" -m pip install -q setuptools pytest 2>&1 | grep -v "Running pip as the 'root' user"
  out=$(mktemp -d /tmp/og-py$v.XXXXXX)
  if "$py" setup.py -q build_ext --build-lib "$out/lib" --build-temp "$out/tmp" >"$out/build.log" 2>&1 &&
     cp bindings/python/objgraph/*.py "$out/lib/objgraph/" &&
     (cd /tmp && OG_TEST_INSTALLED=1 PYTHONPATH="$out/lib" "$py" -m pytest -q -p no:cacheprovider \
        "$ROOT/tests/python"); then
    ran+=("$v ok")
  else
    [ -s "$out/build.log" ] && tail -20 "$out/build.log"
    ran+=("$v FAILED"); fail=1
  fi
  rm -rf "$out"
done
[ ${#ran[@]} -eq 0 ] && echo "run_others: no other CPython 3.9+ found, nothing to run"
[ ${#ran[@]} -gt 0 ] && echo "run_others: ${ran[*]}"
exit $fail
