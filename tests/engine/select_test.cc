// Selection by type name, flags, predicate and ids; objgraph's get_leaking_objects.
#include <gtest/gtest.h>

#include <vector>

#include "algo_fixtures.h"
#include "og/og.h"

namespace {

using algo::GB;
using algo::Graph;
using algo::Vec;
using V = std::vector<og_index>;

struct List {
  og_indices *l = nullptr;
  ~List() { og_indices_free(l); }
};

// 0 dict, 1 a.Foo, 2 b.Foo, 3 dict, 4 a.Foo (flags: 1 and 4 are modules, 3 is gc-tracked)
og_graph *Mixed() {
  GB b;
  og_type dict = b.Type("dict", "builtins.dict"), fa = b.Type("Foo", "a.Foo"),
          fb = b.Type("Foo", "b.Foo");
  b.Node(10, dict);
  b.Node(11, fa, 0, OG_NODE_MODULE | OG_NODE_GC_TRACKED);
  b.Node(12, fb);
  b.Node(13, dict, 0, OG_NODE_GC_TRACKED);
  b.Node(14, fa, 0, OG_NODE_MODULE);
  return b.Finish();
}

TEST(Select, ByTypeUsesObjgraphsDotRule) {
  Graph g(Mixed());
  List l;
  ASSERT_EQ(OG_OK, og_select_by_type(&l.l, g.g, "Foo", 3, nullptr, OG_ALL_NODES));
  EXPECT_EQ(V({1, 2, 4}), Vec(l.l));
  og_indices_free(l.l);
  ASSERT_EQ(OG_OK, og_select_by_type(&l.l, g.g, "a.Foo", 5, nullptr, OG_ALL_NODES));
  EXPECT_EQ(V({1, 4}), Vec(l.l));
  og_indices_free(l.l);
  // a dotted name never matches a short name, an undotted one never a long name
  ASSERT_EQ(OG_OK, og_select_by_type(&l.l, g.g, "builtins.dict", 13, nullptr, OG_ALL_NODES));
  EXPECT_EQ(V({0, 3}), Vec(l.l));
  og_indices_free(l.l);
  l.l = nullptr;
  size_t n = 99;
  ASSERT_EQ(OG_OK, og_select_count_type(&n, g.g, "Fo", 2, nullptr, OG_ALL_NODES));
  EXPECT_EQ(0u, n);
  ASSERT_EQ(OG_OK, og_select_count_type(&n, g.g, "dict", 4, nullptr, OG_ALL_NODES));
  EXPECT_EQ(2u, n);
  og_index subset[] = {4, 3, 4, 0};
  ASSERT_EQ(OG_OK, og_select_count_type(&n, g.g, "a.Foo", 5, subset, 4));
  EXPECT_EQ(2u, n);
  ASSERT_EQ(OG_OK, og_select_by_type(&l.l, g.g, "a.Foo", 5, subset, 4));
  EXPECT_EQ(V({4, 4}), Vec(l.l));  // subset order and duplicates kept
  EXPECT_EQ(1, og_select_type_matches(g.g, 2, "b.Foo", 5));
  EXPECT_EQ(0, og_select_type_matches(g.g, 2, "a.Foo", 5));
  EXPECT_EQ(OG_EINVALID, og_select_type_matches(g.g, 5, "a.Foo", 5));
}

TEST(Select, FlagsAndPredicates) {
  Graph g(Mixed());
  List l;
  ASSERT_EQ(OG_OK, og_select_by_flags(&l.l, g.g, OG_NODE_MODULE, OG_NODE_MODULE, nullptr, OG_ALL_NODES));
  EXPECT_EQ(V({1, 4}), Vec(l.l));
  og_indices_free(l.l);
  ASSERT_EQ(OG_OK, og_select_by_flags(&l.l, g.g, OG_NODE_MODULE | OG_NODE_GC_TRACKED,
                                      OG_NODE_GC_TRACKED, nullptr, OG_ALL_NODES));
  EXPECT_EQ(V({3}), Vec(l.l));
  og_indices_free(l.l);
  og_flags_pred p = {g.g, OG_NODE_GC_TRACKED, OG_NODE_GC_TRACKED};
  ASSERT_EQ(OG_OK, og_select_where(&l.l, g.g, nullptr, OG_ALL_NODES, og_flags_pred_fn, &p));
  EXPECT_EQ(V({1, 3}), Vec(l.l));
  EXPECT_EQ(OG_EINVALID, og_flags_pred_fn(&p, 5));
  og_indices *bad = nullptr;
  auto abort = [](void *, og_index v) { return v == 2 ? static_cast<int>(OG_EUSER) : 1; };
  EXPECT_EQ(OG_EUSER, og_select_where(&bad, g.g, nullptr, OG_ALL_NODES, abort, nullptr));
  EXPECT_EQ(nullptr, bad);
}

TEST(Select, ByIdAndIds) {
  Graph g(Mixed());
  og_index v;
  ASSERT_EQ(OG_OK, og_select_by_id(&v, g.g, 13));
  EXPECT_EQ(3u, v);
  EXPECT_EQ(OG_ENOTFOUND, og_select_by_id(&v, g.g, 99));
  List l;
  og_id ids[] = {14, 99, 10, 14, 12};
  ASSERT_EQ(OG_OK, og_select_by_ids(&l.l, g.g, ids, 5));
  EXPECT_EQ(V({0, 2, 4}), Vec(l.l));  // index order, once each, unknown skipped
  og_indices_free(l.l);
  ASSERT_EQ(OG_OK, og_select_by_ids(&l.l, g.g, nullptr, 0));
  EXPECT_EQ(0u, og_indices_count(l.l));
  EXPECT_EQ(nullptr, og_indices_data(l.l));
}

// 0 -> 1, 1 -> 2, 3 -> 3 (self), 4 (container) -> 0, 4 -> 5, 6 untracked -> 5
og_graph *LeakGraph() {
  GB b;
  og_type t = b.Type("T", "m.T");
  for (int i = 0; i < 7; i++) b.Node(100 + i, t, 0, i == 6 ? 0 : OG_NODE_GC_TRACKED);
  b.Edge(0, 1);
  b.Edge(1, 2);
  b.Edge(3, 3);
  b.Edge(4, 0);
  b.Edge(4, 5);
  b.Edge(6, 5);
  return b.Finish();
}

TEST(Select, LeakingObjects) {
  Graph g(LeakGraph());
  List l;
  // all nodes: 4 and 6 have no referrer; 3 refers to itself
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, nullptr, OG_ALL_NODES, OG_INDEX_NONE, 0));
  EXPECT_EQ(V({4, 6}), Vec(l.l));
  og_indices_free(l.l);
  // the master-branch fix: candidates are checked against every node's referents, except the
  // container's, so 0 and 5 (held only by the container 4) are reported; 5 is also held by 6
  og_index cand[] = {5, 0, 2, 0};
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, cand, 4, 4, 0));
  EXPECT_EQ(V({0, 0}), Vec(l.l));
  og_indices_free(l.l);
  // only gc-tracked nodes count as referrers: 6 is not, so 5 is reported too
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, cand, 4, 4, OG_NODE_GC_TRACKED));
  EXPECT_EQ(V({5, 0, 0}), Vec(l.l));
  og_indices_free(l.l);
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, nullptr, 0, OG_INDEX_NONE, 0));
  EXPECT_EQ(0u, og_indices_count(l.l));
  og_indices *bad = nullptr;
  EXPECT_EQ(OG_EINVALID, og_select_leaking(&bad, g.g, nullptr, OG_ALL_NODES, 7, 0));
  EXPECT_NE(nullptr, strstr(og_error_last(), "container 7"));
}

