#!/bin/bash
# libog.so exports exactly the public API: every OG_EXTERN function of engine/include/og/*.h is a
# defined dynamic symbol, and every dynamic symbol it defines is such a function (og_ followed by
# a letter or digit; og__ helpers and the og__v1__ protobuf-c code stay local).
# Usage: exports_test.sh path/to/libog.so path/to/og_api.txt
set -euo pipefail
lib=$1
api=$2
fail=0

defined=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | LC_ALL=C sort -u)
undefined=$(nm -D --undefined-only "$lib" | awk '{print $NF}' | sed 's/@.*//')

bad=$(grep -v -E '^og_[a-z0-9][a-z0-9_]*$' <<<"$defined" || true)
if [[ -n "$bad" ]]; then
  echo "FAIL: libog.so exports symbols outside the og_ API:"; echo "$bad"; fail=1
fi
missing=$(LC_ALL=C comm -23 "$api" <(echo "$defined"))
if [[ -n "$missing" ]]; then
  echo "FAIL: declared OG_EXTERN in a public header but not exported (not implemented?):"
  echo "$missing"; fail=1
fi
extra=$(LC_ALL=C comm -13 "$api" <(echo "$defined"))
if [[ -n "$extra" ]]; then
  echo "FAIL: exported but declared in no public header:"; echo "$extra"; fail=1
fi
undef_og=$(grep -E '^og_' <<<"$undefined" || true)
if [[ -n "$undef_og" ]]; then
  echo "FAIL: libog.so needs og_ symbols it does not define:"; echo "$undef_og"; fail=1
fi
# A handful the bindings rely on, so an empty header scan cannot pass vacuously.
for s in og_version og_error_last og_snapshot_load og_snapshot_save og_graph_free og_graph_walker \
         og_stats_compute og_stats_row_get og_search_chain og_search_paths og_emit_subgraph \
         og_builder_new og_builder_finish og_indices_data; do
  grep -qx "$s" <<<"$defined" || { echo "FAIL: $s is not exported"; fail=1; }
done
echo "libog.so: $(wc -l <<<"$defined") exported symbols, $(wc -l <"$api") declared OG_EXTERN functions"
exit $fail
