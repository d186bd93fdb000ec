// The snapshot codec: round trips, header info, corrupt/truncated/hostile input, atomic saves,
// allocation failures.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "og/og.h"
#include "og/snapshot.h"
extern "C" {
#include "og/v1/snapshot.pb-c.h"
}

namespace {

// ---- helpers --------------------------------------------------------------------------------

// An allocator that counts calls, tracks live/peak bytes per block (by pointer, so a caller's
// old_size is not trusted) and can fail from the Nth call on.
struct CountingAlloc {
  og_allocator a{OG_ALLOCATOR_VERSION, &CountingAlloc::Fn, this};
  long calls = 0;
  long fail_at = -1;
  size_t live = 0, peak = 0;
  std::unordered_map<void *, size_t> blocks;
  static void *Fn(void *ctx, void *ptr, size_t, size_t new_size) {
    auto *c = static_cast<CountingAlloc *>(ctx);
    if (new_size && c->fail_at >= 0 && c->calls >= c->fail_at) return nullptr;
    if (new_size) c->calls++;
    void *p = new_size ? realloc(ptr, new_size) : (free(ptr), nullptr);
    if (ptr && (p || !new_size)) {
      c->live -= c->blocks[ptr];
      c->blocks.erase(ptr);
    }
    if (p) {
      c->blocks[p] = new_size;
      c->live += new_size;
      if (c->live > c->peak) c->peak = c->live;
    }
    return p;
  }
};

std::string TmpDir() {
  const char *t = getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

std::string ReadFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string &path, const std::string &data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), (std::streamsize)data.size());
}

std::vector<std::string> ListDir(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent *e = readdir(d))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) out.push_back(e->d_name);
  closedir(d);
  return out;
}

// A fresh empty directory under the test's temporary directory.
std::string FreshDir(const std::string &name) {
  std::string d = TmpDir() + "/" + name;
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
  EXPECT_EQ(0, system(cmd.c_str()));
  return d;
}

og_str Intern(og_builder *b, const std::string &s) {
  og_str h = OG_STR_NONE;
  EXPECT_EQ(OG_OK, og_builder_intern(&h, b, s.data(), s.size()));
  return h;
}

// A small graph using every field: odd ids, huge sizes, all flags, labels with NUL bytes, every
// edge kind, index labels, self loops, backward edges, nodes without edges.
og_graph *MakeRichGraph(const og_allocator *alloc = nullptr) {
  og_builder *b = nullptr;
  EXPECT_EQ(OG_OK, og_builder_new(&b, alloc));
  og_type tdict, tlist, tobj;
  EXPECT_EQ(OG_OK, og_builder_add_type(&tdict, b, "dict", 4, "builtins.dict", 13));
  EXPECT_EQ(OG_OK, og_builder_add_type(&tlist, b, "list", 4, "builtins.list", 13));
  EXPECT_EQ(OG_OK, og_builder_add_type(&tobj, b, "", 0, "", 0));
  og_str attr = Intern(b, "attr");
  og_str nul = Intern(b, std::string("a\0b", 3));
  og_str lab = Intern(b, "module 'x'");
  const og_id ids[] = {0x7f0000001000ULL, 0x10, 0, UINT64_MAX, 0x7f0000000ff0ULL, 12345, 1ULL << 63};
  const uint64_t sizes[] = {232, 0, 5ULL << 32, UINT64_MAX, 56, 1, 4294967295ULL};
  og_index v;
  for (int i = 0; i < 7; i++) {
    og_type t = i % 3 == 0 ? tdict : i % 3 == 1 ? tlist : tobj;
    og_str l = i == 1 ? lab : i == 4 ? nul : OG_STR_NONE;
    uint32_t flags = i == 3 ? 0xFFFFu : (uint32_t)i;
    uint32_t rc = i == 2 ? UINT32_MAX : (uint32_t)(i * 3);
    EXPECT_EQ(OG_OK, og_builder_add_node(&v, b, ids[i], t, sizes[i], flags, rc, l));
  }
  EXPECT_EQ(OG_OK, og_builder_add_edge(b, 0, 1, OG_EDGE_ATTR, attr));
  EXPECT_EQ(OG_OK, og_builder_add_edge(b, 0, 0, OG_EDGE_OTHER, OG_STR_NONE));
  EXPECT_EQ(OG_OK, og_builder_add_edge(b, 0, 6, OG_EDGE_DICT_VALUE, nul));
  for (int k = 0; k <= OG_EDGE_KIND_MAX; k++) {
    uint32_t label = k == OG_EDGE_INDEX ? 0x0FFFFFFEu : (k % 2 ? lab : OG_STR_NONE);
    EXPECT_EQ(OG_OK, og_builder_add_edge(b, 3, (og_index)(k % 7), (og_edge_kind)k, label));
  }
  EXPECT_EQ(OG_OK, og_builder_add_edge(b, 5, 2, OG_EDGE_INDEX, 0));
  EXPECT_EQ(OG_OK, og_builder_add_edge(b, 6, 0, OG_EDGE_WEAK, OG_STR_NONE));
  og_graph *g = nullptr;
  EXPECT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  return g;
}

// n nodes in a ring plus chords; ids are aligned addresses.
og_graph *MakeRing(og_index n, const og_allocator *alloc = nullptr) {
  og_builder *b = nullptr;
  EXPECT_EQ(OG_OK, og_builder_new(&b, alloc));
  og_type t;
  EXPECT_EQ(OG_OK, og_builder_add_type(&t, b, "node", 4, "m.node", 6));
  og_str name = Intern(b, "next");
  og_index v;
  for (og_index i = 0; i < n; i++)
    EXPECT_EQ(OG_OK, og_builder_add_node(&v, b, 0x1000 + 16ULL * i, t, 64, 1, 1, OG_STR_NONE));
  for (og_index i = 0; i < n; i++) {
    EXPECT_EQ(OG_OK, og_builder_add_edge(b, i, (i + 1) % n, OG_EDGE_ATTR, name));
    if (i % 3 == 0) {
      EXPECT_EQ(OG_OK, og_builder_add_edge(b, i, (i * 7) % n, OG_EDGE_INDEX, i));
    }
  }
  og_graph *g = nullptr;
  EXPECT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  return g;
}

std::string Encode(const og_graph *g, const og_snapshot_options *o = nullptr) {
  og_buf buf = OG_BUF_INIT;
  EXPECT_EQ(OG_OK, og_snapshot_encode(&buf, g, o)) << og_error_last();
  std::string s(buf.ptr ? buf.ptr : "", buf.size);
  og_buf_dispose(&buf);
  return s;
}

int Decode(const std::string &bytes, og_graph **g, const og_snapshot_load_options *o = nullptr) {
  return og_snapshot_decode(g, bytes.data(), bytes.size(), o);
}

void ExpectSameGraph(const og_graph *a, const og_graph *b) {
  ASSERT_EQ(og_graph_node_count(a), og_graph_node_count(b));
  ASSERT_EQ(og_graph_edge_count(a), og_graph_edge_count(b));
  ASSERT_EQ(og_graph_type_count(a), og_graph_type_count(b));
  ASSERT_EQ(og_graph_str_count(a), og_graph_str_count(b));
  for (og_str s = 0; s < og_graph_str_count(a); s++) {
    size_t la, lb;
    const char *pa = og_graph_str(a, s, &la), *pb = og_graph_str(b, s, &lb);
    ASSERT_EQ(std::string(pa, la), std::string(pb, lb)) << "string " << s;
  }
  for (og_type t = 0; t < og_graph_type_count(a); t++)
    for (int lf = 0; lf < 2; lf++) {
      size_t la, lb;
      const char *pa = og_graph_type_name(a, t, lf, &la), *pb = og_graph_type_name(b, t, lf, &lb);
      ASSERT_EQ(std::string(pa, la), std::string(pb, lb)) << "type " << t;
    }
  for (og_index v = 0; v < og_graph_node_count(a); v++) {
    og_node_info x, y;
    ASSERT_EQ(OG_OK, og_graph_node(&x, a, v));
    ASSERT_EQ(OG_OK, og_graph_node(&y, b, v));
    EXPECT_EQ(x.id, y.id) << "node " << v;
    EXPECT_EQ(x.type, y.type) << "node " << v;
    EXPECT_EQ(x.flags, y.flags) << "node " << v;
    EXPECT_EQ(x.size, y.size) << "node " << v;
    EXPECT_EQ(x.refcount, y.refcount) << "node " << v;
    EXPECT_EQ(x.label, y.label) << "node " << v;
    size_t da, db;
    ASSERT_EQ(OG_OK, og_graph_out_degree(&da, a, v));
    ASSERT_EQ(OG_OK, og_graph_out_degree(&db, b, v));
    ASSERT_EQ(da, db) << "node " << v;
    for (size_t k = 0; k < da; k++) {
      og_edge_info e, f;
      ASSERT_EQ(OG_OK, og_graph_edge(&e, a, v, k));
      ASSERT_EQ(OG_OK, og_graph_edge(&f, b, v, k));
      EXPECT_EQ(e.target, f.target) << "edge " << v << "." << k;
      EXPECT_EQ(e.kind, f.kind) << "edge " << v << "." << k;
      EXPECT_EQ(e.label, f.label) << "edge " << v << "." << k;
    }
  }
}

// ---- crafting records by hand ------------------------------------------------------------------

