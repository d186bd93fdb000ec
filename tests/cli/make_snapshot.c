/* make_snapshot: scripted heap snapshots for the objgraph-tool tests and bench, built with
 * og_builder and saved with og_snapshot_save (until objgraph.snapshot() can capture real ones).
 *
 *   make_snapshot small OUT.pb       module app -> __dict__ -> 'cache' list -> 4 Leaky objects,
 *                                    a Node cycle, a function, an orphan tuple, a __del__ object
 *   make_snapshot grown OUT.pb       the same heap later: 3 more Leaky objects (with dicts), one
 *                                    more str, the orphan tuple gone
 *   make_snapshot fanout OUT.pb      a list referring to 5000 ints (the too-big drawing)
 *   make_snapshot big N OUT.pb       about N objects shaped like a heap: modules, their dicts,
 *                                    classes, functions, lists of instances with __dict__s
 *
 * Ids are deterministic (0x1000 + 0x10 * index for the scripted heaps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og/og.h"
#include "og/snapshot.h"

typedef struct heap {
  og_builder *b;
  og_id next_id;
  int failed;
  int picked; /* big: the bench ids were printed */
} heap;

static void check(heap *h, int rc, const char *what) {
  if (rc != OG_OK && !h->failed) {
    fprintf(stderr, "make_snapshot: %s: %s\n", what, og_error_last());
    h->failed = 1;
  }
}

static og_str str(heap *h, const char *s) {
  og_str out = OG_STR_NONE;
  check(h, og_builder_intern(&out, h->b, s, strlen(s)), "intern");
  return out;
}

static og_type type(heap *h, const char *short_name, const char *long_name) {
  og_type t = OG_TYPE_NONE;
  check(h, og_builder_add_type(&t, h->b, short_name, strlen(short_name), long_name,
                               strlen(long_name)),
        "add_type");
  return t;
}

static og_index node(heap *h, og_type t, uint64_t size, uint32_t flags, const char *label) {
  og_index i = OG_INDEX_NONE;
  og_id id = h->next_id;
  h->next_id += 0x10;
  check(h, og_builder_add_node(&i, h->b, id, t, size, flags | OG_NODE_GC_TRACKED, 1,
                               label ? str(h, label) : OG_STR_NONE),
        "add_node");
  return i;
}

static void edge(heap *h, og_index s, og_index t, og_edge_kind kind, const char *label) {
  check(h, og_builder_add_edge(h->b, s, t, kind, label ? str(h, label) : OG_STR_NONE), "edge");
}

static void item(heap *h, og_index s, og_index t, uint32_t index) {
  check(h, og_builder_add_edge(h->b, s, t, OG_EDGE_INDEX, index), "edge");
}

typedef struct types {
  og_type module, dict, list, tuple, str, int_, function, type, leaky, node, closer;
} types;

static void add_types(heap *h, types *t) {
  t->module = type(h, "module", "builtins.module");
  t->dict = type(h, "dict", "builtins.dict");
  t->list = type(h, "list", "builtins.list");
  t->tuple = type(h, "tuple", "builtins.tuple");
  t->str = type(h, "str", "builtins.str");
  t->int_ = type(h, "int", "builtins.int");
  t->function = type(h, "function", "builtins.function");
  t->type = type(h, "type", "builtins.type");
  t->leaky = type(h, "Leaky", "app.Leaky");
  t->node = type(h, "Node", "app.Node");
  t->closer = type(h, "Closer", "app.Closer");
}

/* A Leaky instance with its __dict__ holding a payload str; returns the instance. */
static og_index leaky(heap *h, const types *t, og_index cls, int n) {
  char repr[64], payload[32];
  snprintf(repr, sizeof repr, "<app.Leaky object at 0x%llx>", (unsigned long long)h->next_id);
  og_index obj = node(h, t->leaky, 48, 0, repr);
  og_index d = node(h, t->dict, 104, OG_NODE_CONTAINER, "2 items");
  snprintf(payload, sizeof payload, "'payload %d'", n);
  og_index s = node(h, t->str, 58, 0, payload);
  edge(h, obj, d, OG_EDGE_DICT, NULL);
  edge(h, obj, cls, OG_EDGE_TYPE, NULL);
  edge(h, d, s, OG_EDGE_DICT_VALUE, "'data'");
  edge(h, d, obj, OG_EDGE_DICT_VALUE, "'me'"); /* a self cycle through the dict */
  return obj;
}

