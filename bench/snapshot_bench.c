/* Snapshot codec benchmark on a synthetic heap-like graph.
 *
 *   bazel run -c opt //bench:snapshot_bench -- [--nodes N] [--out FILE] [--keep] [--chunk K]
 *   bazel run -c opt //bench:snapshot_bench -- --load FILE   (only load FILE: time, memory)
 *
 * (--keep leaves the file; --chunk K writes K nodes and K edges per chunk; the Python check and
 * the fuzz corpus use it to make small files.)
 *
 * Builds N nodes (default 1,000,000) shaped like a CPython heap: ~60 types with a skewed
 * distribution, ids that are 16-byte aligned addresses mostly following allocation order, sizes
 * by type, ~3.5 out-edges per node (dicts, lists, instances, functions; leaves have none) with
 * locality (most targets allocated just before/after the source, some "popular" objects such as
 * types and modules, a few anywhere), attribute/key/index edge labels and module/function node
 * labels. Then it saves the snapshot, loads it back, checks the counts and prints times,
 * bytes/edge, bytes/node, the decoded graph's og_graph_memory, and the size of three ways to
 * delta-code the edge targets (the format uses target - previous, smallest on a real heap). Never used as a test gate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "og/og.h"
#include "og/snapshot.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}
static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define CHECK(expr)                                                                      \
  do {                                                                                   \
    int rc_ = (expr);                                                                    \
    if (rc_ != OG_OK) {                                                                  \
      fprintf(stderr, "%s failed: %s (%s)\n", #expr, og_error_str(rc_), og_error_last()); \
      exit(1);                                                                           \
    }                                                                                    \
  } while (0)

/* Kinds of synthetic objects and how often they occur (per mille). */
enum { K_STR, K_INT, K_TUPLE, K_DICT, K_LIST, K_FUNC, K_INST, K_CELL, K_TYPE, K_MODULE, K_NKINDS };
static const unsigned kind_permille[K_NKINDS] = {300, 120, 150, 150, 70, 80, 100, 20, 8, 2};
static const char *kind_name[K_NKINDS] = {"str",      "int",  "tuple", "dict", "list",
                                          "function", "inst", "cell",  "type", "module"};

static int pick_kind(void) {
  uint32_t x = below(1000), acc = 0;
  for (int k = 0; k < K_NKINDS; k++)
    if (x < (acc += kind_permille[k])) return k;
  return K_STR;
}

/* Targets follow a CPython adapter's numbering: gc objects first, then their untracked referents
   in discovery order, so a container's fresh children are runs of consecutive indices. The next
   target continues the run, or is a popular object (types, modules, interned names), an object
   allocated near the source, or anywhere. */
static og_index pick_target(og_index src, og_index prev, og_index n, og_index npopular) {
  uint32_t x = below(100);
  if (x < 45) {
    uint64_t t = (uint64_t)prev + 1 + (below(4) == 0 ? below(3) : 0);
    if (t < n) return (og_index)t;
  }
  if (x < 70) return below(npopular);
  if (x < 92) {
    int64_t off = (int64_t)(1 + below(4)) << below(8); /* 1 .. 512, skewed small */
    int64_t t = below(4) ? (int64_t)src + off : (int64_t)src - off;
    if (t >= 0 && t < (int64_t)n) return (og_index)t;
  }
  return below(n);
}

typedef struct synth {
  og_type types[K_NKINDS + 40];
  og_str attrs[600], mod_labels[200];
} synth;

