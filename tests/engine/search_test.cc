// Reference chains (objgraph's _find_chain) and k shortest retainer paths over walkers.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "algo.h"  // og__search_astar_min
#include "algo_fixtures.h"
#include "og/og.h"

namespace {

using algo::GB;
using algo::Graph;
using algo::Vec;
using V = std::vector<og_index>;

// Predicate over a set of accepted nodes that logs every call.
struct Pred {
  std::set<og_index> accept;
  std::vector<og_index> calls;
  int error = 0;  // returned instead when nonzero
  Pred() = default;
  Pred(std::initializer_list<og_index> a) : accept(a) {}
  static int Fn(void *p, og_index v) {
    auto *self = static_cast<Pred *>(p);
    self->calls.push_back(v);
    if (self->error) return self->error;
    return self->accept.count(v) ? 1 : 0;
  }
};

struct Walker {
  og_walker w;
  explicit Walker(og_graph *g) { EXPECT_EQ(OG_OK, og_graph_walker(&w, g)); }
};

V Chain(og_graph *g, og_index start, Pred *p, og_dir dir = OG_DIR_OUT, uint32_t max_depth = 20,
        std::vector<og_index> ignore = {}, int *rc_out = nullptr) {
  Walker w(g);
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.dir = dir;
  o.max_depth = max_depth;
  o.ignore = ignore.data();
  o.ignore_count = ignore.size();
  og_indices *l = nullptr;
  int rc = og_search_chain(&l, &w.w, start, &o, Pred::Fn, p);
  if (rc_out) *rc_out = rc;
  else EXPECT_EQ(OG_OK, rc) << og_error_last();
  V out = Vec(l);
  og_indices_free(l);
  return out;
}

// 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4
og_graph *Diamond() {
  GB b;
  og_type t = b.Type("T", "m.T");
  for (int i = 0; i < 5; i++) b.Node(i + 1, t);
  b.Edge(0, 1);
  b.Edge(0, 2);
  b.Edge(1, 3);
  b.Edge(2, 3);
  b.Edge(3, 4);
  return b.Finish();
}

TEST(Chain, PredicateOnDequeueInBfsOrder) {
  Graph g(Diamond());
  Pred p{{2, 4}};
  EXPECT_EQ(V({0, 2}), Chain(g.g, 0, &p));
  EXPECT_EQ(V({0, 1, 2}), p.calls);  // 3 was discovered before 2 was dequeued, never checked
  Pred start{{0, 1}};
  EXPECT_EQ(V({0}), Chain(g.g, 0, &start));
  EXPECT_EQ(V({0}), start.calls);
}

TEST(Chain, FirstDiscoveryWinsAndBackwards) {
  Graph g(Diamond());
  Pred p{{4}};
  EXPECT_EQ(V({0, 1, 3, 4}), Chain(g.g, 0, &p));
  EXPECT_EQ(V({0, 1, 2, 3, 4}), p.calls);  // 3 reached from 1 and 2: entered once
  Pred back{{0}};
  EXPECT_EQ(V({4, 3, 1, 0}), Chain(g.g, 4, &back, OG_DIR_IN));
}

TEST(Chain, NotFoundAndDepthLimit) {
  Graph g(Diamond());
  Pred none;
  EXPECT_EQ(V({1}), Chain(g.g, 1, &none));
  EXPECT_EQ(V({1, 3, 4}), none.calls);
  Pred d0{{3}};
  EXPECT_EQ(V({0}), Chain(g.g, 0, &d0, OG_DIR_OUT, 0));  // max_depth 0: only the start
  EXPECT_EQ(V({0}), d0.calls);
  Pred d1{{3}};
  EXPECT_EQ(V({0}), Chain(g.g, 0, &d1, OG_DIR_OUT, 1));  // depth-1 nodes checked, not expanded
  EXPECT_EQ(V({0, 1, 2}), d1.calls);
  Pred d2{{3}};
  EXPECT_EQ(V({0, 1, 3}), Chain(g.g, 0, &d2, OG_DIR_OUT, 2));
}

int IgnoreOne(void *payload, og_index v) {
  auto *calls = static_cast<std::vector<og_index> *>(payload);
  calls->push_back(v);
  return v == 1;
}

TEST(Chain, IgnoreSetAndCallback) {
  Graph g(Diamond());
  Pred p{{4}};
  EXPECT_EQ(V({0, 2, 3, 4}), Chain(g.g, 0, &p, OG_DIR_OUT, 20, {1}));
  Pred s{{4}};
  EXPECT_EQ(V({0, 1, 3, 4}), Chain(g.g, 0, &s, OG_DIR_OUT, 20, {0}));  // start never ignored
  Walker w(g.g);
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  std::vector<og_index> calls;
  o.ignore_fn = IgnoreOne;
  o.ignore_payload = &calls;
  og_indices *l = nullptr;
  Pred q{{4}};
  ASSERT_EQ(OG_OK, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &q));
  EXPECT_EQ(V({0, 2, 3, 4}), Vec(l));
  EXPECT_EQ(V({1, 2, 3, 4}), calls);  // once per node, start excluded
  og_indices_free(l);
  o.ignore_fn = [](void *, og_index) { return static_cast<int>(OG_EUSER); };
  l = nullptr;
  EXPECT_EQ(OG_EUSER, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &q));
  EXPECT_EQ(nullptr, l);
  Pred err;
  err.error = OG_EUSER;
  int rc;
  Chain(g.g, 0, &err, OG_DIR_OUT, 20, {}, &rc);
  EXPECT_EQ(OG_EUSER, rc);
}