/* The scripted heap; grown adds 3 Leaky objects and drops the orphan tuple. */
static void small_heap(heap *h, int grown) {
  types t;
  add_types(h, &t);
  uint32_t mod = OG_NODE_MODULE | OG_NODE_ANY_MODULE;
  og_index app = node(h, t.module, 72, mod, "app");
  og_index appd = node(h, t.dict, 1200, OG_NODE_CONTAINER, "4 items");
  og_index cls = node(h, t.type, 1064, OG_NODE_TYPE, "Leaky");
  og_index cache = node(h, t.list, 120, OG_NODE_CONTAINER, grown ? "7 items" : "4 items");
  og_index fn = node(h, t.function, 136, OG_NODE_FUNCTION, "main");
  og_index sys = node(h, t.module, 72, mod, "sys");
  og_index sysd = node(h, t.dict, 640, OG_NODE_CONTAINER, "1 items");
  edge(h, app, appd, OG_EDGE_DICT, NULL);
  edge(h, appd, cls, OG_EDGE_DICT_VALUE, "'Leaky'");
  edge(h, appd, cache, OG_EDGE_DICT_VALUE, "'cache'");
  edge(h, appd, fn, OG_EDGE_DICT_VALUE, "'main'");
  edge(h, fn, appd, OG_EDGE_GLOBALS, NULL);
  edge(h, sys, sysd, OG_EDGE_DICT, NULL);
  edge(h, sysd, app, OG_EDGE_DICT_VALUE, "'app'");
  for (int i = 0; i < 4; i++) item(h, cache, leaky(h, &t, cls, i), (uint32_t)i);
  /* A two-node cycle nothing else refers to, and a finalizer object hanging off the app dict. */
  og_index a = node(h, t.node, 48, 0, "<app.Node object at 0xa>");
  og_index b = node(h, t.node, 48, 0, "<app.Node object at 0xb>");
  edge(h, a, b, OG_EDGE_ATTR, "next");
  edge(h, b, a, OG_EDGE_ATTR, "next");
  og_index closer = node(h, t.closer, 48, OG_NODE_HAS_DEL, "<app.Closer object at 0xc>");
  edge(h, appd, closer, OG_EDGE_DICT_VALUE, "'closer'");
  if (!grown) {
    og_index orphan = node(h, t.tuple, 64, OG_NODE_CONTAINER, "2 items");
    item(h, orphan, a, 0);
    item(h, orphan, cls, 1);
  } else {
    og_index extra = node(h, t.str, 60, 0, "'new string'"); /* reuses the tuple's id */
    edge(h, closer, extra, OG_EDGE_ATTR, "name");
    for (int i = 4; i < 7; i++) item(h, cache, leaky(h, &t, cls, i), (uint32_t)i);
    /* A non-ASCII type name (columns count characters) and a label with a newline (escaped). */
    og_index odd = node(h, type(h, "Ключ", "app.Ключ"), 40, 0, "line1\nline2");
    edge(h, closer, odd, OG_EDGE_ATTR, "key");
  }
}

static void fanout_heap(heap *h) {
  og_type list = type(h, "list", "builtins.list");
  og_type int_ = type(h, "int", "builtins.int");
  og_index root = node(h, list, 40056, OG_NODE_CONTAINER, "5000 items");
  for (uint32_t i = 0; i < 5000; i++) {
    char label[16];
    snprintf(label, sizeof label, "%u", 100000 + i);
    item(h, root, node(h, int_, 28, 0, label), i);
  }
}