uint32_t Crc32(const std::string &s) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    c ^= ch;
    for (int i = 0; i < 8; i++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

void PutVarint(std::string *s, uint64_t v) {
  while (v >= 0x80) {
    s->push_back((char)(v | 0x80));
    v >>= 7;
  }
  s->push_back((char)v);
}

// Builds a snapshot record by record, so tests can write exactly the fault they want.
struct Crafter {
  std::string bytes = std::string(OG_SNAPSHOT_MAGIC, OG_SNAPSHOT_MAGIC_LEN);
  uint64_t records = 0;
  void Put(Og__V1__Record *r) {
    std::string body(og__v1__record__get_packed_size(r), '\0');
    og__v1__record__pack(r, (uint8_t *)&body[0]);
    PutVarint(&bytes, body.size());
    bytes += body;
    records++;
  }
  // Wrap one message in a Record under its case.
  template <class M>
  void PutMsg(M *m) {
    Og__V1__Record r = OG__V1__RECORD__INIT;
    if constexpr (std::is_same_v<M, Og__V1__Header>) {
      r.body_case = OG__V1__RECORD__BODY_HEADER, r.header = m;
    } else if constexpr (std::is_same_v<M, Og__V1__StringChunk>) {
      r.body_case = OG__V1__RECORD__BODY_STRINGS, r.strings = m;
    } else if constexpr (std::is_same_v<M, Og__V1__TypeChunk>) {
      r.body_case = OG__V1__RECORD__BODY_TYPES, r.types = m;
    } else if constexpr (std::is_same_v<M, Og__V1__NodeChunk>) {
      r.body_case = OG__V1__RECORD__BODY_NODES, r.nodes = m;
    } else if constexpr (std::is_same_v<M, Og__V1__EdgeChunk>) {
      r.body_case = OG__V1__RECORD__BODY_EDGES, r.edges = m;
    } else {
      r.body_case = OG__V1__RECORD__BODY_TRAILER, r.trailer = m;
    }
    Put(&r);
  }
  void Header(uint64_t nodes, uint64_t edges, uint64_t types, uint64_t strings,
              uint32_t version = 1) {
    Og__V1__Header h = OG__V1__HEADER__INIT;
    h.format_version = version;
    h.node_count = nodes;
    h.edge_count = edges;
    h.type_count = types;
    h.string_count = strings;
    PutMsg(&h);
  }
  void Strings(uint64_t first, std::vector<std::string> strs) {
    std::string data;
    std::vector<uint32_t> lens;
    for (auto &s : strs) {
      data += s;
      lens.push_back((uint32_t)s.size());
    }
    Og__V1__StringChunk c = OG__V1__STRING_CHUNK__INIT;
    c.first = first;
    c.data.data = (uint8_t *)data.data();
    c.data.len = data.size();
    c.n_length = lens.size();
    c.length = lens.data();
    PutMsg(&c);
  }
  void Types(uint64_t first, std::vector<uint32_t> shorts, std::vector<uint32_t> longs) {
    Og__V1__TypeChunk c = OG__V1__TYPE_CHUNK__INIT;
    c.first = first;
    c.n_short_name = shorts.size();
    c.short_name = shorts.data();
    c.n_long_name = longs.size();
    c.long_name = longs.data();
    PutMsg(&c);
  }
  // count nodes; id deltas, types and degrees given (degrees may be empty).
  void Nodes(uint64_t first, uint32_t count, std::vector<int64_t> ids, std::vector<uint32_t> types,
             std::vector<uint32_t> degs, std::vector<uint32_t> labels = {}) {
    Og__V1__NodeChunk c = OG__V1__NODE_CHUNK__INIT;
    c.first = first;
    c.count = count;
    c.n_id_delta = ids.size();
    c.id_delta = ids.data();
    c.n_type = types.size();
    c.type = types.data();
    c.n_out_degree = degs.size();
    c.out_degree = degs.data();
    c.n_label = labels.size();
    c.label = labels.data();
    PutMsg(&c);
  }
  void Edges(uint64_t first, uint32_t count, std::vector<int64_t> deltas,
             std::vector<uint32_t> kinds, std::vector<uint32_t> labels = {}) {
    Og__V1__EdgeChunk c = OG__V1__EDGE_CHUNK__INIT;
    c.first = first;
    c.count = count;
    c.n_target_delta = deltas.size();
    c.target_delta = deltas.data();
    c.n_kind = kinds.size();
    c.kind = kinds.data();
    c.n_label = labels.size();
    c.label = labels.data();
    PutMsg(&c);
  }
  void Trailer(uint64_t nodes, uint64_t edges, uint64_t types, uint64_t strings) {
    Og__V1__Trailer t = OG__V1__TRAILER__INIT;
    t.node_count = nodes;
    t.edge_count = edges;
    t.type_count = types;
    t.string_count = strings;
    t.record_count = records;
    t.crc32 = Crc32(bytes);
    PutMsg(&t);
  }
};

// A valid crafted file: 2 strings, 1 type, 3 nodes, 2 edges.
Crafter ValidCrafted() {
  Crafter c;
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 0, 0});
  c.Edges(0, 2, {1, 1}, {0, 1});
  return c;
}

// Decode on the calling thread only, or with the read-ahead thread whatever the size.
int DecodeWith(uint32_t threads, const std::string &bytes, og_graph **g) {
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  lo.threads = threads;
  return Decode(bytes, g, &lo);
}

const uint32_t kThreadModes[] = {OG_SNAPSHOT_THREADS_NONE, OG_SNAPSHOT_THREADS_READER};

// Decoding bytes must fail with OG_EMALFORMED and a message containing `what`, the same message
// whether a second thread reads ahead or not, and whether node and edge chunks are decoded by the
// engine's own decoder or by protobuf-c (the last mode).
void ExpectMalformed(const std::string &bytes, const std::string &what) {
  struct Mode {
    uint32_t threads, decoder;
  };
  const Mode modes[] = {{OG_SNAPSHOT_THREADS_NONE, OG_SNAPSHOT_DECODER_AUTO},
                        {OG_SNAPSHOT_THREADS_READER, OG_SNAPSHOT_DECODER_AUTO},
                        {OG_SNAPSHOT_THREADS_NONE, OG_SNAPSHOT_DECODER_PROTOBUF_C}};
  std::string first;
  for (const Mode &m : modes) {
    og_graph *g = reinterpret_cast<og_graph *>(1);
    og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
    lo.threads = m.threads;
    lo.decoder = m.decoder;
    int rc = Decode(bytes, &g, &lo);
    EXPECT_EQ(OG_EMALFORMED, rc) << og_error_last();
    EXPECT_EQ(nullptr, g);
    std::string msg = og_error_last();
    EXPECT_NE(std::string::npos, msg.find(what)) << msg;
    if (&m == modes) first = msg;
    else EXPECT_EQ(first, msg) << "threads " << m.threads << ", decoder " << m.decoder;
    og_graph_free(rc == OG_OK ? g : nullptr);
  }
}

// ---- round trips --------------------------------------------------------------------------------

TEST(SnapshotRoundTrip, EveryField) {
  og_graph *g = MakeRichGraph();
  std::string bytes = Encode(g);
  og_graph *h = nullptr;
  ASSERT_EQ(OG_OK, Decode(bytes, &h)) << og_error_last();
  ExpectSameGraph(g, h);
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, h, 3));
  EXPECT_EQ(UINT64_MAX, ni.size);
  EXPECT_EQ(UINT64_MAX, ni.id);
  ASSERT_EQ(OG_OK, og_graph_node(&ni, h, 2));
  EXPECT_EQ(5ULL << 32, ni.size);
  og_graph_free(g);
  og_graph_free(h);
}

// A builder with deferred strings may hold equal strings under several handles: the file holds
// each once, and every label, name and index still reads the same after the round trip.
TEST(SnapshotRoundTrip, RepeatedStringsAreWrittenOnce) {
  og_builder *b;
  ASSERT_EQ(OG_OK, og_builder_new(&b, nullptr));
  ASSERT_EQ(OG_OK, og_builder_defer_strings(b));
  og_type t;
  ASSERT_EQ(OG_OK, og_builder_add_type(&t, b, "x", 1, "m.x", 3));
  std::vector<og_str> labels;
  for (int i = 0; i < 200; i++) labels.push_back(Intern(b, i % 3 ? "x" : "v" + std::to_string(i % 7)));
  og_index v;
  for (int i = 0; i < 200; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(&v, b, 0x1000 + 16ULL * i, t, 8, 0, 1, labels[i]));
  for (int i = 0; i < 200; i++) {
    ASSERT_EQ(OG_OK, og_builder_add_edge(b, i, (i + 1) % 200, OG_EDGE_ATTR, labels[199 - i]));
    ASSERT_EQ(OG_OK, og_builder_add_edge(b, i, 0, OG_EDGE_INDEX, 100000 + i));
  }
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  ASSERT_EQ(202u, og_graph_str_count(g));  // "x" and "m.x" for the type, then 200 labels
  og_graph *h = nullptr;
  ASSERT_EQ(OG_OK, Decode(Encode(g), &h)) << og_error_last();
  EXPECT_EQ(9u, og_graph_str_count(h));  // x, m.x, v0..v6: the reader rejects repeats
  EXPECT_STREQ("m.x", og_graph_type_name(h, 0, 1, nullptr));
  for (og_index i = 0; i < 200; i++) {
    og_node_info x, y;
    ASSERT_EQ(OG_OK, og_graph_node(&x, g, i));
    ASSERT_EQ(OG_OK, og_graph_node(&y, h, i));
    EXPECT_STREQ(og_graph_str(g, x.label, nullptr), og_graph_str(h, y.label, nullptr)) << i;
    for (size_t k = 0; k < 2; k++) {
      og_edge_info e, f;
      ASSERT_EQ(OG_OK, og_graph_edge(&e, g, i, k));
      ASSERT_EQ(OG_OK, og_graph_edge(&f, h, i, k));
      EXPECT_EQ(e.target, f.target);
      EXPECT_EQ(e.kind, f.kind);
      if (e.kind == OG_EDGE_INDEX)
        EXPECT_EQ(e.label, f.label);
      else
        EXPECT_STREQ(og_graph_str(g, e.label, nullptr), og_graph_str(h, f.label, nullptr));
    }
  }
  og_graph_free(g);
  og_graph_free(h);
}

TEST(SnapshotRoundTrip, EmptyGraph) {
  og_builder *b;
  ASSERT_EQ(OG_OK, og_builder_new(&b, nullptr));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  std::string bytes = Encode(g);
  og_graph *h = nullptr;
  ASSERT_EQ(OG_OK, Decode(bytes, &h)) << og_error_last();
  ExpectSameGraph(g, h);
  og_graph_free(g);
  og_graph_free(h);
}

TEST(SnapshotRoundTrip, NodesWithoutEdges) {
  og_builder *b;
  ASSERT_EQ(OG_OK, og_builder_new(&b, nullptr));
  og_type t;
  ASSERT_EQ(OG_OK, og_builder_add_type(&t, b, "int", 3, "builtins.int", 12));
  og_index v;
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(OG_OK, og_builder_add_node(&v, b, 1000 - 8 * i, t, 28, 0, 1, OG_STR_NONE));
  og_graph *g;
  ASSERT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  og_graph *h = nullptr;
  ASSERT_EQ(OG_OK, Decode(Encode(g), &h)) << og_error_last();
  ExpectSameGraph(g, h);
  og_graph_free(g);
  og_graph_free(h);
}

TEST(SnapshotRoundTrip, TinyChunksAndFiles) {
  og_graph *g = MakeRing(1000);
  for (uint32_t cn : {1u, 7u, 1000u}) {
    og_snapshot_options o = OG_SNAPSHOT_OPTIONS_INIT;
    o.chunk_nodes = cn;
    o.chunk_edges = cn;
    og_graph *h = nullptr;
    ASSERT_EQ(OG_OK, Decode(Encode(g, &o), &h)) << og_error_last();
    ExpectSameGraph(g, h);
    og_graph_free(h);
  }
  std::string path = FreshDir("tiny") + "/ring.ogsnap";
  ASSERT_EQ(OG_OK, og_snapshot_save(g, path.c_str(), nullptr)) << og_error_last();
  EXPECT_EQ(Encode(g), ReadFile(path)); // deterministic, same bytes through both sinks
  og_graph *h = nullptr;
  ASSERT_EQ(OG_OK, og_snapshot_load(&h, path.c_str(), nullptr)) << og_error_last();
  ExpectSameGraph(g, h);
  og_graph_free(h);
  og_graph_free(g);
}