// An implicit binary tree minted lazily: node i -> 2i+1, 2i+2 (below limit); node_count grows
// as children are handed out, like a walker over a live heap.
struct TreeWalker {
  og_index count, limit;
  og_index buf[2] = {0, 0};
  TreeWalker(og_index c, og_index l) : count(c), limit(l) {}
  bool lie = false;  // hand out an index beyond node_count
  og_walker w{OG_WALKER_VERSION, this, Neighbors, Count};
  static int Neighbors(void *ctx, og_dir dir, og_index v, og_span *out) {
    auto *t = static_cast<TreeWalker *>(ctx);
    out->nodes = t->buf;
    out->meta = nullptr;
    out->count = 0;
    if (dir == OG_DIR_IN) {
      if (v) t->buf[out->count++] = (v - 1) / 2;
      return OG_OK;
    }
    for (og_index c = 2 * v + 1; c <= 2 * v + 2 && c < t->limit; c++) {
      t->buf[out->count++] = c;
      if (!t->lie) t->count = std::max(t->count, c + 1);
    }
    return OG_OK;
  }
  static og_index Count(void *ctx) { return static_cast<TreeWalker *>(ctx)->count; }
};

TEST(Chain, WalkerThatGrows) {
  TreeWalker t(1, 1u << 20);
  Pred p{{1000}};
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  og_indices *l = nullptr;
  ASSERT_EQ(OG_OK, og_search_chain(&l, &t.w, 0, &o, Pred::Fn, &p));
  EXPECT_EQ(V({0, 2, 6, 14, 30, 61, 124, 249, 499, 1000}), Vec(l));
  og_indices_free(l);
  Pred root{{0}};
  o.dir = OG_DIR_IN;
  ASSERT_EQ(OG_OK, og_search_chain(&l, &t.w, 1000, &o, Pred::Fn, &root));
  EXPECT_EQ(V({1000, 499, 249, 124, 61, 30, 14, 6, 2, 0}), Vec(l));
  og_indices_free(l);
  TreeWalker liar(1, 100);
  liar.lie = true;
  Pred none;
  o.dir = OG_DIR_OUT;
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &liar.w, 0, &o, Pred::Fn, &none));
  EXPECT_NE(nullptr, strstr(og_error_last(), "walker returned node"));
}

