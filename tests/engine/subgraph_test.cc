// og_subgraph_run: objgraph's _show_graph traversal order, duplicates, depth, too_many, filter,
// ignore, cull, highlight, errors, over a hand-made walker (including one that grows).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "og/og.h"
}

namespace {

// Adjacency lists in both directions; "grow" mints nodes as neighbours are asked for.
struct TestWalker {
  std::vector<std::vector<og_index>> out, in;
  og_index visible = 0;  // node_count reported (grows when lazy)
  bool lazy = false;
  bool fail = false;
  og_index bogus = OG_INDEX_NONE;  // when set, reported as a neighbour of every node

  og_index add() {
    out.emplace_back();
    in.emplace_back();
    visible = (og_index)out.size();
    return visible - 1;
  }
  void edge(og_index a, og_index b) {
    out[a].push_back(b);
    in[b].push_back(a);
  }
  og_walker walker() {
    og_walker w{OG_WALKER_VERSION, this, &Neighbors, &Count};
    return w;
  }
  static int Neighbors(void *ctx, og_dir dir, og_index node, og_span *span) {
    auto *t = static_cast<TestWalker *>(ctx);
    if (t->fail) return OG_EUSER;
    const auto &v = dir == OG_DIR_OUT ? t->out[node] : t->in[node];
    if (t->bogus != OG_INDEX_NONE) {
      span->nodes = &t->bogus;
      span->count = 1;
      span->meta = nullptr;
      return OG_OK;
    }
    for (og_index x : v)
      if (x + 1 > t->visible) t->visible = x + 1;  // lazily "discovered"
    span->nodes = v.data();
    span->meta = nullptr;
    span->count = v.size();
    return OG_OK;
  }
  static og_index Count(void *ctx) { return static_cast<TestWalker *>(ctx)->visible; }
};

// Events rendered as short strings: "S0" start, "N1@2" node 1 depth 2 (+"*" highlighted),
// "E0>1" edge, "T0+3" too-many, "B"/"X3" begin/end.
struct Recorder {
  std::vector<std::string> ev;
  int stop_after = -1;
  static int Visit(void *p, const og_subgraph_event *e) {
    auto *r = static_cast<Recorder *>(p);
    std::string s;
    switch (e->kind) {
      case OG_SUBGRAPH_BEGIN: s = "B"; break;
      case OG_SUBGRAPH_START: s = "S" + std::to_string(e->node); break;
      case OG_SUBGRAPH_NODE:
        s = "N" + std::to_string(e->node) + "@" + std::to_string(e->depth) +
            ((e->flags & OG_SUBGRAPH_HIGHLIGHT) ? "*" : "");
        break;
      case OG_SUBGRAPH_EDGE: s = "E" + std::to_string(e->node) + ">" + std::to_string(e->target); break;
      case OG_SUBGRAPH_TOO_MANY: s = "T" + std::to_string(e->node) + "+" + std::to_string(e->count); break;
      case OG_SUBGRAPH_END: s = "X" + std::to_string(e->count); break;
    }
    r->ev.push_back(s);
    if (r->stop_after >= 0 && (int)r->ev.size() >= r->stop_after) return OG_EUSER;
    return OG_OK;
  }
  std::string joined() const {
    std::string s;
    for (const auto &e : ev) s += (s.empty() ? "" : " ") + e;
    return s;
  }
};

// A predicate over a set of nodes, counting its calls.
struct Pred {
  std::set<og_index> yes;
  int calls = 0;
  int error = 0;
  static int Fn(void *p, og_index n) {
    auto *s = static_cast<Pred *>(p);
    s->calls++;
    if (s->error) return s->error;
    return s->yes.count(n) ? 1 : 0;
  }
};

std::string Trace(TestWalker &t, std::vector<og_index> starts, const og_subgraph_options *o,
                int *rc_out = nullptr) {
  og_walker w = t.walker();
  Recorder r;
  int rc = og_subgraph_run(&w, starts.data(), starts.size(), o, Recorder::Visit, &r);
  if (rc_out) *rc_out = rc;
  else EXPECT_EQ(rc, OG_OK) << og_error_last();
  return r.joined();
}

// 0 -> 1, 0 -> 2, 1 -> 2, 2 -> 3, 3 -> 0
TestWalker Diamond() {
  TestWalker t;
  for (int i = 0; i < 4; i++) t.add();
  t.edge(0, 1);
  t.edge(0, 2);
  t.edge(1, 2);
  t.edge(2, 3);
  t.edge(3, 0);
  return t;
}

TEST(Subgraph, BfsOrderOut) {
  TestWalker t = Diamond();
  EXPECT_EQ(Trace(t, {0}, nullptr), "B S0 N0@0 E0>1 E0>2 N1@1 E1>2 N2@1 E2>3 N3@2 E3>0 X4");
}

TEST(Subgraph, BfsOrderInSwapsEdges) {
  TestWalker t = Diamond();
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  // referrers of 2 are 0, 1; edges drawn neighbour -> target
  EXPECT_EQ(Trace(t, {2}, &o), "B S2 N2@0 E0>2 E1>2 N0@1 E3>0 N1@1 E0>1 N3@2 E2>3 X4");
}

TEST(Subgraph, DuplicateStartsAreEmittedAndExpandedTwice) {
  TestWalker t;
  t.add();
  t.add();
  t.edge(0, 1);
  EXPECT_EQ(Trace(t, {0, 0}, nullptr), "B S0 S0 N0@0 E0>1 N0@0 E0>1 N1@1 X3");
}

TEST(Subgraph, StartReachedAsNeighbourIsNotRequeued) {
  TestWalker t;
  t.add();
  t.add();
  t.edge(0, 1);
  t.edge(1, 0);
  EXPECT_EQ(Trace(t, {0, 1}, nullptr), "B S0 S1 N0@0 E0>1 N1@0 E1>0 X2");
}

TEST(Subgraph, DuplicateNeighboursCountTowardTooMany) {
  TestWalker t;
  t.add();
  t.add();
  for (int i = 0; i < 4; i++) t.edge(0, 1);
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.too_many = 3;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E0>1 E0>1 E0>1 T0+1 N1@1 X2");
  o.too_many = 0;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 T0+4 X1");
  o.too_many = -5;  // Python: n >= -5 always
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 T0+4 X1");
}

TEST(Subgraph, MaxDepth) {
  TestWalker t = Diamond();
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.max_depth = 1;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E0>1 E0>2 N1@1 N2@1 X3");
  o.max_depth = 0;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 X1");
  o.max_depth = -3;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 X1");
}

TEST(Subgraph, FilterHidesAndDoesNotCount) {
  TestWalker t;
  for (int i = 0; i < 5; i++) t.add();
  for (og_index i = 1; i < 5; i++) t.edge(0, i);
  Pred keep;
  keep.yes = {2, 4};  // 0 is a start: never filtered
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.filter_fn = Pred::Fn;
  o.filter_payload = &keep;
  o.too_many = 1;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E0>2 T0+1 N2@1 X2");
  EXPECT_EQ(keep.calls, 4);  // asked for every non-ignored neighbour, even past too_many
}

TEST(Subgraph, IgnoreArrayAndCallback) {
  TestWalker t;
  for (int i = 0; i < 4; i++) t.add();
  t.edge(0, 1);
  t.edge(0, 2);
  t.edge(0, 3);
  t.edge(1, 0);
  og_index ign[] = {1};
  Pred cb;
  cb.yes = {3};
  Pred filter;  // never consulted for ignored nodes
  filter.yes = {0, 1, 2, 3};
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.ignore = ign;
  o.ignore_count = 1;
  o.ignore_fn = Pred::Fn;
  o.ignore_payload = &cb;
  o.filter_fn = Pred::Fn;
  o.filter_payload = &filter;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E0>2 N2@1 X2");
  EXPECT_EQ(filter.calls, 1);
  // an ignored start is still drawn and expanded
  EXPECT_EQ(Trace(t, {1}, &o), "B S1 N1@0 E1>0 N0@1 E0>2 N2@2 X3");
}

TEST(Subgraph, CullDrawsButDoesNotExpand) {
  // objgraph's test_cull_func: A <- B <- C with cull at B, backrefs
  TestWalker t;
  for (int i = 0; i < 3; i++) t.add();
  t.edge(1, 0);
  t.edge(2, 1);
  Pred cull;
  cull.yes = {1};
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  o.cull_fn = Pred::Fn;
  o.cull_payload = &cull;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E1>0 N1@1 X2");
  EXPECT_EQ(cull.calls, 2);
  cull.calls = 0;
  o.max_depth = 1;  // not asked once depth >= max_depth
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E1>0 N1@1 X2");
  EXPECT_EQ(cull.calls, 1);
  cull.yes = {0};  // a culled start: drawn and nothing else
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 X1");
}

TEST(Subgraph, HighlightFlagsNodes) {
  TestWalker t = Diamond();
  Pred hl;
  hl.yes = {0, 2};
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.highlight_fn = Pred::Fn;
  o.highlight_payload = &hl;
  o.max_depth = 1;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0* E0>1 E0>2 N1@1 N2@1* X3");
}

TEST(Subgraph, ReferencesTxtListOfSevenIntsGivesSixNodes) {
  // show_refs([list(range(7))], too_many=5): the list and 5 of its 7 ints
  TestWalker t;
  og_index list = t.add();
  for (int i = 0; i < 7; i++) t.edge(list, t.add());
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.too_many = 5;
  og_walker w = t.walker();
  Recorder r;
  ASSERT_EQ(og_subgraph_run(&w, &list, 1, &o, Recorder::Visit, &r), OG_OK);
  EXPECT_EQ(r.ev.back(), "X6");
  EXPECT_EQ(r.ev[r.ev.size() - 7], "T0+2");
}

TEST(Subgraph, ReferencesTxtStringWith42ReferrersGivesSixNodes) {
  // show_backrefs(['moo'], too_many=5, max_depth=1) with 42 referrers
  TestWalker t;
  og_index moo = t.add();
  for (int i = 0; i < 42; i++) t.edge(t.add(), moo);
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  o.too_many = 5;
  o.max_depth = 1;
  EXPECT_EQ(Trace(t, {moo}, &o),
            "B S0 N0@0 E1>0 E2>0 E3>0 E4>0 E5>0 T0+37 N1@1 N2@1 N3@1 N4@1 N5@1 X6");
}

TEST(Subgraph, EmptyStarts) {
  TestWalker t = Diamond();
  EXPECT_EQ(Trace(t, {}, nullptr), "B X0");
  TestWalker empty;
  og_walker w = empty.walker();
  Recorder r;
  EXPECT_EQ(og_subgraph_run(&w, nullptr, 0, nullptr, Recorder::Visit, &r), OG_OK);
  EXPECT_EQ(r.joined(), "B X0");
}

TEST(Subgraph, LazyWalkerGrowsDuringTraversal) {
  TestWalker t;
  for (int i = 0; i < 5; i++) t.add();
  t.edge(0, 1);
  t.edge(1, 2);
  t.edge(2, 3);
  t.edge(3, 4);
  t.visible = 1;  // only the start is known at the call
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.max_depth = 10;
  EXPECT_EQ(Trace(t, {0}, &o), "B S0 N0@0 E0>1 N1@1 E1>2 N2@2 E2>3 N3@3 E3>4 N4@4 X5");
}

TEST(Subgraph, CallbackAndVisitorErrorsStopTheRun) {
  TestWalker t = Diamond();
  Pred bad;
  bad.error = OG_EUSER;
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  int rc = 0;
  for (int which = 0; which < 4; which++) {
    o = OG_SUBGRAPH_OPTIONS_INIT;
    og_node_pred_fn *fn[] = {&o.filter_fn, &o.ignore_fn, &o.cull_fn, &o.highlight_fn};
    void **pl[] = {&o.filter_payload, &o.ignore_payload, &o.cull_payload, &o.highlight_payload};
    *fn[which] = Pred::Fn;
    *pl[which] = &bad;
    Trace(t, {0}, &o, &rc);
    EXPECT_EQ(rc, OG_EUSER) << which;
    EXPECT_NE(std::string(og_error_last()).find("callback failed"), std::string::npos);
  }
  og_walker w = t.walker();
  Recorder r;
  r.stop_after = 3;
  og_index s = 0;
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, nullptr, Recorder::Visit, &r), OG_EUSER);
  EXPECT_EQ(r.joined(), "B S0 N0@0");
  t.fail = true;
  Trace(t, {0}, nullptr, &rc);
  EXPECT_EQ(rc, OG_EUSER);
}

