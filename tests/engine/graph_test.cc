// The graph IR: building, interning, CSR and reverse CSR, id lookup, errors, allocation failures.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "og/og.h"
#include "test_alloc.h"

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace {

struct Builder {
  og_builder *b = nullptr;
  explicit Builder(const og_allocator *a = nullptr) { EXPECT_EQ(OG_OK, og_builder_new(&b, a)); }
  ~Builder() { og_builder_free(b); }
};

og_type AddType(og_builder *b, const char *s, const char *l) {
  og_type t = OG_TYPE_NONE;
  EXPECT_EQ(OG_OK, og_builder_add_type(&t, b, s, strlen(s), l, strlen(l)));
  return t;
}

og_str Intern(og_builder *b, const std::string &s) {
  og_str h = OG_STR_NONE;
  EXPECT_EQ(OG_OK, og_builder_intern(&h, b, s.data(), s.size()));
  return h;
}

std::vector<og_index> Neighbors(og_graph *g, og_dir dir, og_index v) {
  og_span s;
  EXPECT_EQ(OG_OK, og_graph_neighbors(&s, g, dir, v));
  return std::vector<og_index>(s.nodes, s.nodes + s.count);
}

TEST(Version, Matches) { EXPECT_STREQ(OG_VERSION_STRING, og_version()); }

TEST(Errors, MessagesAndStrings) {
  og_error_clear();
  EXPECT_STREQ("", og_error_last());
  EXPECT_EQ(OG_EINVALID, og_builder_new(nullptr, nullptr));
  EXPECT_NE(nullptr, strstr(og_error_last(), "out != NULL"));
  EXPECT_STREQ("invalid argument", og_error_str(OG_EINVALID));
  EXPECT_STREQ("unknown error code", og_error_str(12345));
}

TEST(Intern, EqualStringsShareHandles) {
  Builder b;
  og_str a = Intern(b.b, "alpha"), a2 = Intern(b.b, "alpha"), e = Intern(b.b, "");
  std::string withnul("a\0b", 3);
  og_str n = Intern(b.b, withnul), n2 = Intern(b.b, std::string("a\0c", 3));
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, e);
  EXPECT_NE(n, n2);
  for (int i = 0; i < 5000; i++) Intern(b.b, "s" + std::to_string(i));  // forces rehashing
  EXPECT_EQ(a, Intern(b.b, "alpha"));
  og_type t = AddType(b.b, "dict", "builtins.dict");
  EXPECT_EQ(t, AddType(b.b, "dict", "builtins.dict"));
  EXPECT_NE(t, AddType(b.b, "dict", "other.dict"));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  size_t len;
  const char *p = og_graph_str(g, n, &len);
  ASSERT_EQ(3u, len);
  EXPECT_EQ(0, memcmp(p, "a\0b", 3));
  EXPECT_EQ(nullptr, og_graph_str(g, 999999, &len));
  EXPECT_STREQ("builtins.dict", og_graph_type_name(g, t, 1, &len));
  EXPECT_STREQ("dict", og_graph_type_name(g, t, 0, nullptr));
  og_type found;
  EXPECT_EQ(OG_OK, og_graph_find_type(&found, g, "builtins.dict", 13, 1));
  EXPECT_EQ(t, found);
  EXPECT_EQ(OG_ENOTFOUND, og_graph_find_type(&found, g, "nope", 4, 0));
  EXPECT_NE(nullptr, strstr(og_error_last(), "nope"));
  og_graph_free(g);
}

// A small hand-made graph: 0 -> 1, 0 -> 2, 0 -> 1 (duplicate), 2 -> 0, 1 -> 1 (self loop).
og_graph *SmallGraph(bool shuffled_edges) {
  Builder b;
  og_type t = AddType(b.b, "list", "builtins.list");
  og_str lab = Intern(b.b, "x");
  for (og_id id : {100, 200, 300}) {
    EXPECT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, id, t, id * 2, OG_NODE_GC_TRACKED, 1, lab));
  }
  struct E {
    og_index s, d;
    og_edge_kind k;
    uint32_t l;
  };
  std::vector<E> edges = {{0, 1, OG_EDGE_INDEX, 0}, {0, 2, OG_EDGE_INDEX, 1},
                          {0, 1, OG_EDGE_ATTR, lab}, {1, 1, OG_EDGE_OTHER, OG_STR_NONE},
                          {2, 0, OG_EDGE_DICT_VALUE, lab}};
  if (shuffled_edges) edges = {edges[4], edges[0], edges[3], edges[1], edges[2]};
  for (auto &e : edges) EXPECT_EQ(OG_OK, og_builder_add_edge(b.b, e.s, e.d, e.k, e.l));
  og_graph *g = nullptr;
  EXPECT_EQ(OG_OK, og_builder_finish(&g, b.b));
  EXPECT_EQ(0u, og_builder_node_count(b.b));  // the builder is emptied
  return g;
}