TEST(Chain, BadArguments) {
  Graph g(Diamond());
  Walker w(g.g);
  Pred p;
  og_indices *l = nullptr;
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  EXPECT_EQ(OG_EINVALID, og_search_chain(nullptr, &w.w, 0, &o, Pred::Fn, &p));
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, nullptr, 0, &o, Pred::Fn, &p));
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 0, &o, nullptr, &p));
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 5, &o, Pred::Fn, &p));
  EXPECT_NE(nullptr, strstr(og_error_last(), "start node 5"));
  og_walker broken = w.w;
  broken.neighbors = nullptr;
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &broken, 0, &o, Pred::Fn, &p));
  o.version = 7;
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &p));
  o = OG_SEARCH_OPTIONS_INIT;
  o.dir = static_cast<og_dir>(3);
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &p));
  o = OG_SEARCH_OPTIONS_INIT;
  og_index ign[] = {9};
  o.ignore = ign;
  o.ignore_count = 1;
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &p));
  o.ignore = nullptr;
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &p));
  o = OG_SEARCH_OPTIONS_INIT;
  og_allocator bad = {5, nullptr, nullptr};
  o.alloc = &bad;
  EXPECT_EQ(OG_EINVALID, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &p));
  EXPECT_EQ(nullptr, l);
  EXPECT_TRUE(p.calls.empty());
  ASSERT_EQ(OG_OK, og_search_chain(&l, &w.w, 0, nullptr, Pred::Fn, &p));  // NULL: defaults
  og_indices_free(l);
}

// ---- k shortest retainer paths ----------------------------------------------------------------

struct PathOut {
  V nodes;
  std::vector<int> kinds;
  std::vector<std::string> labels;  // "" none, "#n" an index, else the string
  bool operator==(const PathOut &o) const {
    return nodes == o.nodes && kinds == o.kinds && labels == o.labels;
  }
};
std::ostream &operator<<(std::ostream &os, const PathOut &p) {
  for (size_t i = 0; i < p.nodes.size(); i++) {
    os << p.nodes[i];
    if (i < p.kinds.size()) os << " -" << p.kinds[i] << ":" << p.labels[i] << "-> ";
  }
  return os;
}

std::vector<PathOut> Paths(og_graph *g, og_index target, size_t k, og_search_options *o,
                           og_node_pred_fn root, void *payload, int *rc_out = nullptr) {
  Walker w(g);
  og_paths *p = nullptr;
  int rc = og_search_paths(&p, &w.w, target, k, o, root, payload);
  if (rc_out) *rc_out = rc;
  else EXPECT_EQ(OG_OK, rc) << og_error_last();
  std::vector<PathOut> out;
  for (size_t i = 0; i < og_paths_count(p); i++) {
    og_path_info info;
    EXPECT_EQ(OG_OK, og_paths_get(&info, p, i));
    PathOut po;
    po.nodes.assign(info.nodes, info.nodes + info.length);
    for (size_t j = 0; j + 1 < info.length; j++) {
      po.kinds.push_back(info.kinds[j]);
      std::string lab;
      if (info.labels[j] != OG_STR_NONE) {
        if (info.kinds[j] == OG_EDGE_INDEX) {
          lab = "#" + std::to_string(info.labels[j]);
        } else {
          size_t len;
          const char *s = og_graph_str(g, info.labels[j], &len);
          lab.assign(s, len);
        }
      }
      po.labels.push_back(lab);
    }
    out.push_back(po);
  }
  og_paths_free(p);
  return out;
}

// 0 M1 (module), 1 M2 (module), 2 D1, 3 D2, 4 L, 5 O (the target)
og_graph *Retainers() {
  GB b;
  og_type m = b.Type("module", "builtins.module"), d = b.Type("dict", "builtins.dict"),
          l = b.Type("list", "builtins.list"), o = b.Type("O", "m.O");
  b.Node(100, m, 0, OG_NODE_MODULE);
  b.Node(101, m, 0, OG_NODE_MODULE);
  b.Node(102, d);
  b.Node(103, d);
  b.Node(104, l);
  b.Node(105, o);
  og_str x = b.Str("x"), y = b.Str("y"), z = b.Str("z");
  b.Edge(0, 2, OG_EDGE_DICT);
  b.Edge(1, 3, OG_EDGE_DICT);
  b.Edge(2, 5, OG_EDGE_DICT_VALUE, x);
  b.Edge(2, 4, OG_EDGE_DICT_VALUE, y);
  b.Edge(3, 4, OG_EDGE_DICT_VALUE, z);
  b.Edge(4, 5, OG_EDGE_INDEX, 3);
  return b.Finish();
}