// Files of 1 MiB and more are read ahead on a second thread by default: same graph as reading
// on the calling thread only, from memory and from a file, with small chunks (many records in
// flight) and with the default ones; an error in a late record is reported the same way.
TEST(SnapshotRoundTrip, ReadAheadThread) {
  og_graph *g = MakeRing(150000);
  og_snapshot_options small = OG_SNAPSHOT_OPTIONS_INIT;
  small.chunk_nodes = small.chunk_edges = 1000;
  std::string path = FreshDir("ahead") + "/ring.ogsnap";
  const og_snapshot_options *opts[] = {nullptr, &small};
  for (const og_snapshot_options *o : opts) {
    std::string bytes = Encode(g, o);
    ASSERT_GE(bytes.size(), 1u << 20);
    for (uint32_t threads : {OG_SNAPSHOT_THREADS_AUTO, OG_SNAPSHOT_THREADS_NONE}) {
      og_graph *h = nullptr;
      ASSERT_EQ(OG_OK, DecodeWith(threads, bytes, &h)) << og_error_last();
      ExpectSameGraph(g, h);
      og_graph_free(h);
    }
    WriteFile(path, bytes);
    og_graph *h = nullptr;
    ASSERT_EQ(OG_OK, og_snapshot_load(&h, path.c_str(), nullptr)) << og_error_last();
    ExpectSameGraph(g, h);
    og_graph_free(h);
    std::string late = bytes;
    late[late.size() * 3 / 4] ^= 0x5a;  // inside an edge chunk, read ahead of the decoding
    std::string first;
    for (uint32_t threads : kThreadModes) {
      h = nullptr;
      EXPECT_EQ(OG_EMALFORMED, DecodeWith(threads, late, &h));
      EXPECT_EQ(nullptr, h);
      if (threads == OG_SNAPSHOT_THREADS_NONE) first = og_error_last();
      else EXPECT_EQ(first, og_error_last());
    }
    WriteFile(path, late.substr(0, late.size() / 2));  // truncated file, read on the thread
    EXPECT_EQ(OG_EMALFORMED, og_snapshot_load(&h, path.c_str(), nullptr));
    EXPECT_NE(nullptr, strstr(og_error_last(), "truncated")) << og_error_last();
  }
  og_graph_free(g);
}

TEST(SnapshotLoadOptions, VersionsAndThreads) {
  og_graph *g = MakeRing(10);
  std::string bytes = Encode(g);
  og_graph_free(g);
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  og_graph *h = nullptr;
  lo.threads = 3;
  EXPECT_EQ(OG_EINVALID, Decode(bytes, &h, &lo));
  EXPECT_NE(nullptr, strstr(og_error_last(), "threads is 3")) << og_error_last();
  lo.version = 1;  // the first layout had no `threads`: not read
  ASSERT_EQ(OG_OK, Decode(bytes, &h, &lo)) << og_error_last();
  og_graph_free(h);
  lo.version = 2;  // the second had no `decoder`: not read
  lo.threads = OG_SNAPSHOT_THREADS_NONE;
  lo.decoder = 7;
  ASSERT_EQ(OG_OK, Decode(bytes, &h, &lo)) << og_error_last();
  og_graph_free(h);
  lo.version = OG_SNAPSHOT_LOAD_OPTIONS_VERSION;
  EXPECT_EQ(OG_EINVALID, Decode(bytes, &h, &lo));
  EXPECT_NE(nullptr, strstr(og_error_last(), "decoder is 7")) << og_error_last();
  lo.decoder = OG_SNAPSHOT_DECODER_PROTOBUF_C;
  ASSERT_EQ(OG_OK, Decode(bytes, &h, &lo)) << og_error_last();
  og_graph_free(h);
  lo.version = OG_SNAPSHOT_LOAD_OPTIONS_VERSION + 1;
  EXPECT_EQ(OG_EINVALID, Decode(bytes, &h, &lo));
  lo.version = 0;
  EXPECT_EQ(OG_EINVALID, Decode(bytes, &h, &lo));
}

TEST(SnapshotRoundTrip, WriteCallbackErrorStops) {
  og_graph *g = MakeRing(10);
  auto fail = [](void *, const char *, size_t) -> int { return OG_EUSER; };
  EXPECT_EQ(OG_EUSER, og_snapshot_write(g, nullptr, fail, nullptr));
  EXPECT_EQ(OG_EINVALID, og_snapshot_write(nullptr, nullptr, og_buf_write, nullptr));
  og_snapshot_options o = OG_SNAPSHOT_OPTIONS_INIT;
  o.version = 99;
  og_buf buf = OG_BUF_INIT;
  EXPECT_EQ(OG_EINVALID, og_snapshot_encode(&buf, g, &o));
  o = OG_SNAPSHOT_OPTIONS_INIT;
  o.metadata_count = 2;
  EXPECT_EQ(OG_EINVALID, og_snapshot_encode(&buf, g, &o));
  og_buf_dispose(&buf);
  og_graph_free(g);
}

// ---- header info --------------------------------------------------------------------------------

TEST(SnapshotInfo, HeaderFields) {
  og_graph *g = MakeRichGraph();
  og_snapshot_kv meta[] = {{"host", "box1"}, {"argv", "python app.py"}};
  og_snapshot_options o = OG_SNAPSHOT_OPTIONS_INIT;
  o.runtime_name = "CPython";
  o.runtime_version = "3.11.7";
  o.pid = 4242;
  o.capture_time_unix_ns = 1700000000123456789LL;
  o.capture_options = "gc_only=1";
  o.metadata = meta;
  o.metadata_count = 2;
  std::string path = FreshDir("info") + "/g.ogsnap";
  ASSERT_EQ(OG_OK, og_snapshot_save(g, path.c_str(), &o)) << og_error_last();
  og_snapshot_header *h = nullptr;
  ASSERT_EQ(OG_OK, og_snapshot_info(&h, path.c_str())) << og_error_last();
  EXPECT_EQ(1u, h->format_version);
  EXPECT_STREQ("CPython", h->runtime_name);
  EXPECT_STREQ("3.11.7", h->runtime_version);
  EXPECT_EQ(4242u, h->pid);
  EXPECT_EQ(1700000000123456789LL, h->capture_time_unix_ns);
  EXPECT_STREQ("gc_only=1", h->capture_options);
  EXPECT_EQ(std::string("objgraph-engine ") + OG_VERSION_STRING, h->writer);
  EXPECT_EQ(og_graph_node_count(g), h->node_count);
  EXPECT_EQ(og_graph_edge_count(g), h->edge_count);
  EXPECT_EQ(og_graph_type_count(g), h->type_count);
  EXPECT_EQ(og_graph_str_count(g), h->string_count);
  ASSERT_EQ(2u, h->metadata_count);
  std::vector<std::string> kv;
  for (size_t i = 0; i < 2; i++) kv.push_back(std::string(h->metadata[i].key) + "=" + h->metadata[i].value);
  std::sort(kv.begin(), kv.end());
  EXPECT_EQ("argv=python app.py", kv[0]);
  EXPECT_EQ("host=box1", kv[1]);
  EXPECT_EQ(ReadFile(path).size(), h->file_size);
  og_snapshot_header_free(h);
  og_snapshot_header_free(nullptr);
  std::string bytes = ReadFile(path);
  ASSERT_EQ(OG_OK, og_snapshot_info_decode(&h, bytes.data(), bytes.size()));
  EXPECT_STREQ("CPython", h->runtime_name);
  og_snapshot_header_free(h);
  EXPECT_EQ(OG_ENOTFOUND, og_snapshot_info(&h, (path + ".missing").c_str()));
  EXPECT_EQ(OG_EMALFORMED, og_snapshot_info_decode(&h, bytes.data(), 12));
  EXPECT_EQ(nullptr, h);
  og_graph_free(g);
}

// ---- corrupt, truncated and hostile input -------------------------------------------------------

TEST(SnapshotCorrupt, TruncatedAtEveryOffset) {
  og_graph *g = MakeRichGraph();
  std::string bytes = Encode(g);
  std::string path = FreshDir("trunc") + "/t.ogsnap";
  for (size_t n = 0; n < bytes.size(); n++) {
    std::string cut = bytes.substr(0, n);
    og_graph *h = nullptr;
    for (uint32_t threads : kThreadModes) {
      ASSERT_EQ(OG_EMALFORMED, DecodeWith(threads, cut, &h)) << "length " << n << " " << threads;
      ASSERT_EQ(nullptr, h);
    }
    WriteFile(path, cut);
    ASSERT_EQ(OG_EMALFORMED, og_snapshot_load(&h, path.c_str(), nullptr)) << "length " << n;
    ASSERT_NE(nullptr, strstr(og_error_last(), path.c_str())) << og_error_last();
    ASSERT_EQ(nullptr, h);
  }
  og_graph_free(g);
}

TEST(SnapshotCorrupt, EveryFlippedByteIsRejected) {
  og_graph *g = MakeRichGraph();
  std::string bytes = Encode(g);
  for (size_t i = 0; i < bytes.size(); i++)
    for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
      std::string bad = bytes;
      bad[i] = (char)(bad[i] ^ mask);
      og_graph *h = nullptr;
      int rc = DecodeWith(kThreadModes[(i + mask) % 2], bad, &h);
      ASSERT_EQ(OG_EMALFORMED, rc) << "byte " << i << " ^ " << mask;
      ASSERT_EQ(nullptr, h);
    }
  og_graph_free(g);
}

TEST(SnapshotCorrupt, RandomBytes) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; round++) {
    std::string s(rng() % 300, '\0');
    for (char &c : s) c = (char)rng();
    if (round % 2) s = std::string(OG_SNAPSHOT_MAGIC) + s; // get past the magic half the time
    og_graph *h = nullptr;
    ASSERT_EQ(OG_EMALFORMED, Decode(s, &h)) << "round " << round;
    ASSERT_EQ(nullptr, h);
  }
}

TEST(SnapshotCorrupt, FilesystemCases) {
  std::string dir = FreshDir("fs");
  og_graph *g = nullptr;
  WriteFile(dir + "/empty", "");
  EXPECT_EQ(OG_EMALFORMED, og_snapshot_load(&g, (dir + "/empty").c_str(), nullptr));
  EXPECT_NE(nullptr, strstr(og_error_last(), "0 bytes is too short")) << og_error_last();
  EXPECT_EQ(OG_EIO, og_snapshot_load(&g, dir.c_str(), nullptr));
  EXPECT_NE(nullptr, strstr(og_error_last(), "directory")) << og_error_last();
  EXPECT_EQ(OG_ENOTFOUND, og_snapshot_load(&g, (dir + "/nope").c_str(), nullptr));
  EXPECT_EQ(OG_ENOTFOUND, og_snapshot_load(&g, (dir + "/empty/x").c_str(), nullptr));
  EXPECT_EQ(OG_EINVALID, og_snapshot_load(&g, nullptr, nullptr));
  EXPECT_EQ(OG_EINVALID, og_snapshot_load(nullptr, "x", nullptr));
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  lo.version = 7;
  EXPECT_EQ(OG_EINVALID, og_snapshot_load(&g, (dir + "/empty").c_str(), &lo));
  EXPECT_EQ(nullptr, g);
  WriteFile(dir + "/text", "hello, this is not a snapshot");
  EXPECT_EQ(OG_EMALFORMED, og_snapshot_load(&g, (dir + "/text").c_str(), nullptr));
  EXPECT_NE(nullptr, strstr(og_error_last(), "magic")) << og_error_last();
}

TEST(SnapshotCorrupt, HugeClaimedLengths) {
  std::string m(OG_SNAPSHOT_MAGIC, OG_SNAPSHOT_MAGIC_LEN);
  std::string s = m;
  PutVarint(&s, 1ULL << 34);
  ExpectMalformed(s, "exceeds the limit");
  s = m;
  PutVarint(&s, 1000);
  s += "abcde";
  ExpectMalformed(s, "exceeds the 5 bytes left");
  ExpectMalformed(m + "\xff\xff\xff\xff\xff\xff", "longer than 5 bytes");
  ExpectMalformed(m + "\x80", "inside a record length");
  // A reader limit below the file's records.
  og_graph *g = MakeRing(100);
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  lo.max_record_bytes = 16;
  og_graph *h = nullptr;
  EXPECT_EQ(OG_EMALFORMED, Decode(Encode(g), &h, &lo));
  og_graph_free(g);
}