void CheckSmallGraph(og_graph *g) {
  ASSERT_EQ(3u, og_graph_node_count(g));
  ASSERT_EQ(5u, og_graph_edge_count(g));
  EXPECT_EQ((std::vector<og_index>{1, 2, 1}), Neighbors(g, OG_DIR_OUT, 0));
  EXPECT_EQ((std::vector<og_index>{1}), Neighbors(g, OG_DIR_OUT, 1));
  EXPECT_EQ((std::vector<og_index>{0}), Neighbors(g, OG_DIR_OUT, 2));
  // referrers: each referrer once, in index order
  EXPECT_EQ((std::vector<og_index>{2}), Neighbors(g, OG_DIR_IN, 0));
  EXPECT_EQ((std::vector<og_index>{0, 1}), Neighbors(g, OG_DIR_IN, 1));
  EXPECT_EQ((std::vector<og_index>{0}), Neighbors(g, OG_DIR_IN, 2));
  og_edge_info e;
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 0, 1));
  EXPECT_EQ(2u, e.target);
  EXPECT_EQ(OG_EDGE_INDEX, e.kind);
  EXPECT_EQ(1u, e.label);
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 1, 0));
  EXPECT_EQ(OG_STR_NONE, e.label);
  EXPECT_EQ(OG_EINVALID, og_graph_edge(&e, g, 1, 1));
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 2));
  EXPECT_EQ(300u, ni.id);
  EXPECT_EQ(600u, ni.size);
  EXPECT_EQ((uint32_t)OG_NODE_GC_TRACKED, ni.flags);
  og_index idx;
  ASSERT_EQ(OG_OK, og_graph_find(&idx, g, 200));
  EXPECT_EQ(1u, idx);
  EXPECT_EQ(OG_ENOTFOUND, og_graph_find(&idx, g, 201));
  EXPECT_EQ(OG_INDEX_NONE, idx);
  EXPECT_EQ(1u, og_graph_lookup(g, 200));
  EXPECT_EQ(OG_INDEX_NONE, og_graph_lookup(g, 201));
  EXPECT_EQ(OG_INDEX_NONE, og_graph_lookup(nullptr, 200));
  size_t deg;
  ASSERT_EQ(OG_OK, og_graph_out_degree(&deg, g, 0));
  EXPECT_EQ(3u, deg);
}

TEST(Graph, CsrAndReverseCsr) {
  og_graph *g = SmallGraph(false);
  CheckSmallGraph(g);
  og_graph_free(g);
}

TEST(Graph, EdgesInAnyOrderKeepPerSourceOrder) {
  og_graph *g = SmallGraph(true);
  CheckSmallGraph(g);
  og_graph_free(g);
}

TEST(Graph, WalkerMatchesGraph) {
  og_graph *g = SmallGraph(false);
  og_walker w;
  ASSERT_EQ(OG_OK, og_graph_walker(&w, g));
  EXPECT_EQ(3u, w.node_count(w.ctx));
  og_span s;
  ASSERT_EQ(OG_OK, w.neighbors(w.ctx, OG_DIR_IN, 1, &s));
  ASSERT_EQ(2u, s.count);
  EXPECT_EQ(nullptr, s.meta);
  ASSERT_EQ(OG_OK, w.neighbors(w.ctx, OG_DIR_OUT, 0, &s));
  ASSERT_EQ(3u, s.count);
  EXPECT_EQ(OG_EDGE_ATTR, OG_META_KIND(s.meta[2]));
  EXPECT_EQ(OG_EINVALID, w.neighbors(w.ctx, OG_DIR_OUT, 3, &s));
  og_graph_free(g);
}

TEST(Graph, EmptyGraph) {
  Builder b;
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  EXPECT_EQ(0u, og_graph_node_count(g));
  EXPECT_EQ(0u, og_graph_edge_count(g));
  EXPECT_EQ(OG_OK, og_graph_build_reverse(g));
  og_span s;
  EXPECT_EQ(OG_EINVALID, og_graph_neighbors(&s, g, OG_DIR_IN, 0));
  og_index i;
  EXPECT_EQ(OG_ENOTFOUND, og_graph_find(&i, g, 0));
  og_graph_free(g);
}

TEST(Graph, BigSizesKeepAllBits) {
  Builder b;
  og_type t = AddType(b.b, "bytes", "builtins.bytes");
  uint64_t sizes[] = {1, (1ull << 32) + 5, 7, UINT32_MAX, UINT32_MAX - 1ull, 1ull << 40};
  for (int i = 0; i < 6; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, i + 1, t, sizes[i], 0, 0, OG_STR_NONE));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  for (og_index i = 0; i < 6; i++) {
    og_node_info ni;
    ASSERT_EQ(OG_OK, og_graph_node(&ni, g, i));
    EXPECT_EQ(sizes[i], ni.size) << i;
  }
  og_graph_free(g);
}

TEST(Graph, IndexLabelsBeyond28BitsAreDropped) {
  Builder b;
  og_type t = AddType(b.b, "list", "builtins.list");
  ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 1, t, 0, 0, 0, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 0, 0, OG_EDGE_INDEX, 0x0FFFFFFEu));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 0, 0, OG_EDGE_INDEX, 0x7FFFFFFFu));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  og_edge_info e;
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 0, 0));
  EXPECT_EQ(0x0FFFFFFEu, e.label);
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 0, 1));
  EXPECT_EQ(OG_STR_NONE, e.label);
  og_graph_free(g);
}