TEST(Paths, KShortestWithLabels) {
  Graph g(Retainers());
  og_flags_pred mod = {g.g, OG_NODE_MODULE, OG_NODE_MODULE};
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  std::vector<PathOut> want = {
      {{0, 2, 5}, {OG_EDGE_DICT, OG_EDGE_DICT_VALUE}, {"", "x"}},
      {{0, 2, 4, 5}, {OG_EDGE_DICT, OG_EDGE_DICT_VALUE, OG_EDGE_INDEX}, {"", "y", "#3"}},
      {{1, 3, 4, 5}, {OG_EDGE_DICT, OG_EDGE_DICT_VALUE, OG_EDGE_INDEX}, {"", "z", "#3"}}};
  EXPECT_EQ(want, Paths(g.g, 5, 10, &o, og_flags_pred_fn, &mod));  // only 3 exist
  EXPECT_EQ(std::vector<PathOut>(want.begin(), want.begin() + 2), Paths(g.g, 5, 2, &o, og_flags_pred_fn, &mod));
  EXPECT_EQ(std::vector<PathOut>(), Paths(g.g, 5, 0, &o, og_flags_pred_fn, &mod));
  o.max_depth = 2;
  EXPECT_EQ(std::vector<PathOut>(want.begin(), want.begin() + 1), Paths(g.g, 5, 10, &o, og_flags_pred_fn, &mod));
  o.max_depth = 1;
  EXPECT_EQ(std::vector<PathOut>(), Paths(g.g, 5, 10, &o, og_flags_pred_fn, &mod));
  o = OG_SEARCH_OPTIONS_INIT;
  og_index ign[] = {2};
  o.ignore = ign;
  o.ignore_count = 1;
  EXPECT_EQ(std::vector<PathOut>(want.begin() + 2, want.end()), Paths(g.g, 5, 10, &o, og_flags_pred_fn, &mod));
  o = OG_SEARCH_OPTIONS_INIT;
  EXPECT_EQ(std::vector<PathOut>({{{1}, {}, {}}}), Paths(g.g, 1, 3, &o, og_flags_pred_fn, &mod));
  og_flags_pred nothing = {g.g, OG_NODE_FRAME, OG_NODE_FRAME};
  EXPECT_EQ(std::vector<PathOut>(), Paths(g.g, 5, 3, &o, og_flags_pred_fn, &nothing));
}

TEST(Paths, ErrorsAndBadArguments) {
  Graph g(Retainers());
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  Pred err;
  err.error = OG_EUSER;
  int rc;
  Paths(g.g, 5, 3, &o, Pred::Fn, &err, &rc);
  EXPECT_EQ(OG_EUSER, rc);
  Walker w(g.g);
  og_paths *p = nullptr;
  Pred none;
  EXPECT_EQ(OG_EINVALID, og_search_paths(&p, &w.w, 6, 3, &o, Pred::Fn, &none));
  EXPECT_EQ(OG_EINVALID, og_search_paths(&p, &w.w, 5, 3, &o, nullptr, &none));
  EXPECT_EQ(OG_EINVALID, og_search_paths(nullptr, &w.w, 5, 3, &o, Pred::Fn, &none));
  EXPECT_EQ(OG_EINVALID, og_search_paths(&p, nullptr, 5, 3, &o, Pred::Fn, &none));
  EXPECT_EQ(nullptr, p);
  og_path_info info;
  EXPECT_EQ(OG_EINVALID, og_paths_get(&info, nullptr, 0));
  EXPECT_EQ(0u, og_paths_count(nullptr));
  og_paths_free(nullptr);
}

