#!/usr/bin/env bash
# The demo: objgraph's README leak hunt on our package, then the leak's chain rendered from a snapshot
# with objgraph-tool. Everything lands in ./demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
# (re)install the package when its sources changed since the last install
stamp=.demo-installed
if [ ! -f "$stamp" ] || [ -n "$(find pyproject.toml setup.py engine bindings/python -newer "$stamp" -type f 2>/dev/null | head -1)" ]; then
  "$PY" -m pip install -q . && touch "$stamp"
fi
if ! command -v objgraph-tool >/dev/null || [ -n "$(find tools engine -newer "$(command -v objgraph-tool)" -type f | head -1)" ]; then
  bash scripts/install-tool.sh
fi
rm -rf demo-output && mkdir demo-output && cd demo-output
"$PY" ../examples/leak_hunt.py
if [ -f leak.pb ]; then
  id=$(cat leaked-id.txt)
  echo "--- objgraph-tool info leak.pb"; objgraph-tool info leak.pb
  echo "--- objgraph-tool stats leak.pb --limit 5"; objgraph-tool stats leak.pb --limit 5
  echo "--- objgraph-tool chain leak.pb --id $id"; objgraph-tool chain leak.pb --id "$id"
  objgraph-tool render leak.pb --id "$id" --chain -o leak-chain.svg
  echo "rendered leak-chain.svg"
fi
echo "demo files in $(pwd):"; ls