TEST(Errors, BadArgumentsGiveCodesAndMessages) {
  Builder b;
  og_index idx;
  og_str s;
  og_type t = AddType(b.b, "int", "builtins.int");
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, b.b, 1, t + 1, 0, 0, 0, OG_STR_NONE));
  EXPECT_NE(nullptr, strstr(og_error_last(), "unknown type handle"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, b.b, 1, t, 0, 0, 0, 12345));
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, b.b, 1, t, 0, 0x10000, 0, OG_STR_NONE));
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, nullptr, 1, t, 0, 0, 0, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_add_node(&idx, b.b, 1, t, 0, 0, 0, OG_STR_NONE));
  EXPECT_EQ(OG_EEXISTS, og_builder_add_node(&idx, b.b, 1, t, 0, 0, 0, OG_STR_NONE));
  EXPECT_NE(nullptr, strstr(og_error_last(), "0x1 was already added"));
  EXPECT_EQ(1u, og_builder_node_count(b.b));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 0, 1, OG_EDGE_OTHER, OG_STR_NONE));
  EXPECT_NE(nullptr, strstr(og_error_last(), "node index 1 is out of range"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 0, 0, (og_edge_kind)16, OG_STR_NONE));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 0, 0, OG_EDGE_ATTR, 999));
  EXPECT_EQ(OG_EINVALID, og_builder_intern(&s, b.b, nullptr, 3));
  EXPECT_EQ(OG_EINVALID, og_builder_intern(nullptr, b.b, "a", 1));
  EXPECT_EQ(OG_EINVALID, og_builder_set_flags(b.b, 5, 0));
  EXPECT_EQ(OG_EINVALID, og_builder_set_label(b.b, 0, 77));
  EXPECT_EQ(OG_ENOTFOUND, og_builder_find(&idx, b.b, 2));
  EXPECT_EQ(OG_INDEX_NONE, og_builder_lookup(b.b, 2));
  EXPECT_EQ(0u, og_builder_lookup(b.b, 1));
  EXPECT_EQ(OG_OK, og_builder_find(&idx, b.b, 1));
  EXPECT_EQ(0u, idx);
  EXPECT_EQ(OG_EINVALID, og_builder_finish(nullptr, b.b));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  og_node_info ni;
  og_span sp;
  EXPECT_EQ(OG_EINVALID, og_graph_node(&ni, g, 1));
  EXPECT_EQ(OG_EINVALID, og_graph_node(nullptr, g, 0));
  EXPECT_EQ(OG_EINVALID, og_graph_node(&ni, nullptr, 0));
  EXPECT_EQ(OG_EINVALID, og_graph_neighbors(&sp, g, (og_dir)2, 0));
  EXPECT_EQ(0u, og_graph_node_count(nullptr));
  og_allocator bad = {99, nullptr, nullptr};
  og_builder *b2;
  EXPECT_EQ(OG_EINVALID, og_builder_new(&b2, &bad));
  og_graph_free(g);
  og_graph_free(nullptr);
  og_builder_free(nullptr);
}

// A reserved builder that trusts its ids appends most rows and edges on a straight path: it must
// refuse the same bad arguments, and take big sizes and out-of-order sources the slow way.
TEST(Errors, ReservedBuilderRefusesBadArgumentsToo) {
  Builder b;
  ASSERT_EQ(OG_OK, og_builder_trust_ids(b.b));
  ASSERT_EQ(OG_OK, og_builder_reserve(b.b, 16, 16));
  og_index idx = 77;
  og_type t = AddType(b.b, "int", "builtins.int");
  og_str s = Intern(b.b, "x");
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, b.b, 1, t + 1, 0, 0, 0, OG_STR_NONE));
  EXPECT_NE(nullptr, strstr(og_error_last(), "unknown type handle"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, b.b, 1, t, 0, 0, 0, s + 1));
  EXPECT_NE(nullptr, strstr(og_error_last(), "unknown label string handle"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, b.b, 1, t, 0, 0x10000, 0, OG_STR_NONE));
  EXPECT_EQ(OG_EINVALID, og_builder_add_node(&idx, nullptr, 1, t, 0, 0, 0, OG_STR_NONE));
  EXPECT_EQ(77u, idx);
  EXPECT_EQ(0u, og_builder_node_count(b.b));
  ASSERT_EQ(OG_OK, og_builder_add_node(&idx, b.b, 1, t, 5, 0, 2, s));
  ASSERT_EQ(OG_OK, og_builder_add_node(&idx, b.b, 2, t, (uint64_t)1 << 40, 0, 3, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_add_node(&idx, b.b, 3, t, 7, 0, 4, OG_STR_NONE));
  EXPECT_EQ(2u, idx);
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 0, 3, OG_EDGE_OTHER, OG_STR_NONE));
  EXPECT_NE(nullptr, strstr(og_error_last(), "node index 3 is out of range"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 3, 0, OG_EDGE_OTHER, OG_STR_NONE));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 0, 0, (og_edge_kind)16, OG_STR_NONE));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(b.b, 0, 0, OG_EDGE_ATTR, s + 1));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edge(nullptr, 0, 0, OG_EDGE_ATTR, s));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 1, 2, OG_EDGE_ATTR, s));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 1, 0, OG_EDGE_INDEX, 99999));  // an index, not a string
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 0, 1, OG_EDGE_OTHER, OG_STR_NONE));  // back to node 0
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 2, 2, OG_EDGE_OTHER, OG_STR_NONE));
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  EXPECT_EQ(4u, og_graph_edge_count(g));
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 1));
  EXPECT_EQ((uint64_t)1 << 40, ni.size);
  EXPECT_EQ(3u, ni.refcount);
  EXPECT_EQ((std::vector<og_index>{1}), Neighbors(g, OG_DIR_OUT, 0));
  EXPECT_EQ((std::vector<og_index>{2, 0}), Neighbors(g, OG_DIR_OUT, 1));
  og_edge_info e;
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 1, 1));
  EXPECT_EQ(OG_EDGE_INDEX, e.kind);
  EXPECT_EQ(99999u, e.label);
  og_graph_free(g);
}