// A grid of width w and height h with edges to the right and down: many equal-length paths.
TEST(Paths, DistinctSimplePathsShortestFirst) {
  GB b;
  og_type t = b.Type("T", "m.T");
  const og_index W = 4, H = 4;
  for (og_index i = 0; i < W * H; i++) b.Node(i + 1, t, 0, i == 0 ? OG_NODE_ROOT : 0);
  for (og_index r = 0; r < H; r++)
    for (og_index c = 0; c < W; c++) {
      if (c + 1 < W) b.Edge(r * W + c, r * W + c + 1);
      if (r + 1 < H) b.Edge(r * W + c, (r + 1) * W + c);
    }
  b.Edge(W * H - 1, 0);  // a back edge: paths must stay simple
  Graph g(b.Finish());
  og_flags_pred root = {g.g, OG_NODE_ROOT, OG_NODE_ROOT};
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  auto paths = Paths(g.g, W * H - 1, 25, &o, og_flags_pred_fn, &root);
  ASSERT_EQ(20u, paths.size());  // C(6,3) monotone paths
  std::set<V> distinct;
  for (auto &p : paths) {
    EXPECT_EQ(7u, p.nodes.size());
    EXPECT_EQ(0u, p.nodes.front());
    EXPECT_EQ(W * H - 1, p.nodes.back());
    distinct.insert(p.nodes);
  }
  EXPECT_EQ(20u, distinct.size());
}

// Random small graphs against brute force: the k paths found have exactly the k smallest lengths
// among all simple root-to-target paths (a root ends a path), and each is a valid distinct path.
void AllLengths(og_graph *g, const std::set<og_index> &roots, std::vector<og_index> *stack,
                std::vector<bool> *on, uint32_t max_depth, std::vector<size_t> *out) {
  og_index u = stack->back();
  if (roots.count(u)) {
    out->push_back(stack->size());
    return;
  }
  if (stack->size() - 1 >= max_depth) return;
  og_span sp;
  ASSERT_EQ(OG_OK, og_graph_neighbors(&sp, g, OG_DIR_IN, u));
  std::vector<og_index> refs(sp.nodes, sp.nodes + sp.count);
  for (og_index x : refs) {
    if ((*on)[x]) continue;
    (*on)[x] = true;
    stack->push_back(x);
    AllLengths(g, roots, stack, on, max_depth, out);
    stack->pop_back();
    (*on)[x] = false;
  }
}

// Forces og_search_paths's A* spur searches (threshold 0) for one scope.
struct ForceAStar {
  size_t saved = og__search_astar_min;
  explicit ForceAStar(bool on) { og__search_astar_min = on ? 0 : SIZE_MAX; }
  ~ForceAStar() { og__search_astar_min = saved; }
};

class PathsBrute : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(BfsAndAStar, PathsBrute, ::testing::Bool());