// A weak reference keeps nothing alive: 1, held only weakly by 0, has no referrer; 2, held
// weakly and strongly, has one.
TEST(Select, WeakReferencesAreNotReferrers) {
  GB b;
  og_type t = b.Type("T", "m.T");
  for (int i = 0; i < 3; i++) b.Node(100 + i, t, 0, OG_NODE_GC_TRACKED);
  b.Edge(0, 1, OG_EDGE_WEAK);
  b.Edge(0, 2, OG_EDGE_WEAK);
  b.Edge(0, 2, OG_EDGE_ATTR);
  Graph g(b.Finish());
  List l;
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, nullptr, OG_ALL_NODES, OG_INDEX_NONE, 0));
  EXPECT_EQ(V({0, 1}), Vec(l.l));
}

TEST(Select, EmptyGraph) {
  Graph g(GB().Finish());
  List l;
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, nullptr, OG_ALL_NODES, OG_INDEX_NONE, 0));
  EXPECT_EQ(0u, og_indices_count(l.l));
  og_indices_free(l.l);
  ASSERT_EQ(OG_OK, og_select_by_type(&l.l, g.g, "x", 1, nullptr, OG_ALL_NODES));
  EXPECT_EQ(0u, og_indices_count(l.l));
}

TEST(Select, BadArguments) {
  Graph g(Mixed());
  og_indices *l = nullptr;
  size_t n;
  og_index bad[] = {5};
  EXPECT_EQ(OG_EINVALID, og_select_by_type(nullptr, g.g, "x", 1, nullptr, OG_ALL_NODES));
  EXPECT_EQ(OG_EINVALID, og_select_by_type(&l, nullptr, "x", 1, nullptr, OG_ALL_NODES));
  EXPECT_EQ(OG_EINVALID, og_select_by_type(&l, g.g, nullptr, 1, nullptr, OG_ALL_NODES));
  EXPECT_EQ(OG_EINVALID, og_select_by_type(&l, g.g, "x", 1, bad, 1));
  EXPECT_EQ(OG_EINVALID, og_select_count_type(&n, g.g, "x", 1, nullptr, 3));
  EXPECT_EQ(OG_EINVALID, og_select_by_flags(&l, g.g, 1, 1, bad, 1));
  EXPECT_EQ(OG_EINVALID, og_select_where(&l, g.g, nullptr, OG_ALL_NODES, nullptr, nullptr));
  EXPECT_EQ(OG_EINVALID, og_select_by_id(nullptr, g.g, 1));
  EXPECT_EQ(OG_EINVALID, og_select_by_ids(&l, g.g, nullptr, 2));
  EXPECT_EQ(OG_EINVALID, og_select_leaking(&l, g.g, bad, 1, OG_INDEX_NONE, 0));
  EXPECT_EQ(OG_EINVALID, og_select_leaking(nullptr, g.g, nullptr, OG_ALL_NODES, OG_INDEX_NONE, 0));
  EXPECT_EQ(nullptr, l);
  EXPECT_EQ(0u, og_indices_count(nullptr));
  og_indices_free(nullptr);
}