// og_builder_add_edges: the same graph as one call per edge, grouped or not; a bad edge anywhere in
// a call adds none of it and is named by its position.
TEST(Builder, EdgesAddedInBulk) {
  auto build = [](bool bulk) {
    Builder b;
    og_type t = AddType(b.b, "T", "m.T");
    og_str s = Intern(b.b, "attr");
    for (og_id i = 0; i < 6; i++)
      EXPECT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x10 + i, t, 8, 0, 1, OG_STR_NONE));
    // grouped, then a source going back (node 1 after node 4), then grouped again
    const og_index src[] = {0, 0, 2, 4, 1, 5, 5};
    const og_index dst[] = {1, 2, 3, 0, 4, 5, 0};
    const uint8_t kind[] = {OG_EDGE_ATTR, OG_EDGE_INDEX, OG_EDGE_OTHER, OG_EDGE_DICT_VALUE,
                            OG_EDGE_ATTR, OG_EDGE_INDEX, OG_EDGE_WEAK};
    const uint32_t label[] = {s, 0x7FFFFFFFu, OG_STR_NONE, s, s, 3, OG_STR_NONE};
    if (bulk) {
      EXPECT_EQ(OG_OK, og_builder_add_edges(b.b, src, dst, kind, label, 3));
      EXPECT_EQ(OG_OK, og_builder_add_edges(b.b, src + 3, dst + 3, kind + 3, label + 3, 0));
      EXPECT_EQ(OG_OK, og_builder_add_edges(b.b, src + 3, dst + 3, kind + 3, label + 3, 4));
    } else {
      for (int i = 0; i < 7; i++)
        EXPECT_EQ(OG_OK, og_builder_add_edge(b.b, src[i], dst[i], (og_edge_kind)kind[i], label[i]));
    }
    og_graph *g = nullptr;
    EXPECT_EQ(OG_OK, og_builder_finish(&g, b.b));
    std::vector<std::string> out;
    for (og_index v = 0; v < og_graph_node_count(g); v++)
      for (size_t k = 0; k < Neighbors(g, OG_DIR_OUT, v).size(); k++) {
        og_edge_info e;
        EXPECT_EQ(OG_OK, og_graph_edge(&e, g, v, k));
        out.push_back(std::to_string(e.source) + ">" + std::to_string(e.target) + ":" +
                      std::to_string(e.kind) + ":" + std::to_string(e.label));
      }
    og_graph_free(g);
    return out;
  };
  std::vector<std::string> one = build(false), bulk = build(true);
  EXPECT_EQ(7u, one.size());
  EXPECT_EQ(one, bulk);

  Builder b;
  og_type t = AddType(b.b, "T", "m.T");
  og_str s = Intern(b.b, "attr");
  for (og_id i = 0; i < 3; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x10 + i, t, 8, 0, 1, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 1, 2, OG_EDGE_ATTR, s));
  const og_index src[] = {1, 2, 2}, dst[] = {0, 1, 2};
  const uint8_t kind[] = {OG_EDGE_ATTR, OG_EDGE_ATTR, OG_EDGE_ATTR};
  uint32_t label[] = {s, s, s};
  og_index bad_dst[] = {0, 1, 3}, bad_src[] = {1, 9, 2};
  EXPECT_EQ(OG_EINVALID, og_builder_add_edges(b.b, src, bad_dst, kind, label, 3));
  EXPECT_NE(nullptr, strstr(og_error_last(), "edge 2 of 3: node index 3 is out of range"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edges(b.b, bad_src, dst, kind, label, 3));
  EXPECT_NE(nullptr, strstr(og_error_last(), "edge 1 of 3: node index 9"));
  const uint8_t bad_kind[] = {OG_EDGE_ATTR, 16, OG_EDGE_ATTR};
  EXPECT_EQ(OG_EINVALID, og_builder_add_edges(b.b, src, dst, bad_kind, label, 3));
  EXPECT_NE(nullptr, strstr(og_error_last(), "edge kind 16"));
  label[0] = s + 1;
  EXPECT_EQ(OG_EINVALID, og_builder_add_edges(b.b, src, dst, kind, label, 3));
  EXPECT_NE(nullptr, strstr(og_error_last(), "edge 0 of 3: unknown edge label"));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edges(nullptr, src, dst, kind, label, 3));
  EXPECT_EQ(OG_EINVALID, og_builder_add_edges(b.b, src, nullptr, kind, label, 3));
  label[0] = s;
  ASSERT_EQ(OG_OK, og_builder_add_edges(b.b, src, dst, kind, label, 3));
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  EXPECT_EQ(4u, og_graph_edge_count(g));  // the refused calls left nothing behind
  EXPECT_EQ((std::vector<og_index>{2, 0}), Neighbors(g, OG_DIR_OUT, 1));
  EXPECT_EQ((std::vector<og_index>{1, 2}), Neighbors(g, OG_DIR_OUT, 2));
  og_graph_free(g);
}

TEST(Graph, SetFlagsAndLabel) {
  Builder b;
  og_type t = AddType(b.b, "module", "builtins.module");
  og_str l = Intern(b.b, "os");
  ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 9, t, 0, 0, 0, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_set_flags(b.b, 0, OG_NODE_MODULE | OG_NODE_USER0));
  ASSERT_EQ(OG_OK, og_builder_set_label(b.b, 0, l));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 0));
  EXPECT_EQ((uint32_t)(OG_NODE_MODULE | OG_NODE_USER0), ni.flags);
  EXPECT_STREQ("os", og_graph_str(g, ni.label, nullptr));
  int data = 0;
  og_graph_set_user_data(g, &data);
  EXPECT_EQ(&data, og_graph_user_data(g));
  og_graph_free(g);
}

// Deferred ids: nothing indexed while building; finish checks every id once and builds the map.
TEST(Builder, DeferredIdsAreCheckedAtFinish) {
  Builder b;
  ASSERT_EQ(OG_OK, og_builder_defer_ids(b.b));
  og_type t = AddType(b.b, "T", "m.T");
  for (og_id id : {0x40, 0x10, 0x30})
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, id, t, 8, 0, 1, OG_STR_NONE));
  og_index idx = 7;
  EXPECT_EQ(OG_INDEX_NONE, og_builder_lookup(b.b, 0x10));  // not indexed yet
  EXPECT_EQ(OG_EINVALID, og_builder_find(&idx, b.b, 0x10));
  EXPECT_NE(nullptr, strstr(og_error_last(), "defers its id index"));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 2, 0, OG_EDGE_OTHER, OG_STR_NONE));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  EXPECT_EQ(0u, og_graph_lookup(g, 0x40));
  EXPECT_EQ(1u, og_graph_lookup(g, 0x10));
  EXPECT_EQ(2u, og_graph_lookup(g, 0x30));
  EXPECT_EQ(OG_INDEX_NONE, og_graph_lookup(g, 0x20));
  EXPECT_EQ(std::vector<og_index>({0}), Neighbors(g, OG_DIR_OUT, 2));
  og_graph_free(g);
  // the builder is empty and indexed again: the mode ends with finish
  ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 5, AddType(b.b, "U", "m.U"), 0, 0, 0,
                                       OG_STR_NONE));
  EXPECT_EQ(0u, og_builder_lookup(b.b, 5));
  EXPECT_EQ(OG_EINVALID, og_builder_defer_ids(b.b));  // only before the first node
  EXPECT_NE(nullptr, strstr(og_error_last(), "before the first node"));
  EXPECT_EQ(OG_EINVALID, og_builder_defer_ids(nullptr));
}

