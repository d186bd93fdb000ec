// Shared fixtures for the algorithm tests (stats, select, diff, search): a terse graph builder
// and an allocator that counts live blocks and can fail the Nth allocation.
#ifndef OG_TESTS_ALGO_FIXTURES_H
#define OG_TESTS_ALGO_FIXTURES_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "og/og.h"
#include "test_alloc.h"

namespace algo {

using ogtest::CountingAlloc;
using ogtest::FailEachAllocation;

// Build a graph tersely; finish() hands it over (the caller frees it).
class GB {
 public:
  explicit GB(const og_allocator *a = nullptr) { EXPECT_EQ(OG_OK, og_builder_new(&b_, a)); }
  ~GB() { og_builder_free(b_); }
  og_type Type(const char *s, const char *l) {
    og_type t = OG_TYPE_NONE;
    EXPECT_EQ(OG_OK, og_builder_add_type(&t, b_, s, strlen(s), l, strlen(l)));
    return t;
  }
  og_str Str(const std::string &s) {
    og_str h = OG_STR_NONE;
    EXPECT_EQ(OG_OK, og_builder_intern(&h, b_, s.data(), s.size()));
    return h;
  }
  og_index Node(og_id id, og_type t, uint64_t size = 0, uint32_t flags = 0) {
    og_index v = OG_INDEX_NONE;
    EXPECT_EQ(OG_OK, og_builder_add_node(&v, b_, id, t, size, flags, 1, OG_STR_NONE));
    return v;
  }
  void Edge(og_index s, og_index d, og_edge_kind k = OG_EDGE_OTHER, uint32_t label = OG_STR_NONE) {
    EXPECT_EQ(OG_OK, og_builder_add_edge(b_, s, d, k, label));
  }
  og_graph *Finish() {
    og_graph *g = nullptr;
    EXPECT_EQ(OG_OK, og_builder_finish(&g, b_));
    return g;
  }
  og_builder *b() { return b_; }

 private:
  og_builder *b_ = nullptr;
};

// Owns a graph.
struct Graph {
  og_graph *g = nullptr;
  explicit Graph(og_graph *gr = nullptr) : g(gr) {}
  ~Graph() { og_graph_free(g); }
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;
};

inline std::vector<og_index> Vec(const og_indices *l) {
  const og_index *d = og_indices_data(l);
  return std::vector<og_index>(d, d + og_indices_count(l));
}

// A chain 0 -> 1 -> ... -> n-1 of one type (ids 1000 + i).
inline og_graph *Chain(og_index n, bool cycle = false) {
  GB b;
  og_type t = b.Type("Node", "m.Node");
  for (og_index i = 0; i < n; i++) b.Node(1000 + i, t, 16);
  for (og_index i = 0; i + 1 < n; i++) b.Edge(i, i + 1);
  if (cycle && n) b.Edge(n - 1, 0);
  return b.Finish();
}

// Whether the biggest adversarial graphs run (OG_BIG_TESTS=0 skips them, e.g. under valgrind).
inline bool BigTests() {
  const char *e = getenv("OG_BIG_TESTS");
  return !(e && strcmp(e, "0") == 0);
}

}  // namespace algo

#endif