TEST(SnapshotCorrupt, CraftedFileIsValid) {
  Crafter c = ValidCrafted();
  c.Trailer(3, 2, 1, 2);
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, Decode(c.bytes, &g)) << og_error_last();
  og_edge_info e;
  ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 0, 1));
  EXPECT_EQ(2u, e.target);
  EXPECT_EQ(OG_EDGE_ATTR, e.kind);
  og_graph_free(g);
}

TEST(SnapshotCorrupt, HeaderCountsDisagree) {
  Crafter c;
  c.Header(1000000000000ULL, 0, 0, 0); // 10^12 nodes: refused before any allocation
  ExpectMalformed(c.bytes, "node_count 1000000000000 exceeds");

  c = Crafter();
  c.Header(4000000000ULL, 0, 1, 2); // plausible claim, tiny file: must not allocate for it
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  c.Nodes(0, 1, {16}, {0}, {});
  c.Trailer(4000000000ULL, 0, 1, 2);
  CountingAlloc ca;
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  lo.alloc = &ca.a;
  og_graph *g = nullptr;
  EXPECT_EQ(OG_EMALFORMED, Decode(c.bytes, &g, &lo));
  EXPECT_NE(nullptr, strstr(og_error_last(), "1 nodes read but the header declares 4000000000"))
      << og_error_last();
  EXPECT_LT(ca.peak, 1u << 20);
  EXPECT_EQ(0u, ca.live);

  c = ValidCrafted();
  c.Trailer(3, 2, 1, 3); // the trailer disagrees with the header
  ExpectMalformed(c.bytes, "disagree with the header");

  c = Crafter();
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 1, 0}); // degrees sum to 3
  ExpectMalformed(c.bytes, "takes the edges beyond");

  c = ValidCrafted();
  c.Trailer(3, 2, 1, 2);
  c.bytes[c.bytes.size() - 3] ^= 0x10; // inside the CRC
  ExpectMalformed(c.bytes, "CRC-32 mismatch");

  c = ValidCrafted();
  ExpectMalformed(c.bytes, "Trailer is missing");

  c = ValidCrafted();
  c.Trailer(3, 2, 1, 2);
  ExpectMalformed(c.bytes + "x", "1 unexpected bytes after the trailer");
}

// Ids are not checked for repeats as a file loads (that would cost a quarter of the load): the
// graph loads whole, and a lookup of the repeated id finds one of its nodes.
void ExpectRepeatedIdLoads(const std::string &bytes, og_id id, og_index first, og_index second) {
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, Decode(bytes, &g)) << og_error_last();
  og_index at = og_graph_lookup(g, id);
  EXPECT_TRUE(at == first || at == second) << at;
  og_node_info a, b;
  ASSERT_EQ(OG_OK, og_graph_node(&a, g, first));
  ASSERT_EQ(OG_OK, og_graph_node(&b, g, second));
  EXPECT_EQ(id, a.id);
  EXPECT_EQ(id, b.id);
  og_graph_free(g);
}

TEST(SnapshotCorrupt, BadContent) {
  auto with_nodes = [](std::vector<int64_t> ids, std::vector<uint32_t> types,
                       std::vector<uint32_t> degs, std::vector<uint32_t> labels = {}) {
    Crafter c;
    c.Header(3, 2, 1, 2);
    c.Strings(0, {"T", "mod.T"});
    c.Types(0, {0}, {1});
    c.Nodes(0, 3, ids, types, degs, labels);
    return c;
  };
  Crafter dup = with_nodes({16, 0, 16}, {0, 0, 0}, {2, 0, 0}); // ids 16, 16, 32
  dup.Edges(0, 2, {1, 1}, {0, 1});
  dup.Trailer(3, 2, 1, 2);
  ExpectRepeatedIdLoads(dup.bytes, 0x10, 0, 1);
  ExpectMalformed(with_nodes({16, 16, 16}, {0, 1, 0}, {2, 0, 0}).bytes, "type 1 out of range");
  ExpectMalformed(with_nodes({16, 16}, {0, 0, 0}, {2, 0, 0}).bytes, "column id_delta has 2");
  ExpectMalformed(with_nodes({16, 16, 16}, {0, 0, 0}, {2, 0, 0}, {0, 3, 0}).bytes,
                  "label string 2 out of range");
  // checked column by column, then named item by item: the last node, and a later column
  ExpectMalformed(with_nodes({16, 16, 16}, {0, 0, 0}, {1, 0, 2}).bytes,
                  "node 2: out-degree 2 takes the edges beyond");
  ExpectMalformed(with_nodes({16, 16, 16}, {0, 0, 1}, {2, 0, 0}, {0, 0, 3}).bytes,
                  "node 2: type 1 out of range");

  // a big one: the id index is built on the first lookup, not while loading
  const uint32_t big = 100000;
  std::vector<int64_t> deltas(big, 16);
  deltas[70000] = 0;  // node 70000 repeats node 69999's id
  Crafter many;
  many.Header(big, 2, 1, 2);
  many.Strings(0, {"T", "mod.T"});
  many.Types(0, {0}, {1});
  std::vector<uint32_t> degs(big, 0);
  degs[0] = 2;
  many.Nodes(0, big, deltas, std::vector<uint32_t>(big, 0), degs);
  many.Edges(0, 2, {1, 1}, {0, 1});
  many.Trailer(big, 2, 1, 2);
  ExpectRepeatedIdLoads(many.bytes, 0x111700, 69999, 70000);

  Crafter c;
  c.Header(3, 2, 1, 2, 2);
  ExpectMalformed(c.bytes, "format_version 2 is newer");

  {  // repeated strings are no fault (only type names are indexed: an equal name's first)
    c = Crafter();
    c.Header(1, 0, 1, 3);
    c.Strings(0, {"T", "T", "T"});
    c.Types(0, {1}, {2});
    c.Nodes(0, 1, {16}, {0}, {0}, {1});
    c.Trailer(1, 0, 1, 3);
    og_graph *g = nullptr;
    ASSERT_EQ(OG_OK, Decode(c.bytes, &g)) << og_error_last();
    EXPECT_EQ(3u, og_graph_str_count(g));
    og_type t;
    ASSERT_EQ(OG_OK, og_graph_find_type(&t, g, "T", 1, 1));
    EXPECT_EQ(0u, t);
    EXPECT_STREQ("T", og_graph_type_name(g, 0, 0, nullptr));
    og_node_info ni;
    ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 0));
    EXPECT_EQ(0u, ni.label);
    og_graph_free(g);
  }

  c = Crafter();
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {2});
  ExpectMalformed(c.bytes, "names strings 0 and 2");

  c = Crafter();
  c.Header(3, 2, 1, 2);
  c.Strings(1, {"T", "mod.T"});
  ExpectMalformed(c.bytes, "first string is 1, expected 0");

  c = Crafter();
  c.Header(3, 2, 1, 2);
  c.Types(0, {0}, {1});
  ExpectMalformed(c.bytes, "0 strings read but the header declares 2");

  c = ValidCrafted();
  c.Strings(2, {"late"});
  ExpectMalformed(c.bytes, "out of order");

  c = ValidCrafted();
  c.Header(3, 2, 1, 2);
  ExpectMalformed(c.bytes, "a second Header");

  for (auto edges : std::vector<std::pair<std::vector<int64_t>, std::vector<uint32_t>>>{
           {{1, 5}, {0, 1}}, {{1, -2}, {0, 1}}, {{1, 1}, {16, 1}}}) {
    c = Crafter();
    c.Header(3, 2, 1, 2);
    c.Strings(0, {"T", "mod.T"});
    c.Types(0, {0}, {1});
    c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 0, 0});
    c.Edges(0, 2, edges.first, edges.second);
    c.Trailer(3, 2, 1, 2);
    ExpectMalformed(c.bytes, edges.second[0] == 16 ? "kind 16 is not 0..15" : "out of range");
  }

  c = ValidCrafted();
  c.Edges(2, 1, {0}, {0});
  ExpectMalformed(c.bytes, "1 more edges exceed");

  c = Crafter();
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 0, 0});
  c.Edges(0, 2, {1, 1}, {0, 0}, {0, 3});
  ExpectMalformed(c.bytes, "label string 2 out of range");

  c = Crafter();
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 0, 0});
  c.Edges(0, 2, {1, 1}, {4, 4}, {0x10000000u, 1}); // index 0x0FFFFFFF is the "none" marker
  ExpectMalformed(c.bytes, "index label 268435455 is not below");

  // An empty Record and an unknown record type.
  std::string s(OG_SNAPSHOT_MAGIC);
  PutVarint(&s, 0);
  ExpectMalformed(s, "has no body");
  s = OG_SNAPSHOT_MAGIC;
  s += std::string("\x02\x32\x00", 3); // field 6, length 0
  ExpectMalformed(s, "has no body");
  s = OG_SNAPSHOT_MAGIC;
  s += std::string("\x02\x0a\xff", 3); // field 1 claims 255 bytes of 0
  ExpectMalformed(s, "not a valid protobuf Record");
}

TEST(SnapshotCorrupt, MessageNamesFileRecordAndOffset) {
  Crafter c = ValidCrafted();
  c.Trailer(3, 2, 1, 9);
  std::string path = FreshDir("msg") + "/m.ogsnap";
  WriteFile(path, c.bytes);
  og_graph *g = nullptr;
  ASSERT_EQ(OG_EMALFORMED, og_snapshot_load(&g, path.c_str(), nullptr));
  std::string msg = og_error_last();
  EXPECT_NE(std::string::npos, msg.find("snapshot '" + path + "'")) << msg;
  EXPECT_NE(std::string::npos, msg.find("record 6 (Trailer) at byte ")) << msg;
}

// ---- the hand decoder of node and edge chunks ----------------------------------------------------
//
// engine/src/snapwire.c decodes NodeChunk and EdgeChunk records from their canonical encoding; it
// declines anything else, and protobuf-c then decodes the record. These tests rewrite files at
// the wire level into the other encodings protobuf allows, and check that every one loads to the
// same graph, and faults get the same message, whichever thread decodes a chunk and whichever
// decoder takes it.

// Sizes from this one up go to the graph's overflow table (OG_SIZE_BIG), and the hand decoder
// declines their chunks.
const uint64_t kSizeBig = UINT32_MAX;

// One field of a protobuf message as it lies on the wire.
struct WireField {
  uint32_t num;
  unsigned wt;       // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  std::string value; // the bytes after the key: a varint as written, a LEN field's payload
};

// The varint at s[*pos] (at most 10 bytes) into *v; false when truncated or longer.
bool TakeVarint(const std::string &s, size_t *pos, uint64_t *v) {
  uint64_t x = 0;
  for (int k = 0; k < 10 && *pos < s.size(); k++) {
    unsigned char b = (unsigned char)s[(*pos)++];
    x |= (uint64_t)(b & 0x7Fu) << (7 * k);
    if (!(b & 0x80u)) {
      *v = x;
      return true;
    }
  }
  return false;
}