static og_graph *build(og_index n) {
  og_builder *b;
  CHECK(og_builder_new(&b, NULL));
  synth s;
  char name[64], longname[96];
  int nclasses = n < 1000 ? 2 : 40;
  for (int k = 0; k < K_NKINDS + nclasses; k++) {
    if (k < K_NKINDS)
      snprintf(name, sizeof name, "%s", kind_name[k]);
    else
      snprintf(name, sizeof name, "Class%d", k);
    snprintf(longname, sizeof longname, "%s.%s", k < K_NKINDS ? "builtins" : "app.models", name);
    CHECK(og_builder_add_type(&s.types[k], b, name, strlen(name), longname, strlen(longname)));
  }
  /* small graphs (fuzz seeds, the Python check) get small string tables */
  uint32_t nattr = n < 1000 ? 6 : 600, nmod = n < 1000 ? 3 : 200;
  for (uint32_t i = 0; i < nattr; i++) {
    snprintf(name, sizeof name, i % 3 ? "attr_%u" : "'key_%u'", i);
    CHECK(og_builder_intern(&s.attrs[i], b, name, strlen(name)));
  }
  for (uint32_t i = 0; i < nmod; i++) {
    snprintf(name, sizeof name, "pkg%u.module_%u", i % 17, i);
    CHECK(og_builder_intern(&s.mod_labels[i], b, name, strlen(name)));
  }
  unsigned char *kind = malloc(n);
  uint64_t addr = 0x7f3a00000000ULL;
  og_index npopular = n / 100 + 1;
  for (og_index v = 0; v < n; v++) {
    int k = v < npopular / 4 ? (v % 2 ? K_TYPE : K_MODULE) : pick_kind();
    kind[v] = (unsigned char)k;
    uint64_t size = k == K_STR ? 49 + below(80) : k == K_INT ? 28 : k == K_TUPLE ? 40 + 8 * below(6)
                  : k == K_DICT ? (below(4) ? 232 : 640 + below(8) * 1024) : k == K_LIST ? 56 + 8 * below(20)
                  : k == K_FUNC ? 136 : k == K_INST ? 48 : k == K_CELL ? 40 : 1072;
    if (below(100000) == 0) size = (uint64_t)1 << (20 + below(14)); /* a few huge buffers */
    /* gc order mostly follows allocation; sometimes an object from another arena */
    uint64_t id = below(10) ? addr : 0x7f3a00000000ULL + ((uint64_t)below(1u << 26) << 4);
    addr += (size + 15) & ~(uint64_t)15;
    if (below(256) == 0) addr += (uint64_t)below(1u << 20) << 4;
    og_type t = k == K_INST ? s.types[K_NKINDS + below((uint32_t)nclasses)] : s.types[k];
    uint32_t flags = (k == K_STR || k == K_INT) ? 0 : OG_NODE_GC_TRACKED;
    if (k == K_MODULE) flags |= OG_NODE_MODULE | OG_NODE_ANY_MODULE;
    if (k == K_TYPE) flags |= OG_NODE_TYPE;
    if (k == K_FUNC) flags |= OG_NODE_FUNCTION;
    og_str label = k == K_MODULE ? s.mod_labels[below(nmod)] : OG_STR_NONE;
    uint32_t refcount = below(8) ? 1 + below(3) : below(1000);
    og_index got;
    int rc = og_builder_add_node(&got, b, id, t, size, flags, refcount, label);
    if (rc == OG_EEXISTS) { /* an unlucky random id: take a fresh one */
      id = addr;
      addr += 16;
      rc = og_builder_add_node(&got, b, id, t, size, flags, refcount, label);
    }
    CHECK(rc);
  }
  for (og_index v = 0; v < n; v++) {
    int k = kind[v];
    uint32_t deg = k == K_DICT ? 2 * (1 + below(10)) : k == K_LIST ? below(18) : k == K_TUPLE ? 1 + below(5)
                 : k == K_FUNC ? 6 : k == K_INST ? 2 : k == K_CELL ? 1 : k == K_TYPE ? 12
                 : k == K_MODULE ? 2 : 0;
    og_index prev = v;
    for (uint32_t i = 0; i < deg; i++) {
      og_index t = pick_target(v, prev, n, npopular);
      prev = t;
      og_edge_kind ek = OG_EDGE_OTHER;
      uint32_t label = OG_STR_NONE;
      if (k == K_DICT) {
        ek = i % 2 ? OG_EDGE_DICT_VALUE : OG_EDGE_DICT_KEY;
        if (i % 2) label = s.attrs[below(nattr)];
      } else if (k == K_LIST || k == K_TUPLE) {
        ek = OG_EDGE_INDEX;
        label = i;
      } else if (k == K_INST) {
        ek = i ? OG_EDGE_DICT : OG_EDGE_TYPE;
      } else if (k == K_FUNC) {
        ek = i == 0 ? OG_EDGE_GLOBALS : OG_EDGE_ATTR;
        if (i) label = s.attrs[(i * 7) % nattr];
      } else if (k == K_CELL) {
        ek = OG_EDGE_CELL;
      }
      CHECK(og_builder_add_edge(b, v, t, ek, label));
    }
  }
  free(kind);
  og_graph *g;
  CHECK(og_builder_finish(&g, b));
  og_builder_free(b);
  return g;
}

static size_t zz_varint_size(int64_t d) {
  uint64_t z = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
  size_t n = 1;
  while (z >= 0x80) {
    z >>= 7;
    n++;
  }
  return n;
}