// n distinct ids 16 bytes apart, then node `repeat`'s id again, with ids deferred: finish fails
// naming both nodes and leaves the nodes in place.
void ExpectRepeatFailsFinish(og_id n, og_id repeat) {
  Builder b;
  ASSERT_EQ(OG_OK, og_builder_defer_ids(b.b));
  og_type t = AddType(b.b, "T", "m.T");
  for (og_id i = 0; i <= n; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x1000 + (i < n ? i : repeat) * 16, t, 8,
                                         0, 1, OG_STR_NONE));
  og_graph *g = nullptr;
  EXPECT_EQ(OG_EEXISTS, og_builder_finish(&g, b.b));
  EXPECT_EQ(nullptr, g);
  char want[96];
  snprintf(want, sizeof want, "node %u: id 0x%llx duplicates node %u", (unsigned)n,
           (unsigned long long)(0x1000 + repeat * 16), (unsigned)repeat);
  EXPECT_NE(nullptr, strstr(og_error_last(), want)) << og_error_last();
  EXPECT_EQ(n + 1, og_builder_node_count(b.b));  // unchanged: the caller may still free it
}

TEST(Builder, DeferredRepeatedIdFailsFinishAndKeepsTheBuilder) {
  ExpectRepeatFailsFinish(5000, 1234);  // the probe passes other tags before the repeat
}

TEST(Builder, DeferredStringsAreStoredApartAndKeepTheirHandles) {
  Builder b;
  og_str early = Intern(b.b, "early");  // before the mode: indexed at once
  ASSERT_EQ(OG_OK, og_builder_defer_strings(b.b));
  og_str x1 = Intern(b.b, "x"), y = Intern(b.b, "y"), x2 = Intern(b.b, "x"),
         early2 = Intern(b.b, "early");
  EXPECT_NE(x1, x2);  // no search while building, and none at finish
  EXPECT_NE(early, early2);
  og_type t = AddType(b.b, "x", "m.x");  // names interned at once: "x" a third time
  EXPECT_EQ(t, AddType(b.b, "x", "m.x"));
  std::vector<og_str> many;
  for (int i = 0; i < 3000; i++) many.push_back(Intern(b.b, "v" + std::to_string(i % 1000)));
  og_str labels[] = {x2, y, early2, many[2500], OG_STR_NONE};
  for (og_index i = 0; i < 5; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x10 * (i + 1), t, 8, 0, 1, labels[i]));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 0, 1, OG_EDGE_ATTR, x2));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 0, 2, OG_EDGE_INDEX, many[2999]));  // an index
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 3, 0, OG_EDGE_DICT_VALUE, many[1999]));
  ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, 1, 0, OG_EDGE_ATTR, early));  // out of source order
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  // early, x, y, x, early, x (the type's), m.x, then v0..v999 three times: nothing merged
  ASSERT_EQ(3007u, og_graph_str_count(g));
  const char *want[] = {"x", "y", "early", "v500"};
  for (og_index i = 0; i < 4; i++) {
    og_node_info ni;
    ASSERT_EQ(OG_OK, og_graph_node(&ni, g, i));
    EXPECT_EQ(labels[i], ni.label) << i;  // the handles given out stay valid
    EXPECT_STREQ(want[i], og_graph_str(g, ni.label, nullptr)) << i;
  }
  og_node_info last;
  ASSERT_EQ(OG_OK, og_graph_node(&last, g, 4));
  EXPECT_EQ(OG_STR_NONE, last.label);
  og_edge_info e;
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 0, 0));
  EXPECT_EQ(x2, e.label);
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 0, 1));
  EXPECT_EQ(many[2999], e.label);  // indices are not strings
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 3, 0));
  EXPECT_STREQ("v999", og_graph_str(g, e.label, nullptr));
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 1, 0));
  EXPECT_EQ(early, e.label);
  EXPECT_EQ(1u, og_graph_type_count(g));
  EXPECT_STREQ("m.x", og_graph_type_name(g, 0, 1, nullptr));
  og_type found;
  ASSERT_EQ(OG_OK, og_graph_find_type(&found, g, "x", 1, 0));  // the name, not a label "x"
  EXPECT_EQ(0u, found);
  og_graph_free(g);
  // the mode ends with finish
  EXPECT_EQ(Intern(b.b, "again"), Intern(b.b, "again"));
  EXPECT_EQ(OG_EINVALID, og_builder_defer_strings(nullptr));
}

// Trusted ids are neither checked nor indexed at finish: the graph indexes them on its first
// lookup by id, and og_graph_build_index does it ahead (to share the graph between threads).
TEST(Builder, TrustedIdsAreIndexedOnFirstLookup) {
  for (int ahead = 0; ahead < 2; ahead++) {
    Builder b;
    ASSERT_EQ(OG_OK, og_builder_trust_ids(b.b));
    og_type t = AddType(b.b, "T", "m.T");
    for (og_id i = 0; i < 100000; i++)
      ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x1000 + i * 16, t, 8, 0, 1, OG_STR_NONE));
    EXPECT_EQ(OG_INDEX_NONE, og_builder_lookup(b.b, 0x1000));  // not while building
    og_graph *g = nullptr;
    ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
    og_graph_mem before, after;
    ASSERT_EQ(OG_OK, og_graph_memory(&before, g));
    if (ahead) {
      ASSERT_EQ(OG_OK, og_graph_build_index(g));
    }
    og_index at;
    ASSERT_EQ(OG_OK, og_graph_find(&at, g, 0x1000 + 777 * 16));
    EXPECT_EQ(777u, at);
    EXPECT_EQ(99999u, og_graph_lookup(g, 0x1000 + 99999 * 16));
    EXPECT_EQ(OG_INDEX_NONE, og_graph_lookup(g, 0x1008));
    EXPECT_EQ(OG_ENOTFOUND, og_graph_find(&at, g, 0x1008));
    ASSERT_EQ(OG_OK, og_graph_memory(&after, g));
    EXPECT_GT(after.nodes, before.nodes);  // the index exists now, and counts
    EXPECT_EQ(OG_OK, og_graph_build_index(g));  // idempotent
    og_graph_free(g);
  }
  EXPECT_EQ(OG_EINVALID, og_graph_build_index(nullptr));
  Builder late;
  og_type t = AddType(late.b, "T", "m.T");
  ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, late.b, 1, t, 8, 0, 1, OG_STR_NONE));
  EXPECT_EQ(OG_EINVALID, og_builder_trust_ids(late.b));  // only before the first node
}