std::vector<WireField> ParseFields(const std::string &msg) {
  std::vector<WireField> out;
  size_t pos = 0;
  while (pos < msg.size()) {
    uint64_t key = 0, len = 0;
    if (!TakeVarint(msg, &pos, &key)) {
      ADD_FAILURE() << "bad key at byte " << pos;
      break;
    }
    WireField f{(uint32_t)(key >> 3), (unsigned)(key & 7), ""};
    size_t start = pos;
    bool ok = true;
    switch (f.wt) {
      case 0: ok = TakeVarint(msg, &pos, &len), f.value = msg.substr(start, pos - start); break;
      case 1: ok = msg.size() - pos >= 8, f.value = msg.substr(pos, 8), pos += 8; break;
      case 5: ok = msg.size() - pos >= 4, f.value = msg.substr(pos, 4), pos += 4; break;
      case 2:
        ok = TakeVarint(msg, &pos, &len) && len <= msg.size() - pos;
        if (ok) f.value = msg.substr(pos, len), pos += len;
        break;
      default: ok = false;
    }
    if (!ok) {
      ADD_FAILURE() << "bad field " << f.num << " (wire type " << f.wt << ")";
      break;
    }
    out.push_back(f);
  }
  return out;
}

std::string Key(uint32_t num, unsigned wt) {
  std::string s;
  PutVarint(&s, (uint64_t)num << 3 | wt);
  return s;
}

std::string Serialize(const std::vector<WireField> &fields) {
  std::string s;
  for (const WireField &f : fields) {
    s += Key(f.num, f.wt);
    if (f.wt == 2) PutVarint(&s, f.value.size());
    s += f.value;
  }
  return s;
}

// The varints of a packed column, each as written.
std::vector<std::string> Varints(const std::string &packed) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < packed.size()) {
    size_t start = pos;
    uint64_t v;
    if (!TakeVarint(packed, &pos, &v)) {
      ADD_FAILURE() << "bad varint in a packed column";
      break;
    }
    out.push_back(packed.substr(start, pos - start));
  }
  return out;
}

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint(&s, v);
  return s;
}

// A varint as written, stretched to len bytes (10 at most) by redundant continuation bytes; one
// already that long or longer is kept.
std::string Stretch(std::string v, size_t len) {
  len = std::min<size_t>(len, 10);
  if (v.size() >= len) return v;
  v.back() = (char)(v.back() | 0x80);
  while (v.size() + 1 < len) v.push_back((char)0x80);
  v.push_back(0);
  return v;
}

// A snapshot's record bodies (without their length prefixes), the Trailer last.
std::vector<std::string> SplitRecords(const std::string &file) {
  std::vector<std::string> out;
  EXPECT_EQ(0, file.compare(0, OG_SNAPSHOT_MAGIC_LEN, OG_SNAPSHOT_MAGIC));
  size_t pos = OG_SNAPSHOT_MAGIC_LEN;
  while (pos < file.size()) {
    uint64_t len;
    if (!TakeVarint(file, &pos, &len) || len > file.size() - pos) {
      ADD_FAILURE() << "bad record length at byte " << pos;
      break;
    }
    out.push_back(file.substr(pos, len));
    pos += len;
  }
  return out;
}

// Records framed again behind the magic; the last one, the Trailer, is repacked with the record
// count and the CRC-32 of everything before its length prefix.
std::string JoinRecords(const std::vector<std::string> &records) {
  std::string out(OG_SNAPSHOT_MAGIC, OG_SNAPSHOT_MAGIC_LEN);
  for (size_t i = 0; i + 1 < records.size(); i++) {
    PutVarint(&out, records[i].size());
    out += records[i];
  }
  const std::string &last = records.back();
  Og__V1__Record *r = og__v1__record__unpack(nullptr, last.size(), (const uint8_t *)last.data());
  EXPECT_TRUE(r && r->body_case == OG__V1__RECORD__BODY_TRAILER) << "the last record is no Trailer";
  if (!r || r->body_case != OG__V1__RECORD__BODY_TRAILER) return out;
  r->trailer->record_count = records.size() - 1;
  r->trailer->crc32 = Crc32(out);
  std::string body(og__v1__record__get_packed_size(r), '\0');
  og__v1__record__pack(r, (uint8_t *)&body[0]);
  og__v1__record__free_unpacked(r, nullptr);
  PutVarint(&out, body.size());
  return out + body;
}

// Record fields of the two chunk cases.
const uint32_t kNodesField = 4, kEdgesField = 5;

// Rewrites the k-th NodeChunk (which == kNodesField) or EdgeChunk (kEdgesField) of a file.
using ChunkRewrite = std::function<std::string(uint32_t which, size_t k, const std::string &chunk)>;

// The file with every node and edge chunk passed through f, and record_prefix put before the
// chunk's field in each of their Records; *count (if given) gets the number of chunks seen.
std::string RewriteChunks(const std::string &file, const ChunkRewrite &f,
                          const std::string &record_prefix = "", size_t *count = nullptr) {
  std::vector<std::string> records = SplitRecords(file);
  size_t seen[2] = {0, 0};
  for (std::string &r : records) {
    std::vector<WireField> fields = ParseFields(r);
    if (fields.size() != 1 || fields[0].wt != 2 ||
        (fields[0].num != kNodesField && fields[0].num != kEdgesField))
      continue;
    uint32_t which = fields[0].num;
    fields[0].value = f(which, seen[which - kNodesField]++, fields[0].value);
    r = record_prefix + Serialize(fields);
  }
  if (count) *count = seen[0] + seen[1];
  return JoinRecords(records);
}

// Chunk rewrites. Every LEN field of a NodeChunk or EdgeChunk is a packed column of varints.
std::string ReverseFields(const std::string &chunk) {
  std::vector<WireField> f = ParseFields(chunk);
  std::reverse(f.begin(), f.end());
  return Serialize(f);
}

std::string SplitColumns(const std::string &chunk) {
  std::vector<WireField> out;
  for (const WireField &f : ParseFields(chunk)) {
    if (f.wt != 2) {
      out.push_back(f);
      continue;
    }
    std::vector<std::string> v = Varints(f.value);
    std::string a, b;
    for (size_t i = 0; i < v.size(); i++) (i < (v.size() + 1) / 2 ? a : b) += v[i];
    out.push_back({f.num, 2, a});
    out.push_back({f.num, 2, b}); // empty for a column of one value: still a field
  }
  return Serialize(out);
}

std::string UnpackColumns(const std::string &chunk) {
  std::vector<WireField> out;
  for (const WireField &f : ParseFields(chunk)) {
    if (f.wt != 2) {
      out.push_back(f);
      continue;
    }
    for (const std::string &v : Varints(f.value)) out.push_back({f.num, 0, v});
  }
  return Serialize(out);
}

std::string AppendUnknown(const std::string &chunk) { return chunk + Key(99, 0) + Varint(300); }

// Every varint of the packed columns one byte longer (a 10-byte one stays as it is).
std::string LongerVarints(const std::string &chunk) {
  std::vector<WireField> fields = ParseFields(chunk);
  for (WireField &f : fields) {
    if (f.wt != 2) continue;
    std::string out;
    for (const std::string &v : Varints(f.value)) out += Stretch(v, v.size() + 1);
    f.value = out;
  }
  return Serialize(fields);
}

// Each varint of the packed columns stretched to length(field, i, n) bytes (i of n values);
// lengths[field] (if given) collects, per column, the lengths written in the middle (bit L) and as
// the last value (bit 16 + L).
using LengthFn = std::function<size_t(uint32_t field, size_t i, size_t n)>;
std::string StretchVarints(const std::string &chunk, const LengthFn &length,
                           std::unordered_map<uint32_t, uint32_t> *lengths = nullptr) {
  std::vector<WireField> fields = ParseFields(chunk);
  for (WireField &f : fields) {
    if (f.wt != 2) continue;
    std::vector<std::string> v = Varints(f.value);
    f.value.clear();
    for (size_t i = 0; i < v.size(); i++) {
      std::string s = Stretch(v[i], length(f.num, i, v.size()));
      if (lengths) (*lengths)[f.num] |= 1u << (s.size() + (i + 1 == v.size() ? 16 : 0));
      f.value += s;
    }
  }
  return Serialize(fields);
}

// Decoding bytes gives a graph equal to g, with or without the reader thread. With an encoding
// of g given (`same`, written with options o), a graph that encodes to the same bytes is equal
// (the writer is deterministic and writes every value): quicker for big graphs than comparing
// value by value, which is then done only to name a difference.
void ExpectDecodesTo(const og_graph *g, const std::string &bytes, const std::string &what,
                     std::vector<uint32_t> modes = {OG_SNAPSHOT_THREADS_NONE,
                                                    OG_SNAPSHOT_THREADS_READER},
                     const std::string *same = nullptr, const og_snapshot_options *o = nullptr) {
  for (uint32_t threads : modes) {
    SCOPED_TRACE(what + ", threads " + std::to_string(threads));
    og_graph *h = nullptr;
    ASSERT_EQ(OG_OK, DecodeWith(threads, bytes, &h)) << og_error_last();
    if (!same || Encode(h, o) != *same) {
      EXPECT_FALSE(same) << "the graph read encodes to other bytes";
      ExpectSameGraph(g, h);
    }
    og_graph_free(h);
  }
}

