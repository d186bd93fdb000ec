// Shared by the snapshot tests: file helpers, graphs, encode/decode, records crafted by hand.
#ifndef OG_TESTS_SNAPSHOT_HELPERS_H
#define OG_TESTS_SNAPSHOT_HELPERS_H

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

namespace ogtest {

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

inline std::string TmpDir() {
  const char *t = getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

inline std::string ReadFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string &path, const std::string &data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), (std::streamsize)data.size());
}

inline std::vector<std::string> ListDir(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent *e = readdir(d))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) out.push_back(e->d_name);
  closedir(d);
  return out;
}

// A fresh empty directory under the test's temporary directory.
inline std::string FreshDir(const std::string &name) {
  std::string d = TmpDir() + "/" + name;
  std::string cmd = "rm -rf '" + d + "' && mkdir -p '" + d + "'";
  EXPECT_EQ(0, system(cmd.c_str()));
  return d;
}

inline og_str Intern(og_builder *b, const std::string &s) {
  og_str h = OG_STR_NONE;
  EXPECT_EQ(OG_OK, og_builder_intern(&h, b, s.data(), s.size()));
  return h;
}

// A small graph using every field: odd ids, huge sizes, all flags, labels with NUL bytes, every
// edge kind, index labels, self loops, backward edges, nodes without edges.
inline og_graph *MakeRichGraph(const og_allocator *alloc = nullptr) {
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
inline og_graph *MakeRing(og_index n, const og_allocator *alloc = nullptr) {
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

inline std::string Encode(const og_graph *g, const og_snapshot_options *o = nullptr) {
  og_buf buf = OG_BUF_INIT;
  EXPECT_EQ(OG_OK, og_snapshot_encode(&buf, g, o)) << og_error_last();
  std::string s(buf.ptr ? buf.ptr : "", buf.size);
  og_buf_dispose(&buf);
  return s;
}

inline int Decode(const std::string &bytes, og_graph **g, const og_snapshot_load_options *o = nullptr) {
  return og_snapshot_decode(g, bytes.data(), bytes.size(), o);
}

inline void ExpectSameGraph(const og_graph *a, const og_graph *b) {
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

inline uint32_t Crc32(const std::string &s) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    c ^= ch;
    for (int i = 0; i < 8; i++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

inline void PutVarint(std::string *s, uint64_t v) {
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
inline Crafter ValidCrafted() {
  Crafter c;
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"T", "mod.T"});
  c.Types(0, {0}, {1});
  c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 0, 0});
  c.Edges(0, 2, {1, 1}, {0, 1});
  return c;
}

// Decode on the calling thread only, or with the read-ahead thread whatever the size.
inline int DecodeWith(uint32_t threads, const std::string &bytes, og_graph **g) {
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  lo.threads = threads;
  return Decode(bytes, g, &lo);
}

inline constexpr uint32_t kThreadModes[] = {OG_SNAPSHOT_THREADS_NONE, OG_SNAPSHOT_THREADS_READER};

// Decoding bytes must fail with OG_EMALFORMED and a message containing `what`, the same message
// whether a second thread reads ahead or not, and whether node and edge chunks are decoded by the
// engine's own decoder or by protobuf-c (the last mode).
inline void ExpectMalformed(const std::string &bytes, const std::string &what) {
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

}  // namespace ogtest

#endif
