// DOT and JSON emitters: byte-for-byte goldens made by upstream objgraph (golden/make_golden.py),
// objgraph's upstream ShowGraphTest texts, decorators, quoting, JSON validity, errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "og/og.h"
}

namespace {

std::string ReadFile(const std::string &name) {
  std::ifstream f("tests/engine/golden/" + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing golden " << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// On a mismatch the actual bytes land in the test's undeclared outputs (to refresh a golden).
void ExpectGolden(const std::string &name, const std::string &actual) {
  std::string want = ReadFile(name);
  if (want != actual) {
    if (const char *dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
      std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << actual;
    }
  }
  EXPECT_EQ(want, actual) << "golden " << name;
}

std::string Unhex(const std::string &h) {
  if (h == "-") return "";
  std::string s;
  for (size_t i = 0; i + 1 < h.size(); i += 2) s += (char)std::stoi(h.substr(i, 2), nullptr, 16);
  return s;
}

// A graph built through og_builder, nodes addressed by og_id.
struct Graph {
  og_builder *b = nullptr;
  og_graph *g = nullptr;
  std::map<std::string, og_type> types;
  Graph() { EXPECT_EQ(og_builder_new(&b, nullptr), OG_OK); }
  ~Graph() {
    og_graph_free(g);
    og_builder_free(b);
  }
  og_str Str(const std::string &s) {
    og_str h;
    EXPECT_EQ(og_builder_intern(&h, b, s.data(), s.size()), OG_OK);
    return h;
  }
  og_index Node(og_id id, const std::string &type, const std::string *label, uint32_t flags = 0,
                uint64_t size = 0) {
    if (!types.count(type)) {
      std::string lng = "builtins." + type;
      EXPECT_EQ(og_builder_add_type(&types[type], b, type.data(), type.size(), lng.data(), lng.size()), OG_OK);
    }
    og_index i;
    EXPECT_EQ(og_builder_add_node(&i, b, id, types[type], size, flags, 1, label ? Str(*label) : OG_STR_NONE), OG_OK);
    return i;
  }
  og_index Node(og_id id, const std::string &type, const std::string &label, uint32_t flags = 0) {
    return Node(id, type, &label, flags);
  }
  og_index Idx(og_id id) {
    og_index i;
    if (g) EXPECT_EQ(og_graph_find(&i, g, id), OG_OK);
    else EXPECT_EQ(og_builder_find(&i, b, id), OG_OK);
    return i;
  }
  void Edge(og_id a, og_id z, og_edge_kind kind = OG_EDGE_OTHER, uint32_t label = OG_STR_NONE) {
    EXPECT_EQ(og_builder_add_edge(b, Idx(a), Idx(z), kind, label), OG_OK);
  }
  void EdgeS(og_id a, og_id z, og_edge_kind kind, const std::string &label) { Edge(a, z, kind, Str(label)); }
  og_graph *Finish() {
    EXPECT_EQ(og_builder_finish(&g, b), OG_OK);
    return g;
  }
};

struct IdSet {
  Graph *gr;
  std::set<og_index> s;
  static int Has(void *p, og_index n) { return static_cast<IdSet *>(p)->s.count(n) ? 1 : 0; }
};

// Runs og_emit_subgraph over a graph's CSR walker.
std::string Emit(og_graph *g, std::vector<og_index> starts, const og_subgraph_options *o,
                 const og_emit_decorator *dec = nullptr, og_emit_format fmt = OG_EMIT_DOT,
                 size_t *nodes = nullptr, int *rc_out = nullptr) {
  og_walker w;
  EXPECT_EQ(og_graph_walker(&w, g), OG_OK);
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.format = fmt;
  og_buf buf = OG_BUF_INIT;
  int rc = og_emit_subgraph(nodes, &w, starts.data(), starts.size(), o, g, dec, &eo, og_buf_write, &buf);
  if (rc_out) *rc_out = rc;
  else EXPECT_EQ(rc, OG_OK) << og_error_last();
  std::string s(buf.ptr ? buf.ptr : "", buf.size);
  og_buf_dispose(&buf);
  return s;
}

// ---- goldens made by upstream objgraph ---------------------------------------------------

struct GoldenCase {
  Graph gr;
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  std::vector<og_index> starts, ignore;
  IdSet filter{}, cull{}, highlight{};
  bool has_filter = false;

  explicit GoldenCase(const std::string &name) {
    std::istringstream in(ReadFile(name + ".graph"));
    std::string line;
    std::map<std::string, std::vector<og_id>> lists;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string tag;
      ls >> tag;
      if (tag == "node") {
        og_id id;
        std::string type, label;
        uint32_t flags;
        ls >> id >> type >> flags >> label;
        std::string l = Unhex(label);
        gr.Node(id, Unhex(type), label == "-" ? nullptr : &l, flags);
      } else if (tag == "edge") {
        og_id a, z;
        int kind;
        std::string label;
        ls >> a >> z >> kind >> label;
        if (label == "-") gr.Edge(a, z, (og_edge_kind)kind);
        else if (kind == OG_EDGE_INDEX) gr.Edge(a, z, OG_EDGE_INDEX, (uint32_t)std::stoul(label));
        else gr.EdgeS(a, z, (og_edge_kind)kind, Unhex(label));
      } else if (tag == "opt") {
        std::string dir;
        ls >> dir >> o.max_depth >> o.too_many;
        o.dir = dir == "out" ? OG_DIR_OUT : OG_DIR_IN;
      } else {
        og_id id;
        lists[tag];
        while (ls >> id) lists[tag].push_back(id);
      }
    }
    gr.Finish();
    for (og_id id : lists["starts"]) starts.push_back(gr.Idx(id));
    for (og_id id : lists["ignore"]) ignore.push_back(gr.Idx(id));
    for (og_id id : lists["cull"]) cull.s.insert(gr.Idx(id));
    for (og_id id : lists["highlight"]) highlight.s.insert(gr.Idx(id));
    has_filter = lists.count("filter") > 0;
    for (og_id id : lists["filter"]) filter.s.insert(gr.Idx(id));
    o.ignore = ignore.data();
    o.ignore_count = ignore.size();
    if (has_filter) o.filter_fn = IdSet::Has, o.filter_payload = &filter;
    if (!cull.s.empty()) o.cull_fn = IdSet::Has, o.cull_payload = &cull;
    if (!highlight.s.empty()) o.highlight_fn = IdSet::Has, o.highlight_payload = &highlight;
  }
};

size_t CountLabelLines(const std::string &dot) {
  size_t n = 0;
  std::istringstream in(dot);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("  o", 0) == 0 && line.find_first_not_of("0123456789", 3) == line.find("[label="))
      n++;
  return n;
}

class ObjgraphGolden : public ::testing::TestWithParam<const char *> {};

TEST_P(ObjgraphGolden, MatchesObjgraphBytes) {
  std::string name = GetParam();
  GoldenCase c(name);
  size_t nodes = 0;
  std::string dot = Emit(c.gr.g, c.starts, &c.o, nullptr, OG_EMIT_DOT, &nodes);
  ExpectGolden(name + ".dot", dot);
  EXPECT_EQ(nodes, CountLabelLines(dot));
}

INSTANTIATE_TEST_SUITE_P(Cases, ObjgraphGolden,
                         ::testing::Values("chain", "cull", "refs_list7", "backrefs_moo", "deep",
                                           "deep_in", "quoting", "dict_labels", "filter_ignore"));

TEST(Emit, ReferencesTxtNodeCounts) {
  size_t nodes = 0;
  GoldenCase list7("refs_list7");
  Emit(list7.gr.g, list7.starts, &list7.o, nullptr, OG_EMIT_DOT, &nodes);
  EXPECT_EQ(nodes, 6u);
  GoldenCase moo("backrefs_moo");
  Emit(moo.gr.g, moo.starts, &moo.o, nullptr, OG_EMIT_DOT, &nodes);
  EXPECT_EQ(nodes, 6u);
  GoldenCase deep("deep");  // duplicate starts count twice
  Emit(deep.gr.g, deep.starts, &deep.o, nullptr, OG_EMIT_DOT, &nodes);
  EXPECT_EQ(nodes, 6u);
}

// ---- objgraph's ShowGraphTest texts -------------------------------------------------------

const char kBasic[] =
    "digraph ObjectGraph {\n"
    "  node[shape=box, style=filled, fillcolor=white];\n"
    "  o1001[fontcolor=red];\n"
    "  o1001[label=\"TestObject\\nTestObject(A)\"%s];\n"
    "  o1001[fillcolor=\"0,0,1\"];\n"
    "}\n";

std::string Basic(const char *attrs) {
  char buf[512];
  snprintf(buf, sizeof buf, kBasic, attrs);
  return buf;
}

TEST(Emit, UpstreamBasicFileOutput) {
  Graph gr;
  gr.Node(1001, "TestObject", "TestObject(A)");
  gr.Finish();
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  EXPECT_EQ(Emit(gr.g, {0}, &o), Basic(""));
}

int XyAttrs(void *, og_index, og_buf *out) {
  const char *k[] = {"x"}, *v[] = {"y"};
  return og_emit_dot_attrs(out, k, nullptr, v, nullptr, 1);
}

TEST(Emit, UpstreamExtraNodeAttrs) {
  Graph gr;
  gr.Node(1001, "TestObject", "TestObject(A)");
  gr.Finish();
  og_emit_decorator dec = OG_EMIT_DECORATOR_INIT;
  dec.node_attrs = XyAttrs;
  EXPECT_EQ(Emit(gr.g, {0}, nullptr, &dec), Basic(", x=\"y\""));
}

TEST(Emit, UpstreamSimpleChainAndCull) {
  // test_simple_chain / test_cull_func: the chain text (fill 0,0,0.766667 at depth 1 of 3)
  const std::string want =
      "digraph ObjectGraph {\n"
      "  node[shape=box, style=filled, fillcolor=white];\n"
      "  o1[fontcolor=red];\n"
      "  o1[label=\"TestObject\\nTestObject(A)\"];\n"
      "  o1[fillcolor=\"0,0,1\"];\n"
      "  o2 -> o1;\n"
      "  o2[label=\"TestObject\\nTestObject(B)\"];\n"
      "  o2[fillcolor=\"0,0,0.766667\"];\n"
      "}\n";
  Graph gr;
  gr.Node(1, "TestObject", "TestObject(A)");
  gr.Node(2, "TestObject", "TestObject(B)");
  gr.Node(3, "TestObject", "TestObject(C)");
  gr.Edge(2, 1);
  gr.Edge(3, 2);
  gr.Finish();
  IdSet cull{&gr, {1}};
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  o.cull_fn = IdSet::Has;
  o.cull_payload = &cull;
  EXPECT_EQ(Emit(gr.g, {0}, &o), want);
  o.cull_fn = nullptr;  // without the cull, C is drawn at depth 2
  EXPECT_NE(Emit(gr.g, {0}, &o).find("  o3 -> o2;\n  o3[label=\"TestObject\\nTestObject(C)\"];\n"
                                     "  o3[fillcolor=\"0,0,0.533333\"];\n}\n"),
            std::string::npos);
}

// ---- a Python-adapter-like decorator --------------------------------------------------------

struct Deco {
  std::map<og_index, og_id> ids;
  std::map<og_index, std::string> labels;
  std::map<og_index, int> flags;
  int fail_on = -1;
  int calls = 0;
  static Deco *D(void *p) { return static_cast<Deco *>(p); }
  static int Id(void *p, og_index n, og_id *out) {
    *out = D(p)->ids.at(n);
    return OG_OK;
  }
  static int Label(void *p, og_index n, og_buf *out) {
    D(p)->calls++;
    if ((int)n == D(p)->fail_on) return OG_EUSER;
    const std::string &s = D(p)->labels.at(n);
    return og_buf_put(out, s.data(), s.size());
  }
  static int Attrs(void *, og_index n, og_buf *out) {
    const char *k[] = {"url", "shape", "skip"}, *v[] = {"http://e.com/object", "diamond", nullptr};
    return n == 0 ? og_emit_dot_attrs(out, k, nullptr, v, nullptr, 3) : OG_OK;
  }
  static int Flags(void *p, og_index n) { return D(p)->flags.count(n) ? D(p)->flags.at(n) : 0; }
  static int EdgeLabel(void *, og_index s, og_index, uint32_t meta, og_buf *out) {
    EXPECT_EQ(meta, OG_SUBGRAPH_NO_META);  // a lazy walker without meta
    if (s == 0) return og_emit_dot_edge_label(out, "__dict__", 8, 10);
    return og_emit_dot_edge_label(out, "str\n'a b'", 9, -1);
  }
};

// A walker without a graph: 0 -> 1 -> 2, 0 -> 2.
struct Lazy {
  std::vector<std::vector<og_index>> adj{{1, 2}, {2}, {}};
  static int Neighbors(void *ctx, og_dir, og_index n, og_span *s) {
    auto &v = static_cast<Lazy *>(ctx)->adj[n];
    s->nodes = v.data();
    s->count = v.size();
    s->meta = nullptr;
    return OG_OK;
  }
  static og_index Count(void *) { return 3; }
};

TEST(Emit, DecoratorWithoutGraph) {
  Lazy lazy;
  og_walker w{OG_WALKER_VERSION, &lazy, Lazy::Neighbors, Lazy::Count};
  Deco d;
  d.ids = {{0, 140000000000001ull}, {1, 7}, {2, 18446744073709551615ull}};
  d.labels = {{0, "Foo\n<Foo \"x\" at C:\\tmp>"}, {1, "dict\n1 items"}, {2, "str\nnul\0!" }};
  d.labels[2] = std::string("str\nnul\0!", 9);
  d.flags = {{0, OG_EMIT_HAS_DEL}, {1, OG_EMIT_MODULE | OG_EMIT_HIGHLIGHT}, {2, OG_EMIT_MODULE}};
  og_emit_decorator dec = {OG_EMIT_DECORATOR_VERSION, &d, Deco::Id, Deco::Label, Deco::Attrs, Deco::Flags, Deco::EdgeLabel};
  og_buf buf = OG_BUF_INIT;
  og_index start = 0;
  size_t nodes = 0;
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.max_depth = 2;
  ASSERT_EQ(og_emit_subgraph(&nodes, &w, &start, 1, &o, nullptr, &dec, nullptr, og_buf_write, &buf), OG_OK)
      << og_error_last();
  std::string got(buf.ptr, buf.size);
  og_buf_dispose(&buf);
  EXPECT_EQ(nodes, 3u);
  EXPECT_EQ(got,
            "digraph ObjectGraph {\n"
            "  node[shape=box, style=filled, fillcolor=white];\n"
            "  o140000000000001[fontcolor=red];\n"
            "  o140000000000001[label=\"Foo\\n<Foo \\\"x\\\" at C:\\\\tmp>\", shape=\"diamond\", url=\"http://e.com/object\"];\n"
            "  o140000000000001[fillcolor=\"0,0,1\"];\n"
            "  o140000000000001->o140000000000001_has_a_del[color=red,style=dotted,len=0.25,weight=10];\n"
            "  o140000000000001_has_a_del[label=\"__del__\",shape=doublecircle,height=0.25,color=red,fillcolor=\"0,.5,1\",fontsize=6];\n"
            "  o140000000000001 -> o7 [label=\"__dict__\",weight=10];\n"
            "  o140000000000001 -> o18446744073709551615 [label=\"__dict__\",weight=10];\n"
            "  o7[label=\"dict\\n1 items\"];\n"
            "  o7[fillcolor=\"0.6,0.6,0.825\"];\n"
            "  o7 -> o18446744073709551615 [label=\"str\\n'a b'\"];\n"
            "  o18446744073709551615[label=\"str\\nnul\\\\0!\"];\n"
            "  o18446744073709551615[fillcolor=\"0.3,1,0.65\"];\n"
            "}\n");
}

TEST(Emit, DecoratorErrorsStopTheOutput) {
  Lazy lazy;
  og_walker w{OG_WALKER_VERSION, &lazy, Lazy::Neighbors, Lazy::Count};
  Deco d;
  d.ids = {{0, 1}, {1, 2}, {2, 3}};
  d.labels = {{0, "a"}, {1, "b"}, {2, "c"}};
  d.fail_on = 1;
  og_emit_decorator dec = OG_EMIT_DECORATOR_INIT;
  dec.payload = &d;
  dec.node_id = Deco::Id;
  dec.node_label = Deco::Label;
  og_buf buf = OG_BUF_INIT;
  og_index start = 0;
  EXPECT_EQ(og_emit_subgraph(nullptr, &w, &start, 1, nullptr, nullptr, &dec, nullptr, og_buf_write, &buf), OG_EUSER);
  EXPECT_NE(std::string(og_error_last()).find("node_label callback failed on node 1"), std::string::npos);
  EXPECT_EQ(d.calls, 2);
  EXPECT_EQ(buf.size, 0u);  // nothing flushed: the 64 KiB chunk was never full
  og_buf_dispose(&buf);
}

// ---- quoting ----------------------------------------------------------------------------------

std::string Quote(const std::string &s) {
  og_buf b = OG_BUF_INIT;
  EXPECT_EQ(og_emit_dot_quote(&b, s.data(), s.size()), OG_OK);
  std::string r(b.ptr ? b.ptr : "", b.size);
  og_buf_dispose(&b);
  return r;
}

TEST(Emit, QuoteFollowsObjgraph) {
  EXPECT_EQ(Quote("plain"), "plain");
  EXPECT_EQ(Quote("a\"b"), "a\\\"b");
  EXPECT_EQ(Quote("a\\b"), "a\\\\b");
  EXPECT_EQ(Quote("a\nb"), "a\\nb");
  EXPECT_EQ(Quote(std::string("a\0b", 3)), "a\\\\0b");
  EXPECT_EQ(Quote("tab\tcr\r"), "tab\tcr\r");  // nothing else is escaped
  EXPECT_EQ(Quote("ends in \\"), "ends in \\\\");  // issue #30: never a dangling escape
  EXPECT_EQ(Quote("\xd0\xba\xe2\x82\xac\xf0\x9f\x98\x80"), "\xd0\xba\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(Emit, QuoteRepairsInvalidUtf8) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Quote("\xff"), fffd);
  EXPECT_EQ(Quote("a\x80z"), "a" + fffd + "z");
  EXPECT_EQ(Quote("cut \xe2\x82"), "cut " + fffd);         // truncated 3-byte: one U+FFFD
  EXPECT_EQ(Quote("\xe2\x82\""), fffd + "\\\"");            // the quote after it survives
  EXPECT_EQ(Quote("\xc0\xaf"), fffd + fffd);                // overlong
  EXPECT_EQ(Quote("\xed\xa0\x80"), fffd + fffd + fffd);     // surrogate
  EXPECT_EQ(Quote("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
  EXPECT_EQ(Quote("\xf0\x9f\x98"), fffd);
}

TEST(Emit, EdgeLabelAndAttrsHelpers) {
  og_buf b = OG_BUF_INIT;
  ASSERT_EQ(og_emit_dot_edge_label(&b, "key", 3, 2), OG_OK);
  ASSERT_EQ(og_emit_dot_edge_label(&b, "int\n42", 6, -1), OG_OK);
  EXPECT_EQ(std::string(b.ptr, b.size), " [label=\"key\",weight=2] [label=\"int\\n42\"]");
  b.size = 0;
  ASSERT_EQ(og_emit_dot_attrs(&b, nullptr, nullptr, nullptr, nullptr, 0), OG_OK);
  EXPECT_EQ(std::string(b.ptr, b.size), ", ");  // objgraph's empty-dict quirk
  b.size = 0;
  const char *k[] = {"zeta", "a", "mid"}, *v[] = {"1", nullptr, "q\"uote"};
  ASSERT_EQ(og_emit_dot_attrs(&b, k, nullptr, v, nullptr, 3), OG_OK);
  EXPECT_EQ(std::string(b.ptr, b.size), ", mid=\"q\\\"uote\", zeta=\"1\"");
  EXPECT_EQ(og_emit_dot_attrs(nullptr, k, nullptr, v, nullptr, 3), OG_EINVALID);
  EXPECT_EQ(og_emit_dot_attrs(&b, nullptr, nullptr, v, nullptr, 3), OG_EINVALID);
  const char *nk[] = {nullptr};
  EXPECT_EQ(og_emit_dot_attrs(&b, nk, nullptr, v, nullptr, 1), OG_EINVALID);
  EXPECT_EQ(og_emit_dot_quote(&b, nullptr, 3), OG_EINVALID);
  EXPECT_EQ(og_emit_dot_edge_label(nullptr, "x", 1, 1), OG_EINVALID);
  og_buf_dispose(&b);
}

// ---- default edge labels from the IR ------------------------------------------------------

TEST(Emit, DefaultEdgeLabelsFromTheIr) {
  Graph gr;
  gr.Node(1, "Foo", "<Foo>");
  gr.Node(2, "dict", "2 items");
  gr.Node(3, "list", "2 items");
  gr.Node(4, "int", "4");
  gr.Node(5, "frame", "x.py:3", OG_NODE_FRAME);
  gr.Node(6, "dict", nullptr, OG_NODE_ANY_MODULE);  // no label: the type alone
  gr.EdgeS(1, 4, OG_EDGE_ATTR, "count");
  gr.Edge(1, 2, OG_EDGE_DICT);
  gr.EdgeS(2, 4, OG_EDGE_DICT_VALUE, "'x'");
  gr.EdgeS(2, 4, OG_EDGE_DICT_VALUE, "y");  // #49: objgraph would repeat x; the IR knows y
  gr.Edge(3, 4, OG_EDGE_INDEX, 1);
  gr.EdgeS(5, 4, OG_EDGE_LOCAL, "n");
  gr.EdgeS(5, 6, OG_EDGE_GLOBALS, "f_globals");
  gr.EdgeS(3, 6, OG_EDGE_CELL, "cell");
  gr.Edge(2, 6, OG_EDGE_DICT_KEY);
  gr.Finish();
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.max_depth = 1;
  std::string out = Emit(gr.g, {0, 1, 2, 4}, &o);
  for (const char *line : {"  o1 -> o4 [label=\"count\",weight=10];\n",
                           "  o1 -> o2 [label=\"__dict__\",weight=10];\n",
                           "  o2 -> o4 [label=\"x\",weight=2];\n", "  o2 -> o4 [label=\"y\",weight=2];\n",
                           "  o3 -> o4 [label=\"[1]\"];\n", "  o5 -> o4 [label=\"n\",weight=10];\n",
                           "  o5 -> o6 [label=\"f_globals\",weight=10];\n",
                           "  o3 -> o6 [label=\"cell\"];\n", "  o2 -> o6;\n",
                           "  o6[label=\"dict\"];\n", "  o6[fillcolor=\"0.3,1,0.3\"];\n  o6[fontcolor=white];\n"})
    EXPECT_NE(out.find(line), std::string::npos) << line << "\nin\n" << out;
  // backrefs: the label of an in-edge is the first out-edge source -> target (objgraph's rule)
  o.dir = OG_DIR_IN;
  out = Emit(gr.g, {3}, &o);
  EXPECT_NE(out.find("  o2 -> o4 [label=\"x\",weight=2];\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("label=\"y\""), std::string::npos) << out;  // referrers are listed once
  EXPECT_NE(out.find("  o5 -> o4 [label=\"n\",weight=10];\n"), std::string::npos) << out;
}

TEST(Emit, LongNamesAndEmptySelection) {
  Graph gr;
  gr.Node(9, "Foo", "f");
  gr.Finish();
  og_walker w;
  ASSERT_EQ(og_graph_walker(&w, gr.g), OG_OK);
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.long_names = 1;
  og_buf buf = OG_BUF_INIT;
  og_index s = 0;
  ASSERT_EQ(og_emit_subgraph(nullptr, &w, &s, 1, nullptr, gr.g, nullptr, &eo, og_buf_write, &buf), OG_OK);
  EXPECT_NE(std::string(buf.ptr, buf.size).find("o9[label=\"builtins.Foo\\nf\"];"), std::string::npos);
  og_buf_dispose(&buf);
  size_t nodes = 99;
  EXPECT_EQ(Emit(gr.g, {}, nullptr, nullptr, OG_EMIT_DOT, &nodes),
            "digraph ObjectGraph {\n  node[shape=box, style=filled, fillcolor=white];\n}\n");
  EXPECT_EQ(nodes, 0u);
}

// ---- JSON ---------------------------------------------------------------------------------------

// A strict JSON checker (RFC 8259 grammar, UTF-8 validity, no raw control characters).
struct Json {
  const std::string &s;
  size_t i = 0;
  explicit Json(const std::string &t) : s(t) {}
  void Ws() { while (i < s.size() && strchr(" \t\n\r", s[i])) i++; }
  bool Lit(const char *w) {
    size_t n = strlen(w);
    if (s.compare(i, n, w) != 0) return false;
    i += n;
    return true;
  }
  bool Str() {
    if (s[i++] != '"') return false;
    while (i < s.size()) {
      unsigned char c = s[i++];
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        char e = s[i++];
        if (e == 'u') {
          for (int k = 0; k < 4; k++)
            if (!isxdigit((unsigned char)s[i++])) return false;
        } else if (!strchr("\"\\/bfnrt", e)) return false;
      } else if (c >= 0x80) {
        int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : -1;
        if (n < 0 || c > 0xF4) return false;
        for (int k = 0; k < n; k++)
          if (((unsigned char)s[i++] & 0xC0) != 0x80) return false;
      }
    }
    return false;
  }
  bool Num() {
    size_t st = i;
    if (s[i] == '-') i++;
    while (i < s.size() && isdigit((unsigned char)s[i])) i++;
    return i > st;
  }
  bool Val() {
    Ws();
    if (i >= s.size()) return false;
    bool ok;
    char c = s[i];
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      i++;
      Ws();
      if (s[i] == close) {
        i++;
        return true;
      }
      for (;;) {
        Ws();
        if (c == '{') {
          if (!Str()) return false;
          Ws();
          if (s[i++] != ':') return false;
        }
        if (!Val()) return false;
        Ws();
        if (s[i] == ',') {
          i++;
          continue;
        }
        return s[i++] == close;
      }
    }
    if (c == '"') ok = Str();
    else if (c == 't') ok = Lit("true");
    else if (c == 'f') ok = Lit("false");
    else if (c == 'n') ok = Lit("null");
    else ok = Num();
    return ok;
  }
  bool Valid() {
    bool ok = Val();
    Ws();
    return ok && i == s.size();
  }
};

Graph *SmallGraph() {
  auto *gr = new Graph;
  gr->Node(100, "Foo", "Foo(\"a\")\\", OG_NODE_HAS_DEL);
  std::string bad("bad \xff\x01 nul\0.", 12);
  gr->Node(200, "dict", &bad, OG_NODE_CONTAINER, 5000000000ull);
  gr->Node(300, "int", nullptr);
  gr->EdgeS(100, 200, OG_EDGE_DICT, "__dict__");
  gr->EdgeS(200, 300, OG_EDGE_DICT_VALUE, "'k\"ey'");
  gr->Edge(200, 300, OG_EDGE_DICT_KEY);
  gr->Edge(300, 100, OG_EDGE_INDEX, 7);
  gr->Edge(300, 100, (og_edge_kind)13);
  gr->Finish();
  return gr;
}

TEST(Emit, JsonWholeGraphGolden) {
  std::unique_ptr<Graph> gr(SmallGraph());
  og_buf buf = OG_BUF_INIT;
  ASSERT_EQ(og_emit_json_graph(gr->g, nullptr, og_buf_write, &buf), OG_OK);
  std::string out(buf.ptr, buf.size);
  og_buf_dispose(&buf);
  ExpectGolden("small_graph.json", out);
  EXPECT_TRUE(Json(out).Valid()) << out;
}

TEST(Emit, JsonSubgraphGolden) {
  std::unique_ptr<Graph> gr(SmallGraph());
  IdSet hl{gr.get(), {1}};
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.too_many = 1;
  o.highlight_fn = IdSet::Has;
  o.highlight_payload = &hl;
  std::string out = Emit(gr->g, {0, 0}, &o, nullptr, OG_EMIT_JSON);
  ExpectGolden("small_subgraph.json", out);
  EXPECT_TRUE(Json(out).Valid()) << out;
  o.dir = OG_DIR_IN;
  out = Emit(gr->g, {2}, &o, nullptr, OG_EMIT_JSON);
  ExpectGolden("small_subgraph_in.json", out);
  EXPECT_TRUE(Json(out).Valid()) << out;
  out = Emit(gr->g, {}, &o, nullptr, OG_EMIT_JSON);
  EXPECT_TRUE(Json(out).Valid()) << out;
  EXPECT_NE(out.find("\"nodes\": [], \"edges\": []"), std::string::npos) << out;
}

TEST(Emit, JsonEmptyGraphAndDecoratorLabels) {
  Graph gr;
  gr.Finish();
  og_buf buf = OG_BUF_INIT;
  ASSERT_EQ(og_emit_json_graph(gr.g, nullptr, og_buf_write, &buf), OG_OK);
  std::string out(buf.ptr, buf.size);
  EXPECT_TRUE(Json(out).Valid()) << out;
  EXPECT_EQ(out, "{\"directed\": true, \"multigraph\": true, \"graph\": {\"name\": \"ObjectGraph\"}, "
                 "\"nodes\": [], \"edges\": []}\n");
  og_buf_dispose(&buf);
  Lazy lazy;
  og_walker w{OG_WALKER_VERSION, &lazy, Lazy::Neighbors, Lazy::Count};
  Deco d;
  d.ids = {{0, 5}, {1, 6}, {2, 7}};
  d.labels = {{0, "zero\t"}, {1, "one"}, {2, "two"}};
  og_emit_decorator dec = {OG_EMIT_DECORATOR_VERSION, &d, Deco::Id, Deco::Label, nullptr, nullptr, nullptr};
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.format = OG_EMIT_JSON;
  og_index s = 0;
  ASSERT_EQ(og_emit_subgraph(nullptr, &w, &s, 1, nullptr, nullptr, &dec, &eo, og_buf_write, &buf), OG_OK);
  out.assign(buf.ptr, buf.size);
  og_buf_dispose(&buf);
  EXPECT_TRUE(Json(out).Valid()) << out;
  EXPECT_NE(out.find("{\"id\": 5, \"index\": 0, \"label\": \"zero\\u0009\", \"depth\": 0, \"start\": true}"),
            std::string::npos) << out;
  EXPECT_NE(out.find("{\"source\": 6, \"target\": 7}"), std::string::npos) << out;
}

// ---- streaming, chunking, errors ------------------------------------------------------------

struct Sink {
  std::string data;
  std::vector<size_t> sizes;
  int fail_after = -1;
  static int Write(void *p, const char *d, size_t n) {
    auto *s = static_cast<Sink *>(p);
    if (s->fail_after >= 0 && (int)s->sizes.size() >= s->fail_after) return OG_EIO;
    s->data.append(d, n);
    s->sizes.push_back(n);
    return OG_OK;
  }
};

Graph *BigStar(int n) {
  auto *gr = new Graph;
  gr->Node(1, "list", "hub");
  for (int i = 0; i < n; i++) gr->Node(1000 + i, "str", "'" + std::string(20, 'a' + i % 26) + "'");
  for (int i = 0; i < n; i++) gr->Edge(1, 1000 + i, OG_EDGE_INDEX, (uint32_t)i);
  gr->Finish();
  return gr;
}

TEST(Emit, LargeOutputIsChunkedAndIdenticalToBuffered) {
  std::unique_ptr<Graph> gr(BigStar(5000));
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.too_many = 100000;
  std::string whole = Emit(gr->g, {0}, &o);
  ASSERT_GT(whole.size(), 3u * 65536);
  og_walker w;
  ASSERT_EQ(og_graph_walker(&w, gr->g), OG_OK);
  Sink sink;
  og_index s = 0;
  ASSERT_EQ(og_emit_subgraph(nullptr, &w, &s, 1, &o, gr->g, nullptr, nullptr, Sink::Write, &sink), OG_OK);
  EXPECT_EQ(sink.data, whole);
  EXPECT_GE(sink.sizes.size(), 3u);
  for (size_t n : sink.sizes) EXPECT_LE(n, 65536u);
  // whole-graph JSON through the chunked sink
  Sink js;
  ASSERT_EQ(og_emit_json_graph(gr->g, nullptr, Sink::Write, &js), OG_OK);
  EXPECT_TRUE(Json(js.data).Valid());
  // a failing sink stops the emission with its code
  Sink bad;
  bad.fail_after = 1;
  EXPECT_EQ(og_emit_subgraph(nullptr, &w, &s, 1, &o, gr->g, nullptr, nullptr, Sink::Write, &bad), OG_EIO);
  EXPECT_EQ(bad.sizes.size(), 1u);
  bad.sizes.clear();
  EXPECT_EQ(og_emit_json_graph(gr->g, nullptr, Sink::Write, &bad), OG_EIO);
}

TEST(Emit, BadArgumentsAndEventOrder) {
  std::unique_ptr<Graph> gr(SmallGraph());
  og_emitter *e = nullptr;
  og_buf buf = OG_BUF_INIT;
  EXPECT_EQ(og_emit_new(nullptr, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_EINVALID);
  EXPECT_EQ(og_emit_new(&e, gr->g, nullptr, nullptr, nullptr, &buf), OG_EINVALID);
  EXPECT_EQ(e, nullptr);
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.version = 0;
  EXPECT_EQ(og_emit_new(&e, gr->g, nullptr, &eo, og_buf_write, &buf), OG_EINVALID);
  eo = OG_EMIT_OPTIONS_INIT;
  eo.format = (og_emit_format)5;
  EXPECT_EQ(og_emit_new(&e, gr->g, nullptr, &eo, og_buf_write, &buf), OG_EINVALID);
  og_emit_decorator dec = OG_EMIT_DECORATOR_INIT;
  dec.version = 2;
  EXPECT_EQ(og_emit_new(&e, gr->g, &dec, nullptr, og_buf_write, &buf), OG_EINVALID);
  EXPECT_EQ(og_emit_json_graph(nullptr, nullptr, og_buf_write, &buf), OG_EINVALID);
  EXPECT_EQ(og_emit_json_graph(gr->g, &eo, nullptr, &buf), OG_EINVALID);
  EXPECT_EQ(og_emit_visit(nullptr, nullptr), OG_EINVALID);
  EXPECT_EQ(og_emit_node_count(nullptr), 0u);
  og_emit_free(nullptr);

  ASSERT_EQ(og_emit_new(&e, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_OK);
  og_subgraph_event ev = {OG_SUBGRAPH_NODE, 0, OG_DIR_OUT, 3, 0, OG_INDEX_NONE, 0, 0, 0};
  EXPECT_EQ(og_emit_visit(e, &ev), OG_EINVALID);  // NODE before BEGIN
  EXPECT_EQ(og_emit_visit(e, &ev), OG_EINVALID);  // and the emitter stays failed
  og_emit_free(e);

  ASSERT_EQ(og_emit_new(&e, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_OK);
  ev.kind = OG_SUBGRAPH_BEGIN;
  EXPECT_EQ(og_emit_visit(e, &ev), OG_OK);
  EXPECT_EQ(og_emit_visit(e, &ev), OG_EINVALID);  // a second BEGIN
  og_emit_free(e);

  ASSERT_EQ(og_emit_new(&e, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_OK);
  EXPECT_EQ(og_emit_visit(e, &ev), OG_OK);
  ev.kind = OG_SUBGRAPH_NODE;
  ev.node = 77;  // beyond the graph
  EXPECT_EQ(og_emit_visit(e, &ev), OG_EINVALID);
  og_emit_free(e);

  ASSERT_EQ(og_emit_new(&e, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_OK);
  ev.kind = OG_SUBGRAPH_BEGIN;
  EXPECT_EQ(og_emit_visit(e, &ev), OG_OK);
  ev.kind = 42;
  EXPECT_EQ(og_emit_visit(e, &ev), OG_EINVALID);
  og_emit_free(e);

  ASSERT_EQ(og_emit_new(&e, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_OK);
  ev.kind = OG_SUBGRAPH_BEGIN;
  EXPECT_EQ(og_emit_visit(e, &ev), OG_OK);
  ev.kind = OG_SUBGRAPH_END;
  EXPECT_EQ(og_emit_visit(e, &ev), OG_OK);
  EXPECT_EQ(og_emit_visit(e, &ev), OG_EINVALID);  // after END
  og_emit_free(e);
  og_buf_dispose(&buf);

  // og_emit_subgraph passes subgraph argument errors through
  og_walker w;
  ASSERT_EQ(og_graph_walker(&w, gr->g), OG_OK);
  og_index far = 3;
  size_t nodes = 5;
  EXPECT_EQ(og_emit_subgraph(&nodes, &w, &far, 1, nullptr, gr->g, nullptr, nullptr, og_buf_write, &buf), OG_EINVALID);
  EXPECT_EQ(nodes, 0u);
  og_buf_dispose(&buf);
}

}  // namespace
