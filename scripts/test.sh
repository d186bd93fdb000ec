#!/usr/bin/env bash
# Every test of the project: the README's test command, and what .ci/run calls.
#   scripts/test.sh            all stages
#   OG_STAGES="bazel asan" scripts/test.sh   only some stages
# Stages: bazel (all Bazel tests), asan, ubsan (engine, snapshot, FFI and CLI tests under each), valgrind
# and tsan (engine, snapshot and libffi tests; TSan for the builder's and the loader's helper threads),
# python (pip install . + pytest + objgraph's own test suite),
# pydebug (the pytest suite under Debian's python3-dbg, with sys.gettotalrefcount() leak checks),
# pyothers (the pytest suite under every other CPython 3.9+ found: pyenv, python3.X on PATH),
# protobuf (snapshots read by the official Python protobuf runtime), fuzz (a one-minute libFuzzer run of
# the snapshot decoder).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

BAZEL=(bazel)
[ -n "${OG_BAZEL_OUTPUT_BASE:-}" ] && BAZEL+=(--output_base="$OG_BAZEL_OUTPUT_BASE")
STAGES=${OG_STAGES:-"bazel asan ubsan valgrind tsan python pydebug pyothers protobuf fuzz"}
passed=0; failed=0; failures=()

stage() { # name, command...
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then passed=$((passed + 1)); echo "=== $name: ok"
  else failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED"; fi
}

# The C tests: every test there but the Python-driven ones (valgrind would run CPython itself, and
# TSan cannot watch a process whose executable it did not build).
sanitizer_tests() {
  local set='//tests/engine/... + //tests/snapshot/... + //tests/ffi:ffi_test + //tests/headers/...'
  [ "$1" != valgrind ] && [ "$1" != tsan ] && set="$set + //tests/ffi/... + //tests/cli/..."
  "${BAZEL[@]}" query "tests($set)" 2>/dev/null
}

for s in $STAGES; do
  case $s in
    bazel) stage "bazel test //..." "${BAZEL[@]}" test //... ;;
    asan|ubsan|valgrind|tsan)
      stage "C tests --config=$s" "${BAZEL[@]}" test --config="$s" $(sanitizer_tests "$s") ;;
    python)
      if [ -x tests/python/run.sh ]; then stage "python" bash tests/python/run.sh
      else echo "=== python: no tests/python/run.sh yet"; fi ;;
    pydebug) stage "python (debug interpreter)" bash tests/python/run_debug.sh ;;
    pyothers) stage "python (other CPythons)" bash tests/python/run_others.sh ;;
    protobuf)
      stage "protobuf reader" env OG_BAZEL_OUTPUT_BASE="${OG_BAZEL_OUTPUT_BASE:-}" \
        python3 -m pytest -q -p no:cacheprovider tests/snapshot ;;
    fuzz)
      if [ -x fuzz/run.sh ]; then stage "fuzz (60 s)" bash fuzz/run.sh "${OG_FUZZ_SECONDS:-60}"
      else echo "=== fuzz: no fuzz/run.sh yet"; fi ;;
    *) echo "unknown stage $s"; failed=$((failed + 1)); failures+=("$s") ;;
  esac
done

echo
[ ${#failures[@]} -gt 0 ] && echo "failed stages: ${failures[*]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