// Big graphs get their id index on a second thread: a repeat is reported the same way, and a
// graph built after the failure is complete.
TEST(Builder, DeferredRepeatedIdInABigGraph) {
  ExpectRepeatFailsFinish(200000, 123456);
  og_graph *g = nullptr;
  Builder c;
  for (og_id i = 0; i < 200000; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, c.b, 0x1000 + i * 16, AddType(c.b, "T", "m.T"),
                                         8, 0, 1, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_finish(&g, c.b));
  for (og_id i = 0; i < 200000; i += 997) EXPECT_EQ(i, og_graph_lookup(g, 0x1000 + i * 16));
  og_graph_free(g);
}

// A big reservation maps its pages on a second thread (prefault.c) while the columns are
// written; outgrowing it, reserving again and freeing unfinished must each end that job first.
TEST(Builder, BigReservationWrittenOutgrownAndFreed) {
  const og_index n = 300000;
  Builder b;
  og_type t = AddType(b.b, "T", "m.T");
  EXPECT_EQ(nullptr, og_builder_ids(b.b));
  EXPECT_EQ(nullptr, og_builder_ids(nullptr));
  ASSERT_EQ(OG_OK, og_builder_reserve(b.b, n, 2 * (size_t)n));
  ASSERT_EQ(OG_OK, og_builder_prefault(b.b, n));
  for (og_index i = 0; i < n + n / 2; i++) {  // past the reservation: the columns move
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x1000 + (og_id)i * 16, t, i % 1000, 0,
                                         i, OG_STR_NONE));
    ASSERT_EQ(0x1000 + (og_id)i * 16, og_builder_ids(b.b)[i]);
  }
  for (og_index i = 0; i < n + n / 2; i++)
    for (og_index k = 1; k <= 3; k++)  // 1.35M edges, more than reserved
      ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, i, (i + k) % (n + n / 2), OG_EDGE_INDEX, k));
  const og_id *ids = og_builder_ids(b.b);
  for (og_index i = 0; i < n + n / 2; i += 977) EXPECT_EQ(0x1000 + (og_id)i * 16, ids[i]);
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  ASSERT_EQ(n + n / 2, og_graph_node_count(g));
  EXPECT_EQ(3 * (uint64_t)(n + n / 2), og_graph_edge_count(g));
  for (og_index i = 0; i < n + n / 2; i += 977) {
    og_node_info ni;
    ASSERT_EQ(OG_OK, og_graph_node(&ni, g, i));
    EXPECT_EQ(i % 1000, ni.size);
    EXPECT_EQ(i, ni.refcount);
    og_edge_info e;
    ASSERT_EQ(OG_OK, og_graph_edge(&e, g, i, 2));
    EXPECT_EQ((i + 3) % (n + n / 2), e.target);
    EXPECT_EQ(3u, e.label);
  }
  og_graph_free(g);
  Builder c;  // reserved twice, then freed with the job possibly still running
  ASSERT_EQ(OG_OK, og_builder_reserve(c.b, n, (size_t)n));
  ASSERT_EQ(OG_OK, og_builder_prefault(c.b, 0));
  ASSERT_EQ(OG_OK, og_builder_reserve(c.b, 2 * (size_t)n, (size_t)n));
  ASSERT_EQ(OG_OK, og_builder_prefault(c.b, 0));
  EXPECT_EQ(OG_EINVALID, og_builder_prefault(nullptr, 0));
  og_type tc = AddType(c.b, "T", "m.T");
  ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, c.b, 7, tc, 8, 0, 1, OG_STR_NONE));
}

#ifdef __linux__
// Resident pages among those wholly inside [p, p + bytes).
size_t ResidentPages(const void *p, size_t bytes) {
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + bytes) & ~(page - 1);
  if (lo >= hi) return 0;
  std::vector<unsigned char> in((hi - lo) / page);
  EXPECT_EQ(0, mincore((void *)lo, hi - lo, in.data()));
  size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}
#endif

// A builder reserved far above what it holds (a capture sized from an estimate) keeps its node
// columns in place at finish and gives the unused rows' pages back; with another allocator, whose
// memory is not ours to hand back, the columns slide down into a smaller block instead. Every
// row reads back either way.
TEST(Builder, OverReservedRowsGiveTheirPagesBack) {
  const og_index cap = 400000, used = 100000;
  for (int counting = 0; counting < 2; counting++) {
    SCOPED_TRACE(counting ? "counting allocator" : "default allocator");
    ogtest::CountingAlloc ca;
    Builder b(counting ? &ca.a : nullptr);
    og_type t = AddType(b.b, "T", "m.T");
    og_str label = Intern(b.b, "row");
    ASSERT_EQ(OG_OK, og_builder_reserve(b.b, cap, 0));
    for (og_index i = 0; i < used; i++)
      ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x1000 + (og_id)i * 16, t, i % 999,
                                           i % 7, i, i % 3 ? label : OG_STR_NONE));
    // every page of two columns touched, the unused rows' too, as a prefault job would
    og_id *ids = const_cast<og_id *>(og_builder_ids(b.b));
    uint32_t *counts = const_cast<uint32_t *>(og_builder_refcounts(b.b));
    memset(ids + used, 0, (cap - used) * sizeof *ids);
    memset(counts + used, 0, (cap - used) * sizeof *counts);
    og_graph *g = nullptr;
    ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