// n nodes (n >= 3000) with values of every magnitude: ids from 0 to UINT64_MAX (a run of them
// aligned to 2^20, so its chunks get an id_shift), sizes from 0 to 2^32 - 2 and, at a few nodes
// (777, 778, 2345 and every 9973rd after), of OG_SIZE_BIG and more, flags up to 0xFFFF, refcounts
// up to UINT32_MAX, labels (one holding a NUL byte); 0 to 7 out-edges each, of every kind, with
// string labels and index labels up to 0x0FFFFFFE. Nodes n/6 .. n/6 + n/15 have every optional
// field 0 and no edges (their chunks have only the required columns), and the out-edges of nodes
// n/3 .. n/3 + n/20 have no labels.
og_graph *MakeVariedGraph(og_index n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  og_builder *b = nullptr;
  EXPECT_EQ(OG_OK, og_builder_new(&b, nullptr));
  std::vector<og_type> types(7);
  for (size_t t = 0; t < types.size(); t++) {
    std::string s = "T" + std::to_string(t), l = "mod" + std::to_string(t % 3) + "." + s;
    EXPECT_EQ(OG_OK, og_builder_add_type(&types[t], b, s.data(), s.size(), l.data(), l.size()));
  }
  std::vector<og_str> strs;
  for (int s = 0; s < 300; s++) strs.push_back(Intern(b, "label " + std::to_string(s * 7919)));
  strs.push_back(Intern(b, std::string("nul\0byte", 8)));
  const og_index bare = n / 6, bare_end = bare + n / 15, plain = n / 3, plain_end = plain + n / 20;
  std::unordered_set<og_id> used;
  og_id prev = 0;
  og_index v;
  for (og_index i = 0; i < n; i++) {
    og_id id;
    int tries = 0;
    do {
      switch (tries++ ? 1 : i < 3 ? 8 + i : (i >= n / 2 && i < n / 2 + 300) ? 7 : rng() % 7) {
        case 0: id = prev + 16; break;
        case 1: id = rng(); break;
        case 2: id = rng() >> (rng() % 64); break;
        case 3: id = (rng() >> (rng() % 64)) << 4; break;
        case 4: id = prev - 32 * (rng() % 1000 + 1); break;
        case 5: id = rng() % 1000; break;
        case 6: id = 0x7f0000000000ULL + 8 * (rng() % 100000); break;
        case 7: id = ((og_id)i + (rng() % 7) * n) << 20; break; // aligned run
        case 8: id = 0; break;
        case 9: id = UINT64_MAX; break;
        default: id = 1ULL << 63; break;
      }
    } while (!used.insert(id).second);
    prev = id;
    uint64_t size;
    if (i % 9973 == 777) size = kSizeBig;
    else if (i % 9973 == 778) size = 1ULL << 40;
    else if (i % 9973 == 2345) size = UINT64_MAX;
    else
      switch (rng() % 6) {
        case 0: size = 0; break;
        case 1: size = rng() % 200; break;
        case 2: size = rng() % 100000; break;
        case 3: size = (1ULL << 21) + rng() % (1ULL << 30); break;
        case 4: size = 0xFFFFFFFEull - rng() % 3; break;
        default: size = rng() % 0xFFFFFFFFull; break;
      }
    uint32_t flags = rng() % 2 ? (uint32_t)(rng() & 0xFFFF) : 0;
    uint32_t rc;
    switch (rng() % 4) {
      case 0: rc = 0; break;
      case 1: rc = (uint32_t)(rng() % 300); break;
      case 2: rc = UINT32_MAX; break;
      default: rc = (uint32_t)rng(); break;
    }
    og_str label = rng() % 2 ? strs[rng() % strs.size()] : OG_STR_NONE;
    if (i >= bare && i < bare_end) size = 0, flags = 0, rc = 0, label = OG_STR_NONE;
    EXPECT_EQ(OG_OK, og_builder_add_node(&v, b, id, types[rng() % types.size()], size, flags, rc,
                                         label));
  }
  const uint32_t index_labels[] = {0, 1, 126, 127, 128, 16383, 16384, 2097151, 2097152, 0x0FFFFFFEu};
  uint64_t e = 0;
  for (og_index i = 0; i < n; i++) {
    int deg = i >= bare && i < bare_end ? 0 : (int)(rng() % 8);
    for (int k = 0; k < deg; k++, e++) {
      og_index t;
      switch (rng() % 6) {
        case 0: t = i; break;
        case 1: t = (og_index)((i + 1 + rng() % 5) % n); break;
        case 2: t = i > 100 ? i - 1 - (og_index)(rng() % 100) : 0; break;
        case 3: t = rng() % 2 ? 0 : n - 1; break;
        default: t = (og_index)(rng() % n); break;
      }
      og_edge_kind kind = (og_edge_kind)((e + rng() % 3) % (OG_EDGE_KIND_MAX + 1));
      uint32_t label = OG_STR_NONE;
      if (kind == OG_EDGE_INDEX)
        label = rng() % 4 ? index_labels[rng() % 10] : (uint32_t)(rng() % 0x0FFFFFFF);
      else if (rng() % 3)
        label = strs[rng() % strs.size()];
      if (i >= plain && i < plain_end) label = OG_STR_NONE;
      EXPECT_EQ(OG_OK, og_builder_add_edge(b, i, t, kind, label));
    }
  }
  og_graph *g = nullptr;
  EXPECT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  return g;
}

TEST(SnapshotHandDecoder, EncodingsProtobufAllows) {
  og_graph *g = MakeVariedGraph(3000, 1);
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 2345)); // the graph holds what the cases are about
  EXPECT_EQ(UINT64_MAX, ni.size);
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 777));
  EXPECT_EQ(kSizeBig, ni.size);
  og_snapshot_options o = OG_SNAPSHOT_OPTIONS_INIT;
  o.chunk_nodes = 100;
  o.chunk_edges = 250;
  const std::string bytes = Encode(g, &o);
  ExpectDecodesTo(g, bytes, "canonical");
  size_t chunks = 0;
  EXPECT_TRUE(bytes == RewriteChunks(bytes, [](uint32_t, size_t, const std::string &c) { return c; },
                                     "", &chunks)); // the rewriter itself changes nothing
  const size_t want = 30 + (og_graph_edge_count(g) + 249) / 250;
  EXPECT_EQ(want, chunks);

  const std::string record_field_14 = Key(14, 0) + Varint(1); // unknown to protobuf-c: kept aside
  struct Case {
    const char *name;
    std::string (*chunk)(const std::string &);
    std::string prefix;
  } cases[] = {
      {"fields in reverse order", ReverseFields, ""},
      {"columns split in two fields", SplitColumns, ""},
      {"columns unpacked", UnpackColumns, ""},
      {"unknown chunk field 99", AppendUnknown, ""},
      {"varints one byte longer", LongerVarints, ""},
      {"Record field 14 before the chunk", [](const std::string &c) { return c; }, record_field_14},
  };
  for (const Case &k : cases) {
    std::string file = RewriteChunks(
        bytes, [&](uint32_t, size_t, const std::string &c) { return k.chunk(c); },
        k.prefix, &chunks);
    EXPECT_EQ(want, chunks) << k.name;
    ASSERT_TRUE(bytes != file) << k.name;
    ExpectDecodesTo(g, file, k.name);
  }
  og_graph_free(g);

  // Chunks of one item: a column split in two is its value and an empty field (neither alone
  // may be taken for the column); a column written twice whole holds twice the values, which
  // protobuf-c (keeping both) reads as a fault.
  g = MakeRichGraph();
  o.chunk_nodes = o.chunk_edges = 1;
  const std::string ones = Encode(g, &o);
  ExpectDecodesTo(g, RewriteChunks(ones, [](uint32_t, size_t, const std::string &c) {
                    return SplitColumns(c);
                  }),
                  "one item a chunk, columns split");
  // (records: Header, StringChunk, TypeChunk, 7 NodeChunks, then EdgeChunks)
  const struct {
    uint32_t which, col;
    const char *what;
  } twice[] = {{kNodesField, 4, "record 6 (NodeChunk) at byte 172: column id_delta has 2 values"},
               {kNodesField, 5, "record 6 (NodeChunk) at byte 172: column type has 2 values"},
               {kNodesField, 6, "record 6 (NodeChunk) at byte 172: column size has 2 values"},
               {kEdgesField, 4, "record 13 (EdgeChunk) at byte 356: column kind has 2 values"},
               {kEdgesField, 5, "record 13 (EdgeChunk) at byte 356: column label has 2 values"}};
  for (const auto &t : twice) {
    std::string bytes2 = RewriteChunks(ones, [&](uint32_t w, size_t k, const std::string &c) {
      if (w != t.which || k != 2) return c;
      std::vector<WireField> out;
      for (const WireField &x : ParseFields(c)) {
        out.push_back(x);
        if (x.num == t.col && x.wt == 2) out.push_back(x);
      }
      return Serialize(out);
    });
    ExpectMalformed(bytes2, std::string(t.what) + " for 1 items");
  }
  og_graph_free(g);
}

// A graph whose columns hold varints of many lengths as written (ids whose deltas take 1 to 10
// bytes, both ways; sizes and refcounts up to 5 bytes, flags up to 3; 200 types and 400 strings,
// out-degrees up to 200: 2 bytes).
og_graph *MakeLengthsGraph(og_index n) {
  og_builder *b = nullptr;
  EXPECT_EQ(OG_OK, og_builder_new(&b, nullptr));
  std::vector<og_type> types(200);
  for (size_t t = 0; t < types.size(); t++) {
    std::string s = "t" + std::to_string(t), l = "m." + s;
    EXPECT_EQ(OG_OK, og_builder_add_type(&types[t], b, s.data(), s.size(), l.data(), l.size()));
  }
  std::vector<og_str> strs;
  for (int s = 0; s < 400; s++) strs.push_back(Intern(b, "s" + std::to_string(s)));
  const uint64_t sizes[] = {0, 127, 128, 16383, 16384, (1u << 21) - 1, 1u << 21, (1u << 28) - 1,
                            1u << 28, 0xFFFFFFFEu, 3};
  const uint32_t flags[] = {0, 0x7F, 0x80, 0x3FFF, 0x4000, 0xFFFF, 1};
  const uint32_t refcounts[] = {0, 127, 128, 1u << 14, 1u << 21, 1u << 28, UINT32_MAX, 2};
  const og_str labels[] = {OG_STR_NONE, strs[0], strs[126], strs[127], strs[128], strs[399],
                           strs[200], strs[5]};
  const og_type tys[] = {types[0], types[126], types[127], types[199], types[1]};
  std::mt19937_64 rng(11);
  std::unordered_set<og_id> used;
  og_id id = 0;
  og_index v;
  for (og_index i = 0; i < n; i++) {
    int len = (int)(i % 10) + 1; // of the zigzag delta, in bytes
    do {
      uint64_t mag = len == 1 ? 1 + rng() % 30 : (1ULL << (7 * (len - 1) - 1)) + 1 + rng() % 1000;
      id += (i / 10) % 2 ? 0 - mag : mag; // wraps, as the format does
    } while (!used.insert(id).second);
    EXPECT_EQ(OG_OK, og_builder_add_node(&v, b, id, tys[i % 5], sizes[i % 11], flags[i % 7],
                                         refcounts[i % 8], labels[i % 8]));
  }
  const uint32_t index_labels[] = {0, 125, 126, 127, 16382, 16383, 2097150, 2097151, 0x0FFFFFFEu};
  for (og_index i = 0; i < n; i++) {
    og_index deg = i == 7 ? 200 : i + 1 == n ? 1 : i % 8;
    for (og_index k = 0; k < deg; k++) {
      og_edge_kind kind = (og_edge_kind)((i + k) % (OG_EDGE_KIND_MAX + 1));
      uint32_t label = kind == OG_EDGE_INDEX ? index_labels[(i + k) % 9]
                                             : k % 3 ? strs[(i * 37 + k * 41) % strs.size()]
                                                     : OG_STR_NONE;
      EXPECT_EQ(OG_OK, og_builder_add_edge(b, i, (og_index)((i * 13 + k * 101) % n), kind, label));
    }
  }
  og_graph *g = nullptr;
  EXPECT_EQ(OG_OK, og_builder_finish(&g, b));
  og_builder_free(b);
  return g;
}

TEST(SnapshotHandDecoder, VarintsOfEveryLength) {
  const og_index n = 401;
  og_graph *g = MakeLengthsGraph(n);
  const uint32_t edges = (uint32_t)og_graph_edge_count(g);
  // lengths written per column: [0] NodeChunk fields, [1] EdgeChunk fields (see StretchVarints)
  std::unordered_map<uint32_t, uint32_t> lengths[2];
  // one chunk for everything, one item per chunk, tiny chunks, chunks past a block of 256 varints
  const uint32_t chunkings[][2] = {{n, edges}, {1, 1}, {3, 4}, {7, 300}};
  for (const auto &ch : chunkings) {
    og_snapshot_options o = OG_SNAPSHOT_OPTIONS_INIT;
    o.chunk_nodes = ch[0];
    o.chunk_edges = ch[1];
    const std::string bytes = Encode(g, &o);
    const std::string where = "chunks of " + std::to_string(ch[0]) + "/" + std::to_string(ch[1]);
    ExpectDecodesTo(g, bytes, where);
    // each varint stretched to a length that turns with its position, its column, its chunk
    // and the round: over the rounds, a column's last values take every length
    for (size_t round = 0; round < 10; round++) {
      std::string file = RewriteChunks(bytes, [&](uint32_t which, size_t k, const std::string &c) {
        return StretchVarints(
            c,
            [&](uint32_t field, size_t i, size_t) { return (i + field + k + round) % 10 + 1; },
            &lengths[which - kNodesField]);
      });
      ExpectDecodesTo(g, file, where + ", round " + std::to_string(round));
    }
  }
  // every column got every length, in the middle and last
  for (int which = 0; which < 2; which++)
    for (uint32_t field = which ? 3 : 4; field <= (which ? 5u : 10u); field++)
      EXPECT_EQ(0x7FE07FEu, lengths[which][field] & 0x7FE07FEu)
          << (which ? "EdgeChunk" : "NodeChunk") << " field " << field << std::hex << ": "
          << lengths[which][field];
  og_graph_free(g);
}

