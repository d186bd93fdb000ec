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

namespace algo {

// Counts live blocks; fails the allocation when countdown reaches 0 (negative: never).
struct CountingAlloc {
  long countdown = -1;
  long live = 0;
  long calls = 0;
  og_allocator a{OG_ALLOCATOR_VERSION, &CountingAlloc::Fn, this};

  static void *Fn(void *ctx, void *ptr, size_t, size_t new_size) {
    auto *f = static_cast<CountingAlloc *>(ctx);
    if (new_size == 0) {
      if (ptr) f->live--;
      free(ptr);
      return nullptr;
    }
    f->calls++;
    if (f->countdown >= 0 && f->countdown-- == 0) return nullptr;
    void *p = realloc(ptr, new_size);
    if (p && !ptr) f->live++;
    return p;
  }
};

// Run op (returning an og_error, cleaning up after itself) failing each allocation in turn:
// every run must return OG_OK or OG_ENOMEM and leave the live count where it was.
template <typename Op>
void FailEachAllocation(CountingAlloc *ca, Op op) {
  long base_live = ca->live;
  ca->countdown = -1;
  long before = ca->calls;
  ASSERT_EQ(OG_OK, op());
  ASSERT_EQ(base_live, ca->live);
  long total = ca->calls - before;
  long failed = 0;
  for (long n = 0; n < total; n++) {
    ca->countdown = n;
    int rc = op();
    EXPECT_TRUE(rc == OG_ENOMEM || rc == OG_OK) << "failing allocation #" << n << ": " << rc;
    failed += rc == OG_ENOMEM;
    EXPECT_EQ(base_live, ca->live) << "leak after failing allocation #" << n;
  }
  ca->countdown = -1;
  EXPECT_GT(failed, 0);
}

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
