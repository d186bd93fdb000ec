/* Prints the size and field offsets of every struct bindings/ctypes/og_ctypes.py mirrors, as
 * "struct size N" and "struct.field N" lines, for test_ctypes.py to compare with its ctypes
 * Structures. A test helper only: og_ctypes itself needs nothing compiled. */
#include <stddef.h>
#include <stdio.h>

#include "og/og.h"

#define SIZE(T) printf(#T " size %zu\n", sizeof(T))
#define FIELD(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void) {
  SIZE(og_node_info);
  FIELD(og_node_info, id);
  FIELD(og_node_info, type);
  FIELD(og_node_info, flags);
  FIELD(og_node_info, size);
  FIELD(og_node_info, refcount);
  FIELD(og_node_info, label);
  SIZE(og_stats_row);
  FIELD(og_stats_row, name);
  FIELD(og_stats_row, name_len);
  FIELD(og_stats_row, count);
  FIELD(og_stats_row, size);
  SIZE(og_walker);
  FIELD(og_walker, version);
  FIELD(og_walker, ctx);
  FIELD(og_walker, neighbors);
  FIELD(og_walker, node_count);
  SIZE(og_search_options);
  FIELD(og_search_options, version);
  FIELD(og_search_options, dir);
  FIELD(og_search_options, max_depth);
  FIELD(og_search_options, ignore);
  FIELD(og_search_options, ignore_count);
  FIELD(og_search_options, ignore_fn);
  FIELD(og_search_options, ignore_payload);
  FIELD(og_search_options, alloc);
  SIZE(og_flags_pred);
  FIELD(og_flags_pred, graph);
  FIELD(og_flags_pred, mask);
  FIELD(og_flags_pred, value);
  SIZE(og_path_info);
  FIELD(og_path_info, nodes);
  FIELD(og_path_info, length);
  FIELD(og_path_info, kinds);
  FIELD(og_path_info, labels);
  printf("OG_SEARCH_OPTIONS_VERSION %d\n", OG_SEARCH_OPTIONS_VERSION);
  printf("OG_WALKER_VERSION %d\n", OG_WALKER_VERSION);
  return 0;
}
