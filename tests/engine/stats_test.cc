// Type statistics: short/long names, first-appearance order, stable sorts, subsets, filters.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "algo_fixtures.h"
#include "og/og.h"

namespace {

using algo::GB;
using algo::Graph;

struct Stats {
  og_stats *s = nullptr;
  ~Stats() { og_stats_free(s); }
};

struct Row {
  std::string name;
  uint64_t count, size;
  bool operator==(const Row &o) const { return name == o.name && count == o.count && size == o.size; }
};
std::ostream &operator<<(std::ostream &os, const Row &r) {
  return os << "(" << r.name << "," << r.count << "," << r.size << ")";
}

std::vector<Row> Rows(const og_stats *s) {
  std::vector<Row> out;
  for (size_t i = 0; i < og_stats_count(s); i++) {
    og_stats_row r;
    EXPECT_EQ(OG_OK, og_stats_row_get(&r, s, i));
    out.push_back({std::string(r.name, r.name_len), r.count, r.size});
  }
  return out;
}

// dict(8) a.Foo(10) b.Foo(20) dict(8) a.Foo(10) list(100): short names lump a.Foo and b.Foo.
og_graph *Mixed() {
  GB b;
  og_type dict = b.Type("dict", "builtins.dict"), fa = b.Type("Foo", "a.Foo"),
          fb = b.Type("Foo", "b.Foo"), list = b.Type("list", "builtins.list");
  b.Node(1, dict, 8);
  b.Node(2, fa, 10);
  b.Node(3, fb, 20);
  b.Node(4, dict, 8);
  b.Node(5, fa, 10);
  b.Node(6, list, 100);
  return b.Finish();
}

TEST(Stats, ShortNamesLumpTypesSharingAName) {
  Graph g(Mixed());
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  std::vector<Row> want = {{"dict", 2, 16}, {"Foo", 3, 40}, {"list", 1, 100}};
  EXPECT_EQ(want, Rows(s.s));
  uint64_t c, z;
  ASSERT_EQ(OG_OK, og_stats_totals(&c, &z, s.s));
  EXPECT_EQ(6u, c);
  EXPECT_EQ(156u, z);
}

TEST(Stats, LongNamesKeepModules) {
  Graph g(Mixed());
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, nullptr, OG_ALL_NODES, 1, nullptr, nullptr));
  std::vector<Row> want = {
      {"builtins.dict", 2, 16}, {"a.Foo", 2, 20}, {"b.Foo", 1, 20}, {"builtins.list", 1, 100}};
  EXPECT_EQ(want, Rows(s.s));
  size_t row;
  ASSERT_EQ(OG_OK, og_stats_find(&row, s.s, "b.Foo", 5));
  EXPECT_EQ(2u, row);
  EXPECT_EQ(OG_ENOTFOUND, og_stats_find(&row, s.s, "Foo", 3));
}

TEST(Stats, MostCommonIsStableAndLimited) {
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_new(&s.s, nullptr));
  // typestats order: a:1 b:3 c:1 d:3 e:2 (sizes chosen to sort differently)
  const std::vector<std::pair<std::string, uint64_t>> rows = {{"a", 1}, {"b", 3}, {"c", 1}, {"d", 3}, {"e", 2}};
  uint64_t size = 50;
  for (auto &r : rows) ASSERT_EQ(OG_OK, og_stats_add(s.s, r.first.data(), r.first.size(), r.second, size -= 10));
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_BY_COUNT, 0));
  std::vector<Row> want = {{"b", 3, 30}, {"d", 3, 10}, {"e", 2, 0}, {"a", 1, 40}, {"c", 1, 20}};
  EXPECT_EQ(want, Rows(s.s));
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_BY_SIZE, 0));
  want = {{"a", 1, 40}, {"b", 3, 30}, {"c", 1, 20}, {"d", 3, 10}, {"e", 2, 0}};
  EXPECT_EQ(want, Rows(s.s));
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_BY_COUNT, 2));
  want = {{"b", 3, 30}, {"d", 3, 10}};
  EXPECT_EQ(want, Rows(s.s));
  size_t row;
  EXPECT_EQ(OG_ENOTFOUND, og_stats_find(&row, s.s, "e", 1));  // dropped for good
  // re-adding a dropped name appends a fresh row
  ASSERT_EQ(OG_OK, og_stats_add(s.s, "e", 1, 7, 1));
  ASSERT_EQ(OG_OK, og_stats_add(s.s, "b", 1, 1, 1));
  want = {{"b", 4, 31}, {"d", 3, 10}, {"e", 7, 1}};
  EXPECT_EQ(want, Rows(s.s));
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_BY_COUNT, 10));  // limit above the row count
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_FIRST_SEEN, 0));
  want = {{"b", 4, 31}, {"d", 3, 10}, {"e", 7, 1}};
  EXPECT_EQ(want, Rows(s.s));
}