/* ---- big: a heap-like graph of about n nodes ------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

#define BIG_MODULES 200
#define BIG_CLASSES 50
#define BIG_PER_LIST 1000

static void big_heap(heap *h, uint64_t n) {
  types t;
  add_types(h, &t);
  char buf[96];
  og_type classes[BIG_CLASSES];
  og_index class_obj[BIG_CLASSES];
  for (int c = 0; c < BIG_CLASSES; c++) {
    char shortn[16];
    snprintf(shortn, sizeof shortn, "Cls%d", c);
    snprintf(buf, sizeof buf, "pkg.mod%d.Cls%d", c % 20, c);
    classes[c] = type(h, shortn, buf);
  }
  og_index modd[BIG_MODULES];
  og_index sysd = node(h, t.dict, 36960, OG_NODE_CONTAINER, "200 items");
  og_index sys = node(h, t.module, 72, OG_NODE_MODULE | OG_NODE_ANY_MODULE, "sys");
  edge(h, sys, sysd, OG_EDGE_DICT, NULL);
  for (int m = 0; m < BIG_MODULES; m++) {
    snprintf(buf, sizeof buf, "pkg.mod%d", m);
    og_index mod = node(h, t.module, 72, OG_NODE_MODULE | OG_NODE_ANY_MODULE, buf);
    modd[m] = node(h, t.dict, 4696, OG_NODE_CONTAINER, "40 items");
    edge(h, mod, modd[m], OG_EDGE_DICT, NULL);
    snprintf(buf, sizeof buf, "'pkg.mod%d'", m);
    edge(h, sysd, mod, OG_EDGE_DICT_VALUE, buf);
    for (int f = 0; f < 30; f++) {
      snprintf(buf, sizeof buf, "func%d", f);
      og_index fn = node(h, t.function, 136, OG_NODE_FUNCTION, buf);
      snprintf(buf, sizeof buf, "'func%d'", f);
      edge(h, modd[m], fn, OG_EDGE_DICT_VALUE, buf);
      edge(h, fn, modd[m], OG_EDGE_GLOBALS, NULL);
    }
  }
  for (int c = 0; c < BIG_CLASSES; c++) {
    snprintf(buf, sizeof buf, "Cls%d", c);
    class_obj[c] = node(h, t.type, 1064, OG_NODE_TYPE, buf);
    snprintf(buf, sizeof buf, "'Cls%d'", c);
    edge(h, modd[c % BIG_MODULES], class_obj[c], OG_EDGE_DICT_VALUE, buf);
  }
  /* Instances: 5 nodes each (instance, __dict__, str, int, tuple), held by lists of 1000 that
     module dicts refer to, with a random 'parent' reference between instances. */
  og_index list = OG_INDEX_NONE, prev = OG_INDEX_NONE;
  uint32_t in_list = 0, lists = 0;
  while (!h->failed && og_builder_node_count(h->b) + 6 <= n) {
    if (list == OG_INDEX_NONE || in_list == BIG_PER_LIST) {
      list = node(h, t.list, 8056, OG_NODE_CONTAINER, "1000 items");
      snprintf(buf, sizeof buf, "'cache%u'", lists);
      edge(h, modd[lists % BIG_MODULES], list, OG_EDGE_DICT_VALUE, buf);
      lists++, in_list = 0;
    }
    uint32_t c = rnd(BIG_CLASSES);
    snprintf(buf, sizeof buf, "<Cls%u object at 0x%llx>", c, (unsigned long long)h->next_id);
    og_index obj = node(h, classes[c], 56, 0, buf);
    og_index d = node(h, t.dict, 360, OG_NODE_CONTAINER, "4 items");
    snprintf(buf, sizeof buf, "'name %u'", rnd(1000000));
    og_index s = node(h, t.str, 60, 0, buf);
    snprintf(buf, sizeof buf, "%u", rnd(100000));
    og_index num = node(h, t.int_, 28, 0, buf);
    og_index tup = node(h, t.tuple, 56, OG_NODE_CONTAINER, "2 items");
    item(h, list, obj, in_list++);
    edge(h, obj, d, OG_EDGE_DICT, NULL);
    edge(h, obj, class_obj[c], OG_EDGE_TYPE, NULL);
    edge(h, d, s, OG_EDGE_DICT_VALUE, "'name'");
    edge(h, d, num, OG_EDGE_DICT_VALUE, "'count'");
    edge(h, d, tup, OG_EDGE_DICT_VALUE, "'pair'");
    item(h, tup, s, 0);
    item(h, tup, num, 1);
    /* an earlier object, usually an instance (module nodes come first, so no underflow) */
    if (prev != OG_INDEX_NONE) edge(h, d, prev - 5 * rnd(20), OG_EDGE_DICT_VALUE, "'parent'");
    prev = obj;
    if (!h->picked && og_builder_node_count(h->b) >= n / 10 * 9) {
      /* Ids for the bench: an instance and its name str, 90% into the heap. */
      printf("instance 0x%llx\nleaf 0x%llx\nsys 0x%llx\n",
             (unsigned long long)(0x7f0000000000ull + 0x10ull * obj),
             (unsigned long long)(0x7f0000000000ull + 0x10ull * s),
             (unsigned long long)(0x7f0000000000ull + 0x10ull * 1)); /* the sys module */
      h->picked = 1;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3 || (strcmp(argv[1], "big") == 0 && argc < 4)) {
    fprintf(stderr, "usage: make_snapshot small|grown|fanout OUT.pb | big N OUT.pb\n");
    return 2;
  }
  heap h = {NULL, 0x1000, 0, 0};
  check(&h, og_builder_new(&h.b, NULL), "builder");
  const char *out = argv[2];
  if (h.failed) return 1;
  if (strcmp(argv[1], "small") == 0) small_heap(&h, 0);
  else if (strcmp(argv[1], "grown") == 0) small_heap(&h, 1);
  else if (strcmp(argv[1], "fanout") == 0) fanout_heap(&h);
  else if (strcmp(argv[1], "big") == 0) {
    h.next_id = 0x7f0000000000ull;
    big_heap(&h, strtoull(argv[2], NULL, 10));
    out = argv[3];
  } else {
    fprintf(stderr, "make_snapshot: unknown mode '%s'\n", argv[1]);
    og_builder_free(h.b);
    return 2;
  }
  og_graph *g = NULL;
  if (!h.failed) check(&h, og_builder_finish(&g, h.b), "finish");
  og_builder_free(h.b);
  og_snapshot_kv meta[] = {{"host", "testhost"}, {"scenario", argv[1]}};
  og_snapshot_options so = OG_SNAPSHOT_OPTIONS_INIT;
  so.runtime_name = "CPython";
  so.runtime_version = "3.11.7";
  so.pid = 4242;
  so.capture_time_unix_ns = 1700000000123456789ll;
  so.capture_options = "gc_only=0 scripted=1";
  so.metadata = meta;
  so.metadata_count = 2;
  if (!h.failed) check(&h, og_snapshot_save(g, out, &so), out);
  og_graph_free(g);
  return h.failed ? 1 : 0;
}
