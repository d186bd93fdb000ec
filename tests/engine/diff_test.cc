// Growth with a persistent peak table, get_new_ids id sets, per-object diff of two graphs.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "algo_fixtures.h"
#include "og/og.h"

namespace {

using algo::GB;
using algo::Graph;

using Counts = std::vector<std::pair<std::string, uint64_t>>;
using GrowthRows = std::vector<std::tuple<std::string, uint64_t, uint64_t>>;

og_stats *MakeStats(const Counts &c, const og_allocator *a = nullptr) {
  og_stats *s = nullptr;
  if (og_stats_new(&s, a) != OG_OK) return nullptr;
  for (auto &r : c) {
    if (og_stats_add(s, r.first.data(), r.first.size(), r.second, 0) != OG_OK) {
      og_stats_free(s);
      return nullptr;
    }
  }
  return s;
}

GrowthRows Growth(og_peaks *p, const Counts &c, size_t limit) {
  og_stats *s = MakeStats(c);
  og_growth *g = nullptr;
  EXPECT_EQ(OG_OK, og_growth_compute(&g, p, s, limit));
  GrowthRows out;
  for (size_t i = 0; i < og_growth_count(g); i++) {
    og_growth_row r;
    EXPECT_EQ(OG_OK, og_growth_row_get(&r, g, i));
    out.emplace_back(std::string(r.name, r.name_len), r.count, r.delta);
  }
  og_growth_free(g);
  og_stats_free(s);
  return out;
}

std::map<std::string, uint64_t> Peaks(const og_peaks *p) {
  std::map<std::string, uint64_t> m;
  for (size_t i = 0; i < og_peaks_count(p); i++) {
    const char *n;
    size_t len;
    uint64_t v;
    EXPECT_EQ(OG_OK, og_peaks_entry(&n, &len, &v, p, i));
    m[std::string(n, len)] = v;
  }
  return m;
}

TEST(Growth, PeaksAcrossCalls) {
  og_peaks *p = nullptr;
  ASSERT_EQ(OG_OK, og_peaks_new(&p, nullptr));
  // first call: every type, delta = full count, sorted by delta (stable)
  EXPECT_EQ(GrowthRows({{"a", 3, 3}, {"x", 2, 2}, {"y", 2, 2}, {"b", 1, 1}}),
            Growth(p, {{"a", 3}, {"b", 1}, {"x", 2}, {"y", 2}}, 0));
  // a fell (peak stays 3), b and c grew
  EXPECT_EQ(GrowthRows({{"c", 4, 4}, {"b", 4, 3}}), Growth(p, {{"a", 2}, {"b", 4}, {"c", 4}}, 0));
  uint64_t v;
  ASSERT_EQ(OG_OK, og_peaks_get(&v, p, "a", 1));
  EXPECT_EQ(3u, v);
  // limit cuts rows, but every increased peak is raised
  EXPECT_EQ(GrowthRows({{"c", 9, 5}}), Growth(p, {{"a", 5}, {"b", 6}, {"c", 9}}, 1));
  EXPECT_EQ((std::map<std::string, uint64_t>{{"a", 5}, {"b", 6}, {"c", 9}, {"x", 2}, {"y", 2}}), Peaks(p));
  EXPECT_EQ(GrowthRows(), Growth(p, {{"a", 5}, {"b", 6}}, 0));
  // a count back at its peak is not growth; one above it is
  EXPECT_EQ(GrowthRows({{"a", 6, 1}}), Growth(p, {{"a", 6}, {"c", 9}}, 0));
  og_peaks_free(p);
}

TEST(Growth, PeakTableApi) {
  og_peaks *p = nullptr;
  ASSERT_EQ(OG_OK, og_peaks_new(&p, nullptr));
  uint64_t v = 7;
  ASSERT_EQ(OG_OK, og_peaks_get(&v, p, "nope", 4));
  EXPECT_EQ(0u, v);
  ASSERT_EQ(OG_OK, og_peaks_set(p, "k", 1, 10));
  ASSERT_EQ(OG_OK, og_peaks_set(p, "j", 1, 4));
  ASSERT_EQ(OG_OK, og_peaks_set(p, "k", 1, 2));  // set may lower
  EXPECT_EQ((std::map<std::string, uint64_t>{{"k", 2}, {"j", 4}}), Peaks(p));
  EXPECT_EQ(GrowthRows({{"k", 3, 1}}), Growth(p, {{"k", 3}, {"j", 4}}, 0));
  og_peaks_clear(p);
  EXPECT_EQ(0u, og_peaks_count(p));
  ASSERT_EQ(OG_OK, og_peaks_get(&v, p, "k", 1));
  EXPECT_EQ(0u, v);
  EXPECT_EQ(GrowthRows({{"k", 3, 3}}), Growth(p, {{"k", 3}}, 0));
  EXPECT_EQ(1u, og_peaks_count(p));
  EXPECT_EQ(OG_EINVALID, og_peaks_entry(nullptr, nullptr, nullptr, p, 1));
  EXPECT_EQ(OG_EINVALID, og_peaks_set(nullptr, "k", 1, 1));
  EXPECT_EQ(OG_EINVALID, og_peaks_get(nullptr, p, "k", 1));
  og_growth *g = nullptr;
  EXPECT_EQ(OG_EINVALID, og_growth_compute(&g, p, nullptr, 0));
  EXPECT_EQ(OG_EINVALID, og_growth_compute(&g, nullptr, nullptr, 0));
  og_growth_row r;
  EXPECT_EQ(OG_EINVALID, og_growth_row_get(&r, nullptr, 0));
  EXPECT_EQ(0u, og_growth_count(nullptr));
  og_peaks_free(p);
  og_peaks_free(nullptr);
  og_peaks_clear(nullptr);
  og_growth_free(nullptr);
}

TEST(Growth, FromGraphStatistics) {
  GB b;
  og_type t = b.Type("T", "m.T"), u = b.Type("U", "m.U");
  b.Node(1, t);
  b.Node(2, u);
  b.Node(3, t);
  Graph g(b.Finish());
  og_stats *s = nullptr;
  ASSERT_EQ(OG_OK, og_stats_compute(&s, g.g, nullptr, OG_ALL_NODES, 0, nullptr, nullptr));
  og_peaks *p = nullptr;
  ASSERT_EQ(OG_OK, og_peaks_new(&p, nullptr));
  og_growth *gr = nullptr;
  ASSERT_EQ(OG_OK, og_growth_compute(&gr, p, s, 10));
  ASSERT_EQ(2u, og_growth_count(gr));
  og_growth_row r;
  ASSERT_EQ(OG_OK, og_growth_row_get(&r, gr, 0));
  EXPECT_STREQ("T", r.name);
  EXPECT_EQ(2u, r.delta);
  og_growth_free(gr);
  og_stats_free(s);
  og_peaks_free(p);
}

TEST(Growth, AllocationFailureLeavesPeaksUnchanged) {
  algo::CountingAlloc ca;
  og_peaks *p = nullptr;
  ASSERT_EQ(OG_OK, og_peaks_new(&p, &ca.a));
  Counts first, second;
  for (int i = 0; i < 50; i++) first.emplace_back("t" + std::to_string(i), i + 1);
  for (int i = 0; i < 80; i++) second.emplace_back("t" + std::to_string(i * 2), 100);
  og_stats *s1 = MakeStats(first), *s2 = MakeStats(second);
  og_growth *g = nullptr;
  ASSERT_EQ(OG_OK, og_growth_compute(&g, p, s1, 0));
  og_growth_free(g);
  auto before = Peaks(p);
  algo::FailEachAllocation(&ca, [&]() {
    og_peaks *q = nullptr;  // a fresh copy of p for every run
    int rc = og_peaks_new(&q, &ca.a);
    for (auto &kv : before)
      if (rc == OG_OK) rc = og_peaks_set(q, kv.first.data(), kv.first.size(), kv.second);
    if (rc != OG_OK) {
      og_peaks_free(q);
      return rc;
    }
    og_growth *gg = nullptr;
    rc = og_growth_compute(&gg, q, s2, 5);
    if (rc == OG_ENOMEM && Peaks(q) != before) rc = OG_ERROR;
    if (rc == OG_OK && og_growth_count(gg) != 5) rc = OG_ERROR;
    og_growth_free(gg);
    og_peaks_free(q);
    return rc;
  });
  og_stats_free(s1);
  og_stats_free(s2);
  og_peaks_free(p);
}

// ---- get_new_ids ----------------------------------------------------------------------------

struct IdRow {
  std::string name;
  uint64_t old_n, cur, nw;
  int64_t delta;
  std::vector<og_id> ids;
  bool operator==(const IdRow &o) const {
    return name == o.name && old_n == o.old_n && cur == o.cur && nw == o.nw && delta == o.delta &&
           ids == o.ids;
  }
};
std::ostream &operator<<(std::ostream &os, const IdRow &r) {
  os << "(" << r.name << " " << r.old_n << " " << r.cur << " " << r.nw << " " << r.delta << " [";
  for (og_id i : r.ids) os << i << ",";
  return os << "])";
}

std::vector<IdRow> IdRows(const og_idsets *s) {
  std::vector<IdRow> out;
  for (size_t i = 0; i < og_idsets_count(s); i++) {
    og_idsets_row r;
    EXPECT_EQ(OG_OK, og_idsets_row_get(&r, s, i));
    out.push_back({std::string(r.name, r.name_len), r.n_old, r.n_current, r.n_new, r.delta,
                   std::vector<og_id>(r.new_ids, r.new_ids + r.n_new)});
  }
  return out;
}

void Scan(og_idsets *s, const std::vector<std::pair<std::string, og_id>> &objs) {
  ASSERT_EQ(OG_OK, og_idsets_begin(s));
  for (auto &o : objs) ASSERT_EQ(OG_OK, og_idsets_add(s, o.first.data(), o.first.size(), o.second));
  ASSERT_EQ(OG_OK, og_idsets_finish(s));
}

TEST(IdSets, ScansLikeGetNewIds) {
  og_idsets *s = nullptr;
  ASSERT_EQ(OG_OK, og_idsets_new(&s, nullptr));
  Scan(s, {{"list", 1}, {"list", 2}, {"dict", 3}});
  EXPECT_EQ(std::vector<IdRow>({{"list", 0, 2, 2, 2, {1, 2}}, {"dict", 0, 1, 1, 1, {3}}}), IdRows(s));
  Scan(s, {{"list", 2}, {"list", 4}, {"dict", 3}, {"set", 5}, {"list", 4}});  // repeat ignored
  // deltas: set 1, then list 0 and dict 0 by name descending
  EXPECT_EQ(std::vector<IdRow>({{"set", 0, 1, 1, 1, {5}},
                                {"list", 2, 2, 1, 0, {4}},
                                {"dict", 1, 1, 0, 0, {}}}),
            IdRows(s));
  auto names = [&]() {
    std::string n;
    for (auto &r : IdRows(s)) n += r.name + " ";
    return n;
  };
  ASSERT_EQ(OG_OK, og_idsets_sort(s, OG_IDSETS_OLD));
  EXPECT_EQ("list dict set ", names());
  ASSERT_EQ(OG_OK, og_idsets_sort(s, OG_IDSETS_CURRENT));
  EXPECT_EQ("list set dict ", names());
  ASSERT_EQ(OG_OK, og_idsets_sort(s, OG_IDSETS_NEW));
  EXPECT_EQ("set list dict ", names());
  Scan(s, {{"list", 2}});
  EXPECT_EQ(std::vector<IdRow>({{"set", 1, 0, 0, -1, {}},
                                {"list", 2, 1, 0, -1, {}},
                                {"dict", 1, 0, 0, -1, {}}}),
            IdRows(s));
  Scan(s, {});  // dict and set: old and current empty -> dropped
  EXPECT_EQ(std::vector<IdRow>({{"list", 1, 0, 0, -1, {}}}), IdRows(s));
  Scan(s, {{"dict", 2}});  // id 2 reused by another type is new
  EXPECT_EQ(std::vector<IdRow>({{"dict", 0, 1, 1, 1, {2}}}), IdRows(s));
  og_idsets_free(s);
}

TEST(IdSets, FromGraphsAndErrors) {
  GB b;
  og_type t = b.Type("T", "m.T"), u = b.Type("T", "n.T");
  b.Node(1, t);
  b.Node(2, u);
  Graph g(b.Finish());
  og_idsets *s = nullptr;
  ASSERT_EQ(OG_OK, og_idsets_new(&s, nullptr));
  EXPECT_EQ(OG_EINVALID, og_idsets_add(s, "x", 1, 1));
  EXPECT_EQ(OG_EINVALID, og_idsets_add_graph(s, g.g, 0));
  EXPECT_EQ(OG_EINVALID, og_idsets_finish(s));
  ASSERT_EQ(OG_OK, og_idsets_begin(s));
  ASSERT_EQ(OG_OK, og_idsets_add_graph(s, g.g, 1));
  ASSERT_EQ(OG_OK, og_idsets_finish(s));
  EXPECT_EQ(std::vector<IdRow>({{"n.T", 0, 1, 1, 1, {2}}, {"m.T", 0, 1, 1, 1, {1}}}), IdRows(s));
  ASSERT_EQ(OG_OK, og_idsets_begin(s));
  ASSERT_EQ(OG_OK, og_idsets_add_graph(s, g.g, 0));
  ASSERT_EQ(OG_OK, og_idsets_finish(s));
  // short names lump both; the long-name rows lose their objects
  EXPECT_EQ(std::vector<IdRow>({{"T", 0, 2, 2, 2, {1, 2}}, {"n.T", 1, 0, 0, -1, {}}, {"m.T", 1, 0, 0, -1, {}}}),
            IdRows(s));
  EXPECT_EQ(OG_EINVALID, og_idsets_sort(s, static_cast<og_idsets_column>(0)));
  og_idsets_row r;
  EXPECT_EQ(OG_EINVALID, og_idsets_row_get(&r, s, 3));
  EXPECT_EQ(OG_EINVALID, og_idsets_add(nullptr, "x", 1, 1));
  EXPECT_EQ(OG_EINVALID, og_idsets_new(nullptr, nullptr));
  EXPECT_EQ(0u, og_idsets_count(nullptr));
  og_idsets_free(s);
  og_idsets_free(nullptr);
}

TEST(IdSets, AllocationFailures) {
  algo::CountingAlloc ca;
  algo::FailEachAllocation(&ca, [&]() {
    og_idsets *s = nullptr;
    int rc = og_idsets_new(&s, &ca.a);
    for (int scan = 0; scan < 2 && rc == OG_OK; scan++) {
      rc = og_idsets_begin(s);
      for (int i = 0; i < 200 && rc == OG_OK; i++) {
        std::string n = "t" + std::to_string(i % 17);
        rc = og_idsets_add(s, n.data(), n.size(), static_cast<og_id>(i * (scan + 1)));
      }
      if (rc == OG_OK) rc = og_idsets_finish(s);
    }
    og_idsets_free(s);
    return rc;
  });
}

TEST(IdSets, TwoMillionIdsLinear) {
  const og_id n = algo::BigTests() ? 1000000 : 50000;
  og_idsets *s = nullptr;
  ASSERT_EQ(OG_OK, og_idsets_new(&s, nullptr));
  for (int scan = 0; scan < 2; scan++) {
    ASSERT_EQ(OG_OK, og_idsets_begin(s));
    for (og_id i = 0; i < n; i++) ASSERT_EQ(OG_OK, og_idsets_add(s, i % 2 ? "a" : "b", 1, i + scan * n / 2));
    ASSERT_EQ(OG_OK, og_idsets_finish(s));
  }
  std::vector<IdRow> rows = IdRows(s);
  ASSERT_EQ(2u, rows.size());
  EXPECT_EQ(n / 2, rows[0].nw + rows[1].nw);
  og_idsets_free(s);
}

// ---- per-object diff ------------------------------------------------------------------------

struct DiffRow {
  std::string name;
  uint64_t nw, removed, kept, size_new, size_removed, size_kept;
  bool operator==(const DiffRow &o) const {
    return name == o.name && nw == o.nw && removed == o.removed && kept == o.kept &&
           size_new == o.size_new && size_removed == o.size_removed && size_kept == o.size_kept;
  }
};
std::ostream &operator<<(std::ostream &os, const DiffRow &r) {
  return os << "(" << r.name << " +" << r.nw << " -" << r.removed << " =" << r.kept << " sizes "
            << r.size_new << "/" << r.size_removed << "/" << r.size_kept << ")";
}

std::vector<DiffRow> DiffRows(const og_diff *d) {
  std::vector<DiffRow> out;
  for (size_t i = 0; i < og_diff_num_rows(d); i++) {
    og_diff_row r;
    EXPECT_EQ(OG_OK, og_diff_row_get(&r, d, i));
    out.push_back({std::string(r.name, r.name_len), r.n_new, r.n_removed, r.n_kept, r.size_new,
                   r.size_removed, r.size_kept});
  }
  return out;
}

std::vector<og_index> Part(const og_index *p, size_t n) { return std::vector<og_index>(p, p + n); }

// old: 1 A(10) 2 A(20) 3 B(30) 4 C(40) 9 a.Foo(1); new: 2 A(25) 3 C(35) 5 A(50) 6 B(60) 9 b.Foo(2)
void DiffGraphs(og_graph **old_g, og_graph **new_g, const og_allocator *a = nullptr) {
  GB o(a);
  og_type A = o.Type("A", "m.A"), B = o.Type("B", "m.B"), C = o.Type("C", "m.C"),
          F = o.Type("Foo", "a.Foo");
  o.Node(1, A, 10);
  o.Node(2, A, 20);
  o.Node(3, B, 30);
  o.Node(4, C, 40);
  o.Node(9, F, 1);
  *old_g = o.Finish();
  GB n(a);
  og_type F2 = n.Type("Foo", "b.Foo"), C2 = n.Type("C", "m.C"), B2 = n.Type("B", "m.B"),
          A2 = n.Type("A", "m.A");  // other handle numbers
  n.Node(2, A2, 25);
  n.Node(3, C2, 35);
  n.Node(5, A2, 50);
  n.Node(6, B2, 60);
  n.Node(9, F2, 2);
  *new_g = n.Finish();
}

TEST(GraphDiff, ByIdAndType) {
  Graph o, n;
  DiffGraphs(&o.g, &n.g);
  og_diff *d = nullptr;
  ASSERT_EQ(OG_OK, og_diff_graphs(&d, o.g, n.g, nullptr));
  EXPECT_EQ(std::vector<DiffRow>({{"A", 1, 1, 1, 50, 10, 25},
                                  {"C", 1, 1, 0, 35, 40, 0},
                                  {"B", 1, 1, 0, 60, 30, 0},
                                  {"Foo", 1, 1, 0, 2, 1, 0}}),
            DiffRows(d));
  size_t cnt;
  const og_index *p = og_diff_new_nodes(d, &cnt);
  EXPECT_EQ(std::vector<og_index>({1, 2, 3, 4}), Part(p, cnt));
  p = og_diff_kept_nodes(d, &cnt);
  EXPECT_EQ(std::vector<og_index>({0}), Part(p, cnt));
  p = og_diff_removed_nodes(d, &cnt);
  EXPECT_EQ(std::vector<og_index>({0, 2, 3, 4}), Part(p, cnt));
  og_diff_free(d);
  og_diff_options opts = OG_DIFF_OPTIONS_INIT;
  opts.long_names = 1;
  ASSERT_EQ(OG_OK, og_diff_graphs(&d, o.g, n.g, &opts));
  EXPECT_EQ(std::vector<DiffRow>({{"m.A", 1, 1, 1, 50, 10, 25},
                                  {"m.C", 1, 1, 0, 35, 40, 0},
                                  {"m.B", 1, 1, 0, 60, 30, 0},
                                  {"b.Foo", 1, 0, 0, 2, 0, 0},
                                  {"a.Foo", 0, 1, 0, 0, 1, 0}}),
            DiffRows(d));
  og_diff_free(d);
}

TEST(GraphDiff, EmptyAndIdentical) {
  Graph e(GB().Finish()), o, n;
  DiffGraphs(&o.g, &n.g);
  og_diff *d = nullptr;
  ASSERT_EQ(OG_OK, og_diff_graphs(&d, e.g, e.g, nullptr));
  EXPECT_EQ(0u, og_diff_num_rows(d));
  size_t cnt = 9;
  EXPECT_EQ(nullptr, og_diff_new_nodes(d, &cnt));
  EXPECT_EQ(0u, cnt);
  og_diff_free(d);
  ASSERT_EQ(OG_OK, og_diff_graphs(&d, o.g, o.g, nullptr));
  EXPECT_EQ(0u, DiffRows(d)[0].nw + DiffRows(d)[0].removed);
  og_diff_kept_nodes(d, &cnt);
  EXPECT_EQ(5u, cnt);
  og_diff_free(d);
  ASSERT_EQ(OG_OK, og_diff_graphs(&d, e.g, n.g, nullptr));
  og_diff_new_nodes(d, &cnt);
  EXPECT_EQ(5u, cnt);
  og_diff_free(d);
  og_diff_options bad = {99, 0};
  EXPECT_EQ(OG_EINVALID, og_diff_graphs(&d, o.g, n.g, &bad));
  EXPECT_EQ(OG_EINVALID, og_diff_graphs(&d, nullptr, n.g, nullptr));
  EXPECT_EQ(OG_EINVALID, og_diff_graphs(nullptr, o.g, n.g, nullptr));
  og_diff_row r;
  EXPECT_EQ(OG_EINVALID, og_diff_row_get(&r, nullptr, 0));
  EXPECT_EQ(0u, og_diff_num_rows(nullptr));
  EXPECT_EQ(nullptr, og_diff_removed_nodes(nullptr, &cnt));
  og_diff_free(nullptr);
}

TEST(GraphDiff, AllocationFailures) {
  algo::CountingAlloc ca;
  Graph o, n;
  DiffGraphs(&o.g, &n.g, &ca.a);
  algo::FailEachAllocation(&ca, [&]() {
    og_diff *d = nullptr;
    int rc = og_diff_graphs(&d, o.g, n.g, nullptr);
    og_diff_free(d);
    return rc;
  });
}

TEST(GraphDiff, MillionNodesLinear) {
  const og_index n = algo::BigTests() ? 1000000 : 50000;
  GB a, b;
  og_type ta = a.Type("T", "m.T"), tb = b.Type("T", "m.T");
  for (og_index i = 0; i < n; i++) a.Node(i, ta, 8);
  for (og_index i = 0; i < n; i++) b.Node(i + n / 2, tb, 8);
  Graph o(a.Finish()), nw(b.Finish());
  og_diff *d = nullptr;
  ASSERT_EQ(OG_OK, og_diff_graphs(&d, o.g, nw.g, nullptr));
  EXPECT_EQ(std::vector<DiffRow>({{"T", n / 2, n / 2, n / 2, n / 2 * 8, n / 2 * 8, n / 2 * 8}}), DiffRows(d));
  og_diff_free(d);
}

}  // namespace