// A crafted file of 1200 nodes in two NodeChunks of 600 (so past a block of 256 varints) and 1200
// edges (one per node) in two EdgeChunks, 4 strings and 2 types. The columns are open, for a test
// to spoil one value; targets are absolute here (Bytes() writes their deltas).
struct TwoChunks {
  static constexpr uint32_t kN = 1200, kHalf = 600;
  std::vector<int64_t> id_delta = std::vector<int64_t>(kN, 16);
  uint32_t id_shift[2] = {0, 0};
  std::vector<uint32_t> type, flags, label, refcount, degree, target, kind, elabel;
  std::vector<uint64_t> size;
  bool edge_labels[2] = {true, true};
  TwoChunks() {
    for (uint32_t i = 0; i < kN; i++) {
      type.push_back(i % 2);
      flags.push_back(i % 3 ? 0x8000 | (i & 0xFF) : 0);
      label.push_back(i % 5 ? i % 4 + 1 : 0);
      refcount.push_back(i * 1000);
      size.push_back((uint64_t)i * i);
      degree.push_back(1);
      target.push_back((i * 7 + 3) % kN);
      kind.push_back(i % 16);
      elabel.push_back(i % 16 == OG_EDGE_INDEX ? i + 1 : i % 5);
    }
  }
  std::string Bytes() const {
    Crafter c;
    c.Header(kN, kN, 2, 4);
    c.Strings(0, {"A", "m.A", "B", "m.B"});
    c.Types(0, {0, 2}, {1, 3});
    for (uint32_t k = 0; k < 2; k++) {
      const uint32_t at = k * kHalf;
      Og__V1__NodeChunk n = OG__V1__NODE_CHUNK__INIT;
      n.first = at;
      n.count = kHalf;
      n.id_shift = id_shift[k];
      n.n_id_delta = n.n_type = n.n_size = n.n_flags = n.n_refcount = n.n_label = n.n_out_degree =
          kHalf;
      n.id_delta = const_cast<int64_t *>(id_delta.data() + at);
      n.type = const_cast<uint32_t *>(type.data() + at);
      n.size = const_cast<uint64_t *>(size.data() + at);
      n.flags = const_cast<uint32_t *>(flags.data() + at);
      n.refcount = const_cast<uint32_t *>(refcount.data() + at);
      n.label = const_cast<uint32_t *>(label.data() + at);
      n.out_degree = const_cast<uint32_t *>(degree.data() + at);
      c.PutMsg(&n);
    }
    for (uint32_t k = 0; k < 2; k++) {
      const uint32_t at = k * kHalf;
      std::vector<int64_t> deltas;
      for (uint32_t i = at, prev = 0; i < at + kHalf; prev = target[i++])
        deltas.push_back((int64_t)target[i] - (int64_t)prev);
      c.Edges(at, kHalf, deltas, std::vector<uint32_t>(kind.begin() + at, kind.begin() + at + kHalf),
              edge_labels[k] ? std::vector<uint32_t>(elabel.begin() + at, elabel.begin() + at + kHalf)
                             : std::vector<uint32_t>());
    }
    c.Trailer(kN, kN, 2, 4);
    return c.bytes;
  }
};

TEST(SnapshotHandDecoder, OutOfRangeValuesNameTheFault) {
  {  // the file as crafted loads, in both modes, with what was written
    TwoChunks t;
    t.edge_labels[1] = false;
    for (uint32_t threads : kThreadModes) {
      og_graph *g = nullptr;
      ASSERT_EQ(OG_OK, DecodeWith(threads, t.Bytes(), &g)) << og_error_last();
      og_node_info ni;
      ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 901));
      EXPECT_EQ(16u * 302, ni.id); // deltas start again at each chunk
      EXPECT_EQ(1u, ni.type);
      EXPECT_EQ(0x8000u | (901 & 0xFF), ni.flags);
      EXPECT_EQ(901u * 901, ni.size);
      EXPECT_EQ(901000u, ni.refcount);
      EXPECT_EQ(1u, ni.label); // written as 901 % 4 + 1 = string 1, plus one
      og_edge_info e;
      ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 1188, 0));
      EXPECT_EQ((1188u * 7 + 3) % 1200, e.target);
      EXPECT_EQ(OG_EDGE_INDEX, e.kind);
      EXPECT_EQ(OG_STR_NONE, e.label); // chunk 2 has no labels
      ASSERT_EQ(OG_OK, og_graph_edge(&e, g, 4, 0));
      EXPECT_EQ(4u, e.label);
      og_graph_free(g);
    }
  }
  struct Case {
    const char *what;
    void (*spoil)(TwoChunks *);
  } cases[] = {
      // nodes: faults past the first block, in the second chunk (read ahead), in a last value
      {"node 900: flags 0x10000 use bits above 15", [](TwoChunks *t) { t->flags[900] = 0x10000; }},
      {"node 1199: flags 0xffffffff use bits above 15",
       [](TwoChunks *t) { t->flags[1199] = UINT32_MAX; }},
      {"node 300: flags 0x8000ffff", [](TwoChunks *t) { t->flags[300] = 0x8000FFFFu; }},
      {"node 899: type 2 out of range (2 types)", [](TwoChunks *t) { t->type[899] = 2; }},
      {"node 1199: type 4294967295 out of range", [](TwoChunks *t) { t->type[1199] = UINT32_MAX; }},
      {"node 650: label string 4 out of range (4 strings)", [](TwoChunks *t) { t->label[650] = 5; }},
      {"node 599: label string 4294967294 out of range",
       [](TwoChunks *t) { t->label[599] = UINT32_MAX; }},
      {"node 700: id overflows 64 bits",
       [](TwoChunks *t) {
         t->id_shift[1] = 60; // ids of chunk 2 are multiples of 2^60: v stays below 16
         for (uint32_t i = 600; i < 1200; i++) t->id_delta[i] = i == 600;
         t->id_delta[700] = 15;
       }},
      {"id_shift 64 is not below 64", [](TwoChunks *t) { t->id_shift[0] = 64; }},
      {"node 1000: out-degree 201 takes the edges beyond the header's 1200",
       [](TwoChunks *t) { t->degree[1000] = 201; }},
      {"node 1199: out-degree 2 takes the edges beyond", [](TwoChunks *t) { t->degree[1199] = 2; }},
      {"node 100: out-degree 4294967295 takes the edges beyond",
       [](TwoChunks *t) { t->degree[100] = UINT32_MAX; }},
      // two faults in a chunk: the first item's is named, whichever field it is in
      {"node 800: out-degree 500 takes",
       [](TwoChunks *t) { t->degree[800] = 500, t->type[1000] = 7; }},
      {"node 800: type 7 out of range",
       [](TwoChunks *t) { t->type[800] = 7, t->degree[1000] = 500; }},
      {"node 1100: flags 0x10000", // a size of 2^40 before it: the chunk goes to protobuf-c
       [](TwoChunks *t) { t->size[610] = 1ULL << 40, t->flags[1100] = 0x10000; }},
      // edges
      {"edge 900 from node 900: target 1200 out of range (1200 nodes)",
       [](TwoChunks *t) { t->target[900] = 1200; }},
      {"edge 1199 from node 1199: target 4294967295 out of range",
       [](TwoChunks *t) { t->target[1199] = UINT32_MAX; }},
      {"edge 1100: kind 16 is not 0..15", [](TwoChunks *t) { t->kind[1100] = 16; }},
      {"edge 700: kind 4294967295 is not 0..15",
       [](TwoChunks *t) { t->kind[700] = UINT32_MAX, t->edge_labels[1] = false; }},
      {"edge 1000: label string 4 out of range (4 strings)",
       [](TwoChunks *t) { t->elabel[1000] = 5; }},
      {"edge 1188: index label 268435455 is not below 268435455",
       [](TwoChunks *t) { t->elabel[1188] = 0x10000000; }},
  };
  for (const Case &k : cases) {
    SCOPED_TRACE(k.what);
    TwoChunks t;
    k.spoil(&t);
    ExpectMalformed(t.Bytes(), k.what);
  }
}

// A file of 3 nodes (ids 16, 32, 48; out-degrees 2, 0, 0) and 2 edges whose NodeChunk is written
// varint by varint: its id_delta, type and refcount columns are given as written.
std::string HandNodeFile(const std::string &ids, const std::string &types,
                         const std::string &refcounts) {
  Crafter c;
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  std::string chunk = Key(1, 0) + Varint(0) + Key(2, 0) + Varint(3);
  chunk += Key(4, 2) + Varint(ids.size()) + ids;
  chunk += Key(5, 2) + Varint(types.size()) + types;
  chunk += Key(8, 2) + Varint(refcounts.size()) + refcounts;
  chunk += Key(10, 2) + Varint(3) + Varint(2) + Varint(0) + Varint(0);
  std::string rec = Key(kNodesField, 2) + Varint(chunk.size()) + chunk;
  PutVarint(&c.bytes, rec.size());
  c.bytes += rec;
  c.records++;
  c.Edges(0, 2, {1, 1}, {0, 1});
  c.Trailer(3, 2, 1, 2);
  return c.bytes;
}

// Values the hand decoder declines that are no fault to protobuf: a uint32 column's varint of 2^32
// or more, and a 10-byte varint whose last byte is above 1. protobuf-c (as protobuf does) keeps
// the low 32 or 64 bits; both thread modes load the graph that gives, or name the fault it gives.
TEST(SnapshotHandDecoder, DeclinedValuesReadAsProtobufReadsThem) {
  const std::string ids = Varint(32) + Varint(32) + Varint(32), types = Varint(0) + Varint(0) + Varint(0);
  const std::string canonical = HandNodeFile(ids, types, Varint(5) + Varint(7) + Varint(UINT32_MAX));
  og_graph *g = nullptr;
  ASSERT_EQ(OG_OK, DecodeWith(OG_SNAPSHOT_THREADS_NONE, canonical, &g)) << og_error_last();
  og_node_info ni;
  ASSERT_EQ(OG_OK, og_graph_node(&ni, g, 1));
  EXPECT_EQ(7u, ni.refcount);
  EXPECT_EQ(32u, ni.id);
  // refcount 2^32 + 7 is read as 7
  ExpectDecodesTo(g, HandNodeFile(ids, types, Varint(5) + Varint((1ULL << 32) + 7) + Varint(UINT32_MAX)),
                  "refcount 2^32 + 7");
  // an id delta of 10 bytes ending in 0x02: bit 64 and up are dropped, so it reads as 32 (16)
  ExpectDecodesTo(g, HandNodeFile(Varint(32) + std::string("\xa0\x80\x80\x80\x80\x80\x80\x80\x80\x02", 10) +
                                      Varint(32),
                                  types, Varint(5) + Varint(7) + Varint(UINT32_MAX)),
                  "10-byte id delta");
  og_graph_free(g);
  // type 2^32 + 1 is read as type 1, which is out of range
  ExpectMalformed(HandNodeFile(ids, Varint(0) + Varint((1ULL << 32) + 1) + Varint(0),
                               Varint(5) + Varint(7) + Varint(9)),
                  "node 1: type 1 out of range (1 types)");
}