TEST(Subgraph, BadArguments) {
  TestWalker t = Diamond();
  og_walker w = t.walker();
  Recorder r;
  og_index s = 0, far = 4;
  EXPECT_EQ(og_subgraph_run(nullptr, &s, 1, nullptr, Recorder::Visit, &r), OG_EINVALID);
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, nullptr, nullptr, &r), OG_EINVALID);
  EXPECT_EQ(og_subgraph_run(&w, nullptr, 1, nullptr, Recorder::Visit, &r), OG_EINVALID);
  EXPECT_EQ(og_subgraph_run(&w, &far, 1, nullptr, Recorder::Visit, &r), OG_EINVALID);
  EXPECT_NE(std::string(og_error_last()).find("start 0 is node 4"), std::string::npos);
  og_walker broken = w;
  broken.neighbors = nullptr;
  EXPECT_EQ(og_subgraph_run(&broken, &s, 1, nullptr, Recorder::Visit, &r), OG_EINVALID);
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.version = 99;
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, &o, Recorder::Visit, &r), OG_EINVALID);
  o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = (og_dir)7;
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, &o, Recorder::Visit, &r), OG_EINVALID);
  o = OG_SUBGRAPH_OPTIONS_INIT;
  o.ignore = &far;
  o.ignore_count = 1;
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, &o, Recorder::Visit, &r), OG_EINVALID);
  o.ignore = nullptr;
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, &o, Recorder::Visit, &r), OG_EINVALID);
  EXPECT_TRUE(r.ev.empty());  // nothing is emitted before the arguments are checked
  t.bogus = 99;  // a walker naming a node beyond node_count
  EXPECT_EQ(og_subgraph_run(&w, &s, 1, nullptr, Recorder::Visit, &r), OG_EINVALID);
}