#ifdef __linux__
    if (!counting) {
      EXPECT_EQ(0u, ResidentPages(ids + used, (cap - used) * sizeof *ids));
      EXPECT_EQ(0u, ResidentPages(counts + used, (cap - used) * sizeof *counts));
      EXPECT_LT(0u, ResidentPages(ids, used * sizeof *ids));  // the rows in use stay
    }
#endif
    ASSERT_EQ(used, og_graph_node_count(g));
    for (og_index i = 0; i < used; i++) {
      og_node_info ni;
      ASSERT_EQ(OG_OK, og_graph_node(&ni, g, i));
      ASSERT_EQ(0x1000 + (og_id)i * 16, ni.id);
      ASSERT_EQ(t, ni.type);
      ASSERT_EQ(i % 999, ni.size);
      ASSERT_EQ(i % 7, ni.flags);
      ASSERT_EQ(i, ni.refcount);
      ASSERT_EQ(i % 3 ? label : OG_STR_NONE, ni.label);
    }
    EXPECT_EQ(used - 1, og_graph_lookup(g, 0x1000 + (og_id)(used - 1) * 16));
    og_graph_mem mem;
    ASSERT_EQ(OG_OK, og_graph_memory(&mem, g));
    EXPECT_LT(mem.nodes, (size_t)cap * 26);  // counted by rows held, not reserved
    og_graph_free(g);
  }
}

// Strings reserved by count and bytes take no allocation while they are interned: the table
// and one arena block were made up front (a capture sizes them from the last one).
TEST(Builder, ReservedStringsAllocateNothing) {
  ogtest::CountingAlloc ca;
  Builder b(&ca.a);
  ASSERT_EQ(OG_OK, og_builder_defer_strings(b.b));
  const size_t n = 5000;
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++) {
    texts.push_back("label-" + std::to_string(i * 7919) + std::string(i % 23, 'x'));
    bytes += texts.back().size();
  }
  ASSERT_EQ(OG_OK, og_builder_reserve_strings(b.b, n, bytes));
  long calls = ca.calls;
  std::vector<og_str> h;
  for (const std::string &t : texts) h.push_back(Intern(b.b, t));
  EXPECT_EQ(calls, ca.calls);  // none: each string's NUL and rounding fit the reserve's margin
  Intern(b.b, std::string(70000, 'y'));  // past the reservation: still interned
  EXPECT_LT(calls, ca.calls);
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  for (size_t i = 0; i < n; i += 97) {
    size_t len = 0;
    const char *p = og_graph_str(g, h[i], &len);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(texts[i], std::string(p, len));
  }
  og_graph_free(g);
  EXPECT_EQ(0, ca.size_mismatches);
}

// The prefault job also maps the string table's room and arena block; interning past that room
// moves the table (the job is ended first), and every string and label stays readable.
TEST(Builder, PrefaultedStringsOutgrown) {
  Builder b;
  ASSERT_EQ(OG_OK, og_builder_defer_strings(b.b));
  const size_t n = 200000;
  ASSERT_EQ(OG_OK, og_builder_reserve(b.b, n, n));
  ASSERT_EQ(OG_OK, og_builder_reserve_strings(b.b, n, 16 * n));
  ASSERT_EQ(OG_OK, og_builder_prefault(b.b, n / 4));
  og_type t = AddType(b.b, "T", "m.T");
  std::vector<og_str> h;
  for (size_t i = 0; i < 3 * n; i++) {  // three times the strings reserved: the table moves
    std::string s = "s" + std::to_string(i);
    h.push_back(Intern(b.b, s));
    if (i < n) {
      ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 16 + 16 * (og_id)i, t, 8, 0, 1, h.back()));
    }
  }
  ASSERT_EQ(OG_OK, og_builder_prefault(b.b, 2 * n));  // more rows first than there is room for
  ASSERT_EQ(OG_OK, og_builder_reserve_strings(b.b, n, 0));  // while a job may run: it ends first
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  for (size_t i = 0; i < 3 * n; i += 4999) {
    size_t len = 0;
    const char *p = og_graph_str(g, h[i], &len);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ("s" + std::to_string(i), std::string(p, len));
  }
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, n - 1));
  EXPECT_EQ(h[n - 1], ni.label);
  og_graph_free(g);
}

TEST(Builder, RefcountColumn) {
  Builder b;
  EXPECT_EQ(nullptr, og_builder_refcounts(nullptr));
  og_type t = AddType(b.b, "T", "m.T");
  for (uint32_t i = 0; i < 1000; i++)
    ASSERT_EQ(OG_OK,
              og_builder_add_node(nullptr, b.b, 8 + 8 * (og_id)i, t, 8, 0, i * 3, OG_STR_NONE));
  const uint32_t *rc = og_builder_refcounts(b.b);
  ASSERT_NE(nullptr, rc);
  for (uint32_t i = 0; i < 1000; i++) ASSERT_EQ(i * 3, rc[i]);
}