TEST_P(PathsBrute, MatchBruteForceOnRandomGraphs) {
  ForceAStar mode(GetParam());
  uint64_t seed = 12345;
  auto rnd = [&](uint32_t m) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>((seed >> 33) % m);
  };
  for (int round = 0; round < 1000; round++) {
    const og_index n = 5 + rnd(9);
    GB b;
    og_type t = b.Type("T", "m.T");
    std::set<og_index> roots;
    for (og_index i = 0; i < n; i++) {
      bool root = i != 0 && rnd(4) == 0;
      if (root) roots.insert(i);
      b.Node(i + 1, t, 0, root ? OG_NODE_ROOT : 0);
    }
    uint32_t ne = n + rnd(3 * n);
    for (uint32_t e = 0; e < ne; e++) b.Edge(rnd(n), rnd(n), OG_EDGE_ATTR, OG_STR_NONE);
    Graph g(b.Finish());
    og_search_options o = OG_SEARCH_OPTIONS_INIT;
    o.max_depth = 2 + rnd(8);
    std::vector<size_t> lengths;
    std::vector<og_index> stack = {0};
    std::vector<bool> on(n, false);
    on[0] = true;
    AllLengths(g.g, roots, &stack, &on, o.max_depth, &lengths);
    std::sort(lengths.begin(), lengths.end());
    size_t k = 1 + rnd(12);
    og_flags_pred root = {g.g, OG_NODE_ROOT, OG_NODE_ROOT};
    auto paths = Paths(g.g, 0, k, &o, og_flags_pred_fn, &root);
    ASSERT_EQ(std::min(k, lengths.size()), paths.size()) << "round " << round;
    std::set<V> distinct;
    for (size_t i = 0; i < paths.size(); i++) {
      const V &p = paths[i].nodes;
      EXPECT_EQ(lengths[i], p.size()) << "round " << round << " path " << i;
      EXPECT_TRUE(roots.count(p.front()));
      EXPECT_EQ(0u, p.back());
      EXPECT_EQ(p.size(), std::set<og_index>(p.begin(), p.end()).size());  // simple
      for (size_t j = 0; j + 1 < p.size(); j++) {
        EXPECT_FALSE(j > 0 && roots.count(p[j]));  // no root inside a path
        size_t deg;
        ASSERT_EQ(OG_OK, og_graph_out_degree(&deg, g.g, p[j]));
        bool edge = false;
        for (size_t e = 0; e < deg; e++) {
          og_edge_info info;
          ASSERT_EQ(OG_OK, og_graph_edge(&info, g.g, p[j], e));
          edge |= info.target == p[j + 1];
        }
        EXPECT_TRUE(edge);
      }
      distinct.insert(p);
    }
    EXPECT_EQ(paths.size(), distinct.size());
  }
}

TEST(Paths, AStarFallsBackWhenTheWalkerGrows) {
  ForceAStar mode(true);
  TreeWalker t(1, 1u << 12);
  for (og_index i = 0; t.count < 1001; i++) {  // mint nodes up to 1000
    og_span sp;
    TreeWalker::Neighbors(&t, OG_DIR_OUT, i, &sp);
  }
  Pred root{{0}};
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  og_paths *p = nullptr;
  ASSERT_EQ(OG_OK, og_search_paths(&p, &t.w, 1000, 3, &o, Pred::Fn, &root));
  ASSERT_EQ(1u, og_paths_count(p));  // a tree: one path
  og_path_info info;
  ASSERT_EQ(OG_OK, og_paths_get(&info, p, 0));
  EXPECT_EQ(V({0, 2, 6, 14, 30, 61, 124, 249, 499, 1000}), V(info.nodes, info.nodes + info.length));
  EXPECT_GT(t.count, 1001u);  // computing h walked out-edges and minted nodes
  og_paths_free(p);
}

TEST(Search, AllocationFailures) {
  for (bool astar : {false, true}) {
  ForceAStar mode(astar);
  Graph g(Retainers());
  Walker w(g.g);
  og_flags_pred mod = {g.g, OG_NODE_MODULE, OG_NODE_MODULE};
  algo::CountingAlloc ca;
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.alloc = &ca.a;
  o.dir = OG_DIR_IN;
  algo::FailEachAllocation(&ca, [&]() {
    og_indices *l = nullptr;
    og_paths *p = nullptr;
    int rc = og_search_chain(&l, &w.w, 5, &o, og_flags_pred_fn, &mod);
    if (rc == OG_OK) rc = og_search_paths(&p, &w.w, 5, 5, &o, og_flags_pred_fn, &mod);
    if (rc == OG_OK && og_paths_count(p) != 3) rc = OG_ERROR;
    og_indices_free(l);
    og_paths_free(p);
    return rc;
  });
  }
}

// ---- adversarial sizes: linear time, ~1M nodes or edges --------------------------------------

og_index Big() { return algo::BigTests() ? 1000000 : 50000; }