TEST(Subgraph, IsProperModuleOnAGraph) {
  og_builder *b = nullptr;
  ASSERT_EQ(og_builder_new(&b, nullptr), OG_OK);
  og_type ty;
  ASSERT_EQ(og_builder_add_type(&ty, b, "module", 6, "builtins.module", 15), OG_OK);
  og_index a, m;
  ASSERT_EQ(og_builder_add_node(&a, b, 10, ty, 0, OG_NODE_ANY_MODULE, 1, OG_STR_NONE), OG_OK);
  ASSERT_EQ(og_builder_add_node(&m, b, 11, ty, 0, OG_NODE_MODULE | OG_NODE_ANY_MODULE, 1, OG_STR_NONE), OG_OK);
  og_graph *g = nullptr;
  ASSERT_EQ(og_builder_finish(&g, b), OG_OK);
  EXPECT_EQ(og_subgraph_is_proper_module(g, a), 0);
  EXPECT_EQ(og_subgraph_is_proper_module(g, m), 1);
  EXPECT_EQ(og_subgraph_is_proper_module(g, 2), OG_EINVALID);
  EXPECT_EQ(og_subgraph_is_proper_module(nullptr, 0), OG_EINVALID);
  og_graph_free(g);
  og_builder_free(b);
}

TEST(Subgraph, WideFanOutIsLinear) {
  // 200k neighbours, too_many 10: one scan, 10 edges, the rest counted
  TestWalker t;
  og_index hub = t.add();
  for (int i = 0; i < 200000; i++) t.edge(hub, t.add());
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.too_many = 10;
  o.max_depth = 1;
  og_walker w = t.walker();
  Recorder r;
  ASSERT_EQ(og_subgraph_run(&w, &hub, 1, &o, Recorder::Visit, &r), OG_OK);
  EXPECT_EQ(r.ev.back(), "X11");
  EXPECT_EQ(r.ev[13], "T0+199990");
}