/* Bytes of the target column under three delta rules. */
static void compare_codings(const og_graph *g) {
  size_t by_src = 0, by_prev = 0, hybrid = 0;
  int64_t prev = 0;
  for (og_index v = 0; v < og_graph_node_count(g); v++) {
    size_t deg;
    CHECK(og_graph_out_degree(&deg, g, v));
    for (size_t k = 0; k < deg; k++) {
      og_edge_info e;
      CHECK(og_graph_edge(&e, g, v, k));
      by_src += zz_varint_size((int64_t)e.target - (int64_t)v);
      by_prev += zz_varint_size((int64_t)e.target - prev);
      hybrid += zz_varint_size((int64_t)e.target - (k ? prev : (int64_t)v));
      prev = e.target;
    }
  }
  double ne = (double)og_graph_edge_count(g);
  printf("target column: target-source %.3f B/edge, target-previous (used) %.3f B/edge, "
         "hybrid (first: source, then previous) %.3f B/edge\n",
         by_src / ne, by_prev / ne, hybrid / ne);
}

static void print_memory(const og_graph *h) {
  og_graph_mem mem;
  CHECK(og_graph_memory(&mem, h));
  printf("decoded og_graph_memory: nodes %zu, edges %zu, strings %zu bytes (%.1f MiB)\n",
         mem.nodes, mem.edges, mem.strings, (mem.nodes + mem.edges + mem.strings) / 1048576.0);
}

/* Load an existing snapshot only (to measure the reader's time and peak memory alone). */
static int load_only(const char *path) {
  double t0 = now();
  og_graph *h;
  CHECK(og_snapshot_load(&h, path, NULL));
  printf("nodes %u edges %llu types %u strings %u\n", og_graph_node_count(h),
         (unsigned long long)og_graph_edge_count(h), og_graph_type_count(h),
         og_graph_str_count(h));
  printf("load %.3f s\n", now() - t0);
  print_memory(h);
  og_graph_free(h);
  return 0;
}

int main(int argc, char **argv) {
  og_index n = 1000000;
  const char *out = "snapshot_bench.ogsnap";
  int keep = 0;
  uint32_t chunk = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--nodes") && i + 1 < argc)
      n = (og_index)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--out") && i + 1 < argc)
      out = argv[++i];
    else if (!strcmp(argv[i], "--keep"))
      keep = 1;
    else if (!strcmp(argv[i], "--load") && i + 1 < argc)
      return load_only(argv[++i]);
    else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
      chunk = (uint32_t)strtoul(argv[++i], NULL, 10);
    else {
      fprintf(stderr, "usage: %s [--nodes N] [--out FILE] [--keep] [--chunk K]\n", argv[0]);
      return 2;
    }
  }
  double t0 = now();
  og_graph *g = build(n);
  double t1 = now();
  og_snapshot_kv meta[] = {{"generator", "bench/snapshot_bench.c"}};
  og_snapshot_options opts = OG_SNAPSHOT_OPTIONS_INIT;
  opts.runtime_name = "synthetic";
  opts.runtime_version = "1";
  opts.capture_options = "heap-like";
  opts.metadata = meta;
  opts.metadata_count = 1;
  opts.chunk_nodes = opts.chunk_edges = chunk;
  CHECK(og_snapshot_save(g, out, &opts));
  double t2 = now();
  og_graph *h;
  CHECK(og_snapshot_load(&h, out, NULL));
  double t3 = now();
  struct stat st;
  if (stat(out, &st) != 0) return 1;
  uint64_t ne = og_graph_edge_count(g);
  if (og_graph_node_count(h) != og_graph_node_count(g) || og_graph_edge_count(h) != ne ||
      og_graph_type_count(h) != og_graph_type_count(g) ||
      og_graph_str_count(h) != og_graph_str_count(g)) {
    fprintf(stderr, "round trip changed the counts\n");
    return 1;
  }
  printf("nodes %u edges %llu types %u strings %u\n", og_graph_node_count(h),
         (unsigned long long)ne, og_graph_type_count(h), og_graph_str_count(h));
  printf("build %.3f s, save %.3f s, load %.3f s\n", t1 - t0, t2 - t1, t3 - t2);
  printf("file %lld bytes: %.2f bytes/edge, %.2f bytes/node\n", (long long)st.st_size,
         ne ? (double)st.st_size / (double)ne : 0.0, n ? (double)st.st_size / n : 0.0);
  print_memory(h);
  if (ne) compare_codings(h);
  og_graph_free(g);
  og_graph_free(h);
  if (!keep) remove(out);
  return 0;
}