TEST(Adversarial, LongChainSearchedBackwards) {
  const og_index n = Big();
  Graph g(algo::Chain(n));
  Pred head{{0}};
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  o.max_depth = UINT32_MAX;
  Walker w(g.g);
  og_indices *l = nullptr;
  ASSERT_EQ(OG_OK, og_search_chain(&l, &w.w, n - 1, &o, Pred::Fn, &head));
  ASSERT_EQ(n, og_indices_count(l));
  EXPECT_EQ(n - 1, og_indices_data(l)[0]);
  EXPECT_EQ(0u, og_indices_data(l)[n - 1]);
  og_indices_free(l);
  // k paths: one path, and every spur of it is cut off at once (no quadratic rounds)
  og_paths *p = nullptr;
  ASSERT_EQ(OG_OK, og_search_paths(&p, &w.w, n - 1, 3, &o, Pred::Fn, &head));
  ASSERT_EQ(1u, og_paths_count(p));
  og_path_info info;
  ASSERT_EQ(OG_OK, og_paths_get(&info, p, 0));
  EXPECT_EQ(n, info.length);
  og_paths_free(p);
}

TEST(Adversarial, NodeWithMillionReferrers) {
  const og_index n = Big();
  GB b;
  og_type t = b.Type("T", "m.T");
  for (og_index i = 0; i <= n; i++) b.Node(i + 1, t);
  for (og_index i = 1; i <= n; i++) b.Edge(i, 0);
  Graph g(b.Finish());
  Pred none;
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  Walker w(g.g);
  og_indices *l = nullptr;
  ASSERT_EQ(OG_OK, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &none));
  EXPECT_EQ(V({0}), Vec(l));
  EXPECT_EQ(static_cast<size_t>(n) + 1, none.calls.size());
  og_indices_free(l);
  Pred last{{n}};
  og_paths *p = nullptr;
  ASSERT_EQ(OG_OK, og_search_paths(&p, &w.w, 0, 3, &o, Pred::Fn, &last));
  EXPECT_EQ(1u, og_paths_count(p));
  og_paths_free(p);
}

TEST(Adversarial, MillionNodeCycle) {
  const og_index n = Big();
  Graph g(algo::Chain(n, true));
  Pred none;
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.max_depth = UINT32_MAX;
  Walker w(g.g);
  og_indices *l = nullptr;
  ASSERT_EQ(OG_OK, og_search_chain(&l, &w.w, n / 2, &o, Pred::Fn, &none));
  EXPECT_EQ(V({n / 2}), Vec(l));
  EXPECT_EQ(static_cast<size_t>(n), none.calls.size());
  og_indices_free(l);
}

TEST(Adversarial, CompleteBipartiteBlock) {
  const og_index k = algo::BigTests() ? 1000 : 200;  // k*k edges
  GB b;
  og_type t = b.Type("T", "m.T");
  b.Node(1, t, 0, OG_NODE_ROOT);  // 0: S -> every left node
  for (og_index i = 0; i < 2 * k; i++) b.Node(i + 2, t);
  for (og_index i = 0; i < k; i++) b.Edge(0, 1 + i);
  for (og_index i = 0; i < k; i++)
    for (og_index j = 0; j < k; j++) b.Edge(1 + i, 1 + k + j);
  Graph g(b.Finish());
  Walker w(g.g);
  Pred none;
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  og_indices *l = nullptr;
  ASSERT_EQ(OG_OK, og_search_chain(&l, &w.w, 0, &o, Pred::Fn, &none));
  EXPECT_EQ(static_cast<size_t>(2 * k + 1), none.calls.size());
  og_indices_free(l);
  og_flags_pred root = {g.g, OG_NODE_ROOT, OG_NODE_ROOT};
  og_paths *p = nullptr;
  ASSERT_EQ(OG_OK, og_search_paths(&p, &w.w, 1 + k, 5, &o, og_flags_pred_fn, &root));
  ASSERT_EQ(5u, og_paths_count(p));
  for (size_t i = 0; i < 5; i++) {
    og_path_info info;
    ASSERT_EQ(OG_OK, og_paths_get(&info, p, i));
    EXPECT_EQ(V({0, static_cast<og_index>(1 + i), 1 + k}), V(info.nodes, info.nodes + info.length));
  }
  og_paths_free(p);
}

}  // namespace