// objgraph's _show_graph loop, transcribed directly, as the oracle for random graphs.
std::string Reference(const TestWalker &t, const std::vector<og_index> &starts, og_dir dir,
                      int64_t max_depth, int64_t too_many, const std::set<og_index> &ignore,
                      const std::set<og_index> *keep) {
  std::vector<std::string> ev{"B"};
  std::vector<std::pair<og_index, int64_t>> queue;
  std::map<og_index, int64_t> depth;
  for (og_index s : starts) {
    ev.push_back("S" + std::to_string(s));
    depth[s] = 0;
    queue.push_back({s, 0});
  }
  size_t nodes = 0;
  for (size_t q = 0; q < queue.size(); q++) {
    og_index target = queue[q].first;
    int64_t tdepth = depth[target];
    nodes++;
    ev.push_back("N" + std::to_string(target) + "@" + std::to_string(tdepth));
    if (tdepth >= max_depth) continue;
    int64_t n = 0, skipped = 0;
    for (og_index source : dir == OG_DIR_OUT ? t.out[target] : t.in[target]) {
      if (ignore.count(source)) continue;
      if (keep && !keep->count(source)) continue;
      if (n >= too_many) {
        skipped++;
        continue;
      }
      og_index a = dir == OG_DIR_OUT ? target : source, b = dir == OG_DIR_OUT ? source : target;
      ev.push_back("E" + std::to_string(a) + ">" + std::to_string(b));
      if (!depth.count(source)) {
        depth[source] = tdepth + 1;
        queue.push_back({source, tdepth + 1});
      }
      n++;
    }
    if (skipped > 0) ev.push_back("T" + std::to_string(target) + "+" + std::to_string(skipped));
  }
  ev.push_back("X" + std::to_string(nodes));
  std::string s;
  for (const auto &e : ev) s += (s.empty() ? "" : " ") + e;
  return s;
}