TEST(Stats, NamesWithNulAndEmptyNames) {
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_new(&s.s, nullptr));
  ASSERT_EQ(OG_OK, og_stats_add(s.s, "a\0b", 3, 1, 0));
  ASSERT_EQ(OG_OK, og_stats_add(s.s, "a\0c", 3, 1, 0));
  ASSERT_EQ(OG_OK, og_stats_add(s.s, nullptr, 0, 1, 0));
  ASSERT_EQ(3u, og_stats_count(s.s));
  EXPECT_EQ(std::string("a\0c", 3), Rows(s.s)[1].name);
  EXPECT_EQ("", Rows(s.s)[2].name);
  for (int i = 0; i < 3000; i++) {  // rehashing keeps lookups right
    std::string n = "t" + std::to_string(i);
    ASSERT_EQ(OG_OK, og_stats_add(s.s, n.data(), n.size(), i, 0));
  }
  size_t row;
  ASSERT_EQ(OG_OK, og_stats_find(&row, s.s, "t2999", 5));
  EXPECT_EQ(3002u, row);
}

int KeepOddIds(void *payload, og_index v) {
  auto *g = static_cast<og_graph *>(payload);
  og_node_info info;
  if (og_graph_node(&info, g, v) != OG_OK) return OG_EINVALID;
  return info.id % 2;
}

int Abort(void *, og_index v) { return v == 3 ? OG_EUSER : 1; }

TEST(Stats, SubsetAndFilter) {
  Graph g(Mixed());
  Stats s;
  og_index subset[] = {5, 3, 1, 3};  // list, dict, Foo, dict (duplicates counted)
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, subset, 4, 0, nullptr, nullptr));
  std::vector<Row> want = {{"list", 1, 100}, {"dict", 2, 16}, {"Foo", 1, 10}};
  EXPECT_EQ(want, Rows(s.s));
  og_stats_free(s.s);
  s.s = nullptr;
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, nullptr, OG_ALL_NODES, 0, KeepOddIds, g.g));
  want = {{"dict", 1, 8}, {"Foo", 2, 30}};  // ids 1, 3, 5
  EXPECT_EQ(want, Rows(s.s));
  og_stats *t = nullptr;
  EXPECT_EQ(OG_EUSER, og_stats_compute(&t, g.g, nullptr, OG_ALL_NODES, 0, Abort, nullptr));
  EXPECT_EQ(nullptr, t);
}

TEST(Stats, EmptyGraphAndEmptySubset) {
  Graph g(GB().Finish());
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  EXPECT_EQ(0u, og_stats_count(s.s));
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_BY_COUNT, 3));
  Graph m(Mixed());
  Stats e;
  ASSERT_EQ(OG_OK, og_stats_compute(&e.s, m.g, nullptr, 0, 0, nullptr, nullptr));
  EXPECT_EQ(0u, og_stats_count(e.s));
}

