// The snapshot codec: round trips, header info, corrupt/truncated/hostile input, atomic saves,
// allocation failures.
#include "tests/snapshot/snapshot_helpers.h"

namespace {

using namespace ogtest;

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

// A string chunk holding empty strings only has no data at all: protobuf-c then leaves its pointer
// NULL, which the string table must not offset (clang's UBSan, in the fuzzer, found NULL + 0 there).
TEST(SnapshotRoundTrip, StringChunkOfEmptyStringsOnly) {
  Crafter c;
  c.Header(3, 2, 1, 2);
  c.Strings(0, {"", ""});
  c.Types(0, {0}, {1});
  c.Nodes(0, 3, {16, 16, 16}, {0, 0, 0}, {2, 0, 0}, {2, 0, 1});
  c.Edges(0, 2, {1, 1}, {0, 1});
  c.Trailer(3, 2, 1, 2);
  for (uint32_t threads : kThreadModes) {
    og_graph *g = nullptr;
    ASSERT_EQ(OG_OK, DecodeWith(threads, c.bytes, &g)) << og_error_last();
    size_t len = 99;
    ASSERT_NE(nullptr, og_graph_type_name(g, 0, 1, &len));
    EXPECT_EQ(0u, len);
    og_node_info info;
    ASSERT_EQ(OG_OK, og_graph_node(&info, g, 0));
    EXPECT_EQ(1u, info.label);
    EXPECT_STREQ("", og_graph_str(g, info.label, &len));
    EXPECT_EQ(0u, len);
    ASSERT_EQ(OG_OK, og_graph_node(&info, g, 1));
    EXPECT_EQ(OG_STR_NONE, info.label);
    og_graph_free(g);
  }
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