// A chunk the hand decoder finds canonical at first sight but that is no valid protobuf (a
// packed column ends inside a varint): the load fails the same way in both modes, as protobuf-c
// names it.
TEST(SnapshotHandDecoder, UnparsableChunkSameMessage) {
  TwoChunks t;
  const std::string bytes = t.Bytes();
  for (size_t which : {kNodesField, kEdgesField})
    for (size_t at : {0, 1}) {
      SCOPED_TRACE(std::to_string(which) + " " + std::to_string(at));
      std::string bad = RewriteChunks(bytes, [&](uint32_t w, size_t k, const std::string &c) {
        if (w != which || k != at) return c;
        std::vector<WireField> f = ParseFields(c);
        for (WireField &x : f)
          if (x.wt == 2 && x.num == (w == kNodesField ? 8u : 4u)) x.value += '\x80';
        return Serialize(f);
      });
      ExpectMalformed(bad, "are not a valid protobuf Record");
    }
}

// The same with the chunk's place wrong too (its first node, or a count past the header's): the
// record is no valid protobuf, as protobuf-c finds, whichever thread takes it.
// DISABLED: engine bug. do_wire (engine/src/snapshot.c) checks a chunk's place (check_run) before
// the hand decoder has read its columns, so on the calling thread the message names the place
// ("first node is 601, expected 600", "700 more nodes exceed the header's 1200"), while the
// reader thread, finding the chunk out of place or unreadable, unpacks it with protobuf-c
// ("... bytes are not a valid protobuf Record"); with OG_SNAPSHOT_THREADS_READER either message
// comes, depending on which thread decodes the chunk.
TEST(SnapshotHandDecoder, UnparsableChunkOutOfPlaceSameMessage) {
  TwoChunks t;
  const std::string bytes = t.Bytes();
  for (uint32_t field : {1u, 2u}) { // first 601, or count 700
    SCOPED_TRACE(field);
    std::string bad = RewriteChunks(bytes, [&](uint32_t w, size_t k, const std::string &c) {
      if (w != kNodesField || k != 1) return c;
      std::vector<WireField> f = ParseFields(c);
      for (WireField &x : f) {
        if (x.wt == 2 && x.num == 8) x.value += '\x80';
        if (x.num == field) x.value = Varint(field == 1 ? 601 : 700);
      }
      return Serialize(f);
    });
    for (int round = 0; round < 10; round++) ExpectMalformed(bad, "are not a valid protobuf Record");
  }
}

TEST(SnapshotHandDecoder, BigGraphThreaded) {
  og_graph *g = MakeVariedGraph(40000, 3);
  og_snapshot_options small = OG_SNAPSHOT_OPTIONS_INIT;
  small.chunk_nodes = 1000;
  small.chunk_edges = 3500;
  const og_snapshot_options *opts[] = {nullptr, &small};
  const uint32_t all[] = {OG_SNAPSHOT_THREADS_AUTO, OG_SNAPSHOT_THREADS_NONE,
                          OG_SNAPSHOT_THREADS_READER};
  for (const og_snapshot_options *o : opts) {
    const std::string where = o ? "small chunks" : "default chunks";
    const std::string bytes = Encode(g, o);
    ASSERT_GT(bytes.size(), 1u << 20); // AUTO reads ahead on a second thread
    {  // once value by value, then by the encoding
      og_graph *h = nullptr;
      ASSERT_EQ(OG_OK, DecodeWith(OG_SNAPSHOT_THREADS_AUTO, bytes, &h)) << og_error_last();
      ExpectSameGraph(g, h);
      EXPECT_TRUE(bytes == Encode(h, o)) << "the graph read encodes to other bytes";
      og_graph_free(h);
    }
    ExpectDecodesTo(g, bytes, where, {OG_SNAPSHOT_THREADS_AUTO, OG_SNAPSHOT_THREADS_NONE}, &bytes, o);
    size_t node_chunks = 0, edge_chunks = 0;
    RewriteChunks(bytes, [&](uint32_t w, size_t, const std::string &c) {
      (w == kNodesField ? node_chunks : edge_chunks)++;
      return c;
    });
    ASSERT_GE(node_chunks, 3u);
    ASSERT_GE(edge_chunks, 2u);
    // a node chunk in the middle unpacked, or split: the reader thread decodes no more chunks by
    // hand from there, and the calling one takes the rest
    for (auto rewrite : {UnpackColumns, SplitColumns}) {
      size_t done = 0;
      std::string odd = RewriteChunks(bytes, [&](uint32_t w, size_t k, const std::string &c) {
        if (w != kNodesField || k != node_chunks / 2) return c;
        done++;
        return rewrite(c);
      });
      ASSERT_EQ(1u, done);
      ASSERT_TRUE(bytes != odd);
      ExpectDecodesTo(g, odd, where + ", a node chunk rewritten", {all, all + 3}, &bytes, o);
    }
    // an edge chunk in the middle with an unknown field, its fields reversed
    std::string odd = RewriteChunks(bytes, [&](uint32_t w, size_t k, const std::string &c) {
      return w == kEdgesField && k == edge_chunks / 2 ? ReverseFields(AppendUnknown(c)) : c;
    });
    ASSERT_TRUE(bytes != odd);
    ExpectDecodesTo(g, odd, where + ", an edge chunk rewritten", {all, all + 3}, &bytes, o);
  }
  og_graph_free(g);
}

// ---- allocation failures --------------------------------------------------------------------

TEST(SnapshotAlloc, EveryDecodeAllocationFailureIsClean) {
  og_graph *g = MakeRichGraph();
  std::string bytes = Encode(g);
  bool succeeded = false;
  for (long n = 0; n < 5000 && !succeeded; n++) {
    CountingAlloc ca;
    ca.fail_at = n;
    og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
    lo.alloc = &ca.a;
    og_graph *h = nullptr;
    int rc = Decode(bytes, &h, &lo);
    if (rc == OG_OK) {
      succeeded = true;
      ExpectSameGraph(g, h);
      og_graph_free(h);
    } else {
      ASSERT_EQ(OG_ENOMEM, rc) << "failing allocation " << n << ": " << og_error_last();
      ASSERT_EQ(nullptr, h);
    }
    EXPECT_EQ(0u, ca.live) << "leak with allocation " << n << " failing: " << rc << " " << og_error_last();
  }
  EXPECT_TRUE(succeeded);
  og_graph_free(g);
}

TEST(SnapshotAlloc, EncodeAllocationFailureIsClean) {
  CountingAlloc ca;
  og_graph *g = MakeRichGraph(&ca.a);
  size_t base = ca.live;
  bool succeeded = false;
  for (long n = 0; n < 100 && !succeeded; n++) {
    ca.fail_at = ca.calls + n;
    og_buf buf = OG_BUF_INIT;
    int rc = og_snapshot_encode(&buf, g, nullptr);
    ca.fail_at = -1;
    if (rc == OG_OK) {
      succeeded = true;
    } else {
      ASSERT_EQ(OG_ENOMEM, rc) << og_error_last();
    }
    og_buf_dispose(&buf);
    EXPECT_EQ(base, ca.live);
  }
  EXPECT_TRUE(succeeded);
  og_graph_free(g);
}

// ---- atomic save ------------------------------------------------------------------------------

TEST(SnapshotSave, MissingOrUnwritableDirectoryLeavesNothing) {
  og_graph *g = MakeRing(10);
  std::string dir = FreshDir("save1");
  EXPECT_EQ(OG_ENOTFOUND, og_snapshot_save(g, (dir + "/no/such/dir/x.ogsnap").c_str(), nullptr));
  EXPECT_NE(OG_OK, og_snapshot_save(g, "/proc/og_snapshot_test.ogsnap", nullptr));
  struct stat st;
  EXPECT_NE(0, stat("/proc/og_snapshot_test.ogsnap", &st));
  if (geteuid() != 0) { // root ignores directory permissions
    ASSERT_EQ(0, chmod(dir.c_str(), 0555));
    EXPECT_EQ(OG_EIO, og_snapshot_save(g, (dir + "/x.ogsnap").c_str(), nullptr));
    ASSERT_EQ(0, chmod(dir.c_str(), 0755));
  }
  EXPECT_TRUE(ListDir(dir).empty());
  // The target is a directory: the rename fails and the temporary file goes away.
  ASSERT_EQ(0, mkdir((dir + "/sub").c_str(), 0755));
  EXPECT_EQ(OG_EIO, og_snapshot_save(g, (dir + "/sub").c_str(), nullptr));
  EXPECT_EQ(std::vector<std::string>{"sub"}, ListDir(dir));
  EXPECT_EQ(OG_EINVALID, og_snapshot_save(g, "", nullptr));
  og_graph_free(g);
}

TEST(SnapshotSave, FailedWriteLeavesExistingFileUntouched) {
  og_graph *g = MakeRing(5000);
  std::string dir = FreshDir("save2");
  std::string path = dir + "/keep.ogsnap";
  WriteFile(path, "previous contents");
  // The disk "fills up" after 4 KiB: writes fail with EFBIG.
  struct rlimit old;
  ASSERT_EQ(0, getrlimit(RLIMIT_FSIZE, &old));
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &small));
  int rc = og_snapshot_save(g, path.c_str(), nullptr);
  std::string msg = og_error_last();
  ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &old));
  signal(SIGXFSZ, prev);
  EXPECT_EQ(OG_EIO, rc) << msg;
  EXPECT_NE(std::string::npos, msg.find("keep.ogsnap.tmp-")) << msg;
  EXPECT_EQ("previous contents", ReadFile(path));
  EXPECT_EQ(std::vector<std::string>{"keep.ogsnap"}, ListDir(dir));
  // Allocation failure during the save: same guarantee.
  CountingAlloc ca;
  og_graph *h = MakeRing(100, &ca.a);
  ca.fail_at = ca.calls + 3;
  EXPECT_EQ(OG_ENOMEM, og_snapshot_save(h, path.c_str(), nullptr));
  ca.fail_at = -1;
  EXPECT_EQ("previous contents", ReadFile(path));
  EXPECT_EQ(std::vector<std::string>{"keep.ogsnap"}, ListDir(dir));
  // And a successful save replaces it.
  ASSERT_EQ(OG_OK, og_snapshot_save(h, path.c_str(), nullptr)) << og_error_last();
  EXPECT_EQ(Encode(h), ReadFile(path));
  EXPECT_EQ(std::vector<std::string>{"keep.ogsnap"}, ListDir(dir));
  struct stat st;
  ASSERT_EQ(0, stat(path.c_str(), &st));
  EXPECT_EQ(0644u, st.st_mode & 0777u);
  og_graph_free(h);
  og_graph_free(g);
}

}  // namespace