TEST(Stats, BadArguments) {
  Graph g(Mixed());
  og_stats *s = nullptr;
  og_index bad[] = {0, 6};
  EXPECT_EQ(OG_EINVALID, og_stats_compute(nullptr, g.g, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  EXPECT_EQ(OG_EINVALID, og_stats_compute(&s, nullptr, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  EXPECT_EQ(OG_EINVALID, og_stats_compute(&s, g.g, bad, 2, 0, nullptr, nullptr));
  EXPECT_NE(nullptr, strstr(og_error_last(), "nodes[1] = 6"));
  EXPECT_EQ(OG_EINVALID, og_stats_compute(&s, g.g, nullptr, 2, 0, nullptr, nullptr));
  EXPECT_EQ(OG_EINVALID, og_stats_new(nullptr, nullptr));
  og_allocator broken = {99, nullptr, nullptr};
  EXPECT_EQ(OG_EINVALID, og_stats_new(&s, &broken));
  ASSERT_EQ(OG_OK, og_stats_new(&s, nullptr));
  og_stats_row r;
  EXPECT_EQ(OG_EINVALID, og_stats_row_get(&r, s, 0));
  EXPECT_EQ(OG_EINVALID, og_stats_row_get(nullptr, s, 0));
  EXPECT_EQ(OG_EINVALID, og_stats_add(s, nullptr, 3, 1, 1));
  EXPECT_EQ(OG_EINVALID, og_stats_add(nullptr, "x", 1, 1, 1));
  EXPECT_EQ(OG_EINVALID, og_stats_sort(s, static_cast<og_stats_order>(7), 0));
  EXPECT_EQ(OG_EINVALID, og_stats_sort(nullptr, OG_STATS_BY_COUNT, 0));
  EXPECT_EQ(OG_EINVALID, og_stats_totals(nullptr, nullptr, nullptr));
  size_t row;
  EXPECT_EQ(OG_EINVALID, og_stats_find(&row, nullptr, "x", 1));
  EXPECT_EQ(0u, og_stats_count(nullptr));
  og_stats_free(s);
  og_stats_free(nullptr);
}

TEST(Stats, BigSizesAreSummed) {
  GB b;
  og_type t = b.Type("blob", "m.blob");
  b.Node(1, t, 1ull << 40);
  b.Node(2, t, 5);
  Graph g(b.Finish());
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  EXPECT_EQ((1ull << 40) + 5, Rows(s.s)[0].size);
}

TEST(Stats, AllocationFailures) {
  algo::CountingAlloc ca;
  GB b(&ca.a);
  std::vector<og_type> types;
  for (int i = 0; i < 40; i++) {
    std::string s = "T" + std::to_string(i), l = "m.T" + std::to_string(i);
    og_type t;
    ASSERT_EQ(OG_OK, og_builder_add_type(&t, b.b(), s.data(), s.size(), l.data(), l.size()));
    types.push_back(t);
  }
  for (int i = 0; i < 400; i++) b.Node(i + 1, types[(i * 7) % 40], i);
  Graph g(b.Finish());
  algo::FailEachAllocation(&ca, [&]() {
    og_stats *s = nullptr;
    int rc = og_stats_compute(&s, g.g, nullptr, OG_ALL_NODES, 1, nullptr, nullptr);
    if (rc == OG_OK) rc = og_stats_sort(s, OG_STATS_BY_COUNT, 5);
    if (rc == OG_OK) rc = og_stats_add(s, "extra", 5, 1, 1);
    og_stats_free(s);
    return rc;
  });
}

TEST(Stats, MillionNodesLinear) {
  const og_index n = 1000000;
  GB b;
  og_type t[3] = {b.Type("a", "m.a"), b.Type("b", "m.b"), b.Type("a", "n.a")};
  for (og_index i = 0; i < n; i++) b.Node(i + 1, t[i % 3], 8);
  Graph g(b.Finish());
  Stats s;
  ASSERT_EQ(OG_OK, og_stats_compute(&s.s, g.g, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  ASSERT_EQ(OG_OK, og_stats_sort(s.s, OG_STATS_BY_COUNT, 1));
  std::vector<Row> want = {{"a", 666667, 666667 * 8}};
  EXPECT_EQ(want, Rows(s.s));
}

}  // namespace