TEST(Subgraph, MatchesObjgraphLoopOnRandomGraphs) {
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 60; iter++) {
    TestWalker t;
    int n = 20 + (int)(rng() % 3000);
    for (int i = 0; i < n; i++) t.add();
    int m = n * (1 + (int)(rng() % 4));
    for (int i = 0; i < m; i++) {
      og_index a = rng() % n, b = rng() % 7 == 0 ? a : rng() % n;  // self loops too
      t.edge(a, b);
      if (rng() % 5 == 0) t.edge(a, b);  // duplicate references
    }
    std::vector<og_index> starts;
    for (int k = 0, ns = (int)(rng() % 4); k < ns; k++) starts.push_back(rng() % n);
    if (!starts.empty() && rng() % 2) starts.push_back(starts[0]);
    std::set<og_index> ignore, keep;
    std::vector<og_index> ign;
    for (int k = 0; k < n / 50; k++) ignore.insert(rng() % n);
    ign.assign(ignore.begin(), ignore.end());
    for (int k = 0; k < n; k++)
      if (rng() % 4) keep.insert(k);
    Pred filter;
    filter.yes = keep;
    bool use_filter = rng() % 2;
    og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
    o.dir = rng() % 2 ? OG_DIR_OUT : OG_DIR_IN;
    o.max_depth = (int64_t)(rng() % 12) - 1;
    o.too_many = (int64_t)(rng() % 8);
    if (rng() % 3 == 0) o.too_many = 1000;
    o.ignore = ign.data();
    o.ignore_count = ign.size();
    if (use_filter) o.filter_fn = Pred::Fn, o.filter_payload = &filter;
    std::string want = Reference(t, starts, o.dir, o.max_depth, o.too_many, ignore,
                                 use_filter ? &keep : nullptr);
    // the same on a walker that reveals nodes only as neighbours are listed
    og_index top = 0;
    for (og_index s : starts) top = std::max(top, s + 1);
    for (og_index x : ign) top = std::max(top, x + 1);
    for (int lazy = 0; lazy < 2; lazy++) {
      t.visible = lazy ? top : (og_index)n;
      EXPECT_EQ(Trace(t, starts, &o), want) << "iteration " << iter << " lazy " << lazy;
    }
  }
}

}  // namespace