TEST(Builder, ReserveIsAHint) {
  Builder b;
  og_type t = AddType(b.b, "T", "m.T");
  ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 1, t, 8, 0, 1, OG_STR_NONE));
  ASSERT_EQ(OG_OK, og_builder_reserve(b.b, 10, 20));
  for (og_id id = 2; id <= 50; id++)  // more than reserved
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, id, t, 8, 0, 1, OG_STR_NONE));
  for (og_index i = 0; i < 50; i++)
    ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, i, (i + 1) % 50, OG_EDGE_OTHER, OG_STR_NONE));
  EXPECT_EQ(OG_ELIMIT, og_builder_reserve(b.b, (size_t)OG_INDEX_NONE, 0));
  EXPECT_NE(nullptr, strstr(og_error_last(), "more than a graph holds"));
  EXPECT_EQ(OG_ELIMIT, og_builder_reserve(b.b, 0, (size_t)UINT32_MAX));
  EXPECT_EQ(OG_EINVALID, og_builder_reserve(nullptr, 1, 1));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  EXPECT_EQ(50u, og_graph_node_count(g));
  EXPECT_EQ(std::vector<og_index>({0}), Neighbors(g, OG_DIR_OUT, 49));
  EXPECT_EQ(49u, og_graph_lookup(g, 50));
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 49));
  EXPECT_EQ(50u, ni.id);
  EXPECT_EQ(8u, ni.size);
  og_graph_free(g);
}

// ---- allocation-failure sweep ------------------------------------------------------------------

// Build a graph that exercises every growth path; returns the first error code.
int BuildAll(const og_allocator *a, bool defer) {
  og_builder *b = nullptr;
  og_graph *g = nullptr;
  int rc = og_builder_new(&b, a);
  if (rc != OG_OK) return rc;
  og_type t = 0;
  og_str s = 0;
  og_span sp;
  if (defer && (rc = og_builder_defer_ids(b)) != OG_OK) goto out;
  if (defer && (rc = og_builder_reserve(b, 1000, 2000)) != OG_OK) goto out;  // then outgrown
  if (defer && (rc = og_builder_defer_strings(b)) != OG_OK) goto out;
  if ((rc = og_builder_add_type(&t, b, "T", 1, "m.T", 3)) != OG_OK) goto out;
  for (int i = 0; i < 3000 && rc == OG_OK; i++) {
    std::string name = "label" + std::to_string(i % 700);
    if ((rc = og_builder_intern(&s, b, name.data(), name.size())) != OG_OK) break;
    uint64_t size = i % 1000 == 0 ? (1ull << 33) : 16;
    rc = og_builder_add_node(nullptr, b, 1000 + i * 8, t, size, 0, 1, s);
  }
  for (int i = 0; i < 3000 && rc == OG_OK; i++)  // grouped by source, then out of order
    rc = og_builder_add_edge(b, i, (i * 7) % 3000, OG_EDGE_ATTR, s);
  for (int i = 2999; i >= 0 && rc == OG_OK; i -= 3) rc = og_builder_add_edge(b, i, 0, OG_EDGE_INDEX, 3);
  if (rc == OG_OK) rc = og_builder_finish(&g, b);
  if (rc == OG_OK) rc = og_graph_neighbors(&sp, g, OG_DIR_IN, 0);
out:
  og_graph_free(g);
  og_builder_free(b);
  return rc;
}

TEST(Alloc, FailEveryAllocationInTurn) {
  ogtest::CountingAlloc ca;
  ogtest::FailEachAllocation(&ca, [&] { return BuildAll(&ca.a, false); });
  ogtest::CountingAlloc cd;
  ogtest::FailEachAllocation(&cd, [&] { return BuildAll(&cd.a, true); });
}

// ---- a large synthetic graph -------------------------------------------------------------------

TEST(Large, MillionNodesThreeMillionEdges) {
  const og_index n = 1000000;
  Builder b;
  og_type types[4];
  for (int k = 0; k < 4; k++) {
    std::string s = "T" + std::to_string(k), l = "mod.T" + std::to_string(k);
    types[k] = AddType(b.b, s.c_str(), l.c_str());
  }
  for (og_index i = 0; i < n; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(nullptr, b.b, 0x10000 + (og_id)i * 48, types[i % 4],
                                         32 + i % 100, OG_NODE_GC_TRACKED, 1, OG_STR_NONE));
  uint64_t seed = 42;
  for (og_index i = 0; i < n; i++) {
    for (int k = 0; k < 3; k++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      og_index t = k == 0 ? (i + 1) % n : (og_index)((seed >> 33) % n);
      ASSERT_EQ(OG_OK, og_builder_add_edge(b.b, i, t, OG_EDGE_OTHER, OG_STR_NONE));
    }
  }
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b.b));
  ASSERT_EQ(n, og_graph_node_count(g));
  ASSERT_EQ(3ull * n, og_graph_edge_count(g));
  ASSERT_EQ(OG_OK, og_graph_build_reverse(g));
  // every out-edge s->t has s among t's referrers; referrer lists are sorted and distinct
  uint64_t in_total = 0;
  for (og_index v = 0; v < n; v++) {
    og_span in;
    ASSERT_EQ(OG_OK, og_graph_neighbors(&in, g, OG_DIR_IN, v));
    for (size_t k = 1; k < in.count; k++) ASSERT_LT(in.nodes[k - 1], in.nodes[k]);
    in_total += in.count;
    og_index found;
    ASSERT_EQ(OG_OK, og_graph_find(&found, g, 0x10000 + (og_id)v * 48));
    ASSERT_EQ(v, found);
  }
  EXPECT_LE(in_total, 3ull * n);
  for (og_index v = 0; v < n; v += 997) {
    og_span out;
    ASSERT_EQ(OG_OK, og_graph_neighbors(&out, g, OG_DIR_OUT, v));
    ASSERT_EQ(3u, out.count);
    EXPECT_EQ((v + 1) % n, out.nodes[0]);
    for (size_t k = 0; k < out.count; k++) {
      og_span in;
      ASSERT_EQ(OG_OK, og_graph_neighbors(&in, g, OG_DIR_IN, out.nodes[k]));
      bool seen = false;
      for (size_t j = 0; j < in.count; j++) seen |= in.nodes[j] == v;
      EXPECT_TRUE(seen);
    }
  }
  og_graph_mem mem;
  ASSERT_EQ(OG_OK, og_graph_memory(&mem, g));
  EXPECT_LE(mem.nodes, 40ull * n);
  EXPECT_LE(mem.edges, 12ull * 3 * n);
  og_graph_free(g);
}

}  // namespace