TEST(Select, AllocationFailures) {
  algo::CountingAlloc ca;
  GB b(&ca.a);
  og_type t = b.Type("T", "m.T"), u = b.Type("U", "m.U");
  for (int i = 0; i < 300; i++) b.Node(i + 1, i % 3 ? t : u);
  for (int i = 0; i + 1 < 300; i += 2) b.Edge(i, i + 1);
  Graph g(b.Finish());
  std::vector<og_id> ids;
  for (int i = 0; i < 300; i += 5) ids.push_back(i + 1);
  algo::FailEachAllocation(&ca, [&]() {
    og_indices *a = nullptr, *c = nullptr, *d = nullptr, *e = nullptr;
    int rc = og_select_by_type(&a, g.g, "T", 1, nullptr, OG_ALL_NODES);
    if (rc == OG_OK) rc = og_select_by_flags(&c, g.g, 0, 0, nullptr, OG_ALL_NODES);
    if (rc == OG_OK) rc = og_select_by_ids(&d, g.g, ids.data(), ids.size());
    if (rc == OG_OK) rc = og_select_leaking(&e, g.g, nullptr, OG_ALL_NODES, OG_INDEX_NONE, 0);
    if (rc == OG_OK && og_indices_count(e) != 150) rc = OG_ERROR;
    og_indices_free(a);
    og_indices_free(c);
    og_indices_free(d);
    og_indices_free(e);
    return rc;
  });
}

TEST(Select, MillionReferrersLinear) {
  const og_index n = algo::BigTests() ? 1000000 : 50000;
  GB b;
  og_type t = b.Type("T", "m.T");
  for (og_index i = 0; i <= n; i++) b.Node(i + 1, t);
  for (og_index i = 1; i <= n; i++) b.Edge(i, 0);  // node 0 has n referrers
  Graph g(b.Finish());
  List l;
  ASSERT_EQ(OG_OK, og_select_leaking(&l.l, g.g, nullptr, OG_ALL_NODES, OG_INDEX_NONE, 0));
  EXPECT_EQ(n, og_indices_count(l.l));
  EXPECT_EQ(1u, og_indices_data(l.l)[0]);
}

}  // namespace
