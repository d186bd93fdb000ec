/* Drives libog.so from a foreign-function host: every engine call on the "ffi" side goes through
 * dlopen/dlsym + libffi (ffi_prep_cif, ffi_call), and the engine's callbacks (a search predicate
 * and an og_write_fn byte sink) are libffi closures. Each result is compared with the same
 * operation done by direct C calls into the static engine (//engine:og_snapshot) linked into
 * this binary, on a graph loaded from the snapshot the ffi side wrote.
 *
 * Usage: ffi_test <path of libog.so>. Exit status 0 when every check passes. */
#include <dlfcn.h>
#include <ffi.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og/og.h"
#include "og/snapshot.h"

static int failures;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                            \
    }                                                                        \
  } while (0)

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

/* ---- calling libog.so through libffi --------------------------------------------------------- */

static void *lib;

static void *sym(const char *name) {
  void *p = dlsym(lib, name);
  if (!p) die("dlsym(%s): %s", name, dlerror());
  return p;
}

enum { MAX_ARGS = 12 };

/* The arguments of the next ffi call, staged by arg_*() and consumed by invoke(). */
typedef struct call_args {
  unsigned n;
  ffi_type *types[MAX_ARGS];
  void *values[MAX_ARGS];
  union {
    const void *p;
    uint32_t u32;
    uint64_t u64;
    int i;
  } slots[MAX_ARGS];
} call_args;

static call_args staged;

static unsigned next_slot(ffi_type *t) {
  if (staged.n == MAX_ARGS) die("more than %d arguments", MAX_ARGS);
  staged.types[staged.n] = t;
  return staged.n++;
}
static void arg_ptr(const void *p) { staged.slots[next_slot(&ffi_type_pointer)].p = p; }
/* For objects the callee fills in (non-const, so the compiler sees they may be written). */
static void arg_out(void *p) { staged.slots[next_slot(&ffi_type_pointer)].p = p; }
static void arg_u32(uint32_t v) { staged.slots[next_slot(&ffi_type_uint32)].u32 = v; }
static void arg_u64(uint64_t v) { staged.slots[next_slot(&ffi_type_uint64)].u64 = v; }
static void arg_int(int v) { staged.slots[next_slot(&ffi_type_sint)].i = v; }
static void arg_size(size_t v) {
  _Static_assert(sizeof(size_t) == sizeof(uint64_t), "size_t is passed as uint64");
  arg_u64(v);
}

/* Call name(staged args) with return type rtype. Reentrant: the staged block is copied first, so
   a closure may make ffi calls of its own while the engine runs. */
static ffi_arg invoke(const char *name, ffi_type *rtype) {
  call_args a = staged;
  memset(&staged, 0, sizeof staged); /* no stale pointers: LeakSanitizer must not see them */
  for (unsigned i = 0; i < a.n; i++) a.values[i] = &a.slots[i];
  ffi_cif cif;
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, a.n, rtype, a.types) != FFI_OK)
    die("ffi_prep_cif(%s) failed", name);
  ffi_arg ret = 0; /* return values narrower than ffi_arg are widened into it */
  ffi_call(&cif, FFI_FN(sym(name)), &ret, a.values);
  return ret;
}
static int call_int(const char *name) { return (int)(ffi_sarg)invoke(name, &ffi_type_sint); }
static uint64_t call_u64(const char *name) { return (uint64_t)invoke(name, &ffi_type_uint64); }
static uint32_t call_u32(const char *name) { return (uint32_t)invoke(name, &ffi_type_uint32); }
static void *call_ptr(const char *name) { return (void *)(uintptr_t)invoke(name, &ffi_type_pointer); }
static void call_void(const char *name) { (void)invoke(name, &ffi_type_void); }

/* An int-returning call that must succeed. */
static void call_ok(const char *name) {
  int rc = call_int(name);
  if (rc != OG_OK)
    die("%s -> %d (%s)", name, rc, (const char *)call_ptr("og_error_last"));
}

/* og_graph_node through ffi; must succeed. */
static og_node_info ffi_node(const og_graph *g, og_index node) {
  og_node_info info;
  arg_out(&info);
  arg_ptr(g);
  arg_u32(node);
  call_ok("og_graph_node");
  return info;
}

/* ---- closures ---------------------------------------------------------------------------------- */

/* Payload of the predicate closure: which flags make a match, and a record of the calls. */
typedef struct pred_state {
  uint32_t magic;      /* proves the payload pointer arrives intact */
  const og_graph *g;   /* the ffi side's graph, queried through ffi from inside the closure */
  uint32_t mask;       /* accept nodes with any of these flags */
  unsigned calls;      /* how many times the engine asked */
  unsigned abort_at;   /* 1-based call that returns OG_EUSER; 0: never */
  og_index order[64];  /* the first nodes asked, in order */
} pred_state;

#define PRED_MAGIC 0x6f67ffu

/* og_node_pred_fn as a libffi closure: int (*)(void *payload, og_index node). */
static void pred_closure_fn(ffi_cif *cif, void *ret, void **args, void *user) {
  (void)cif;
  pred_state *st = *(pred_state **)args[0];
  og_index node = *(og_index *)args[1];
  if (user != (void *)pred_closure_fn || st->magic != PRED_MAGIC) die("closure payload corrupted");
  if (st->calls < 64) st->order[st->calls] = node;
  st->calls++;
  int result;
  if (st->abort_at && st->calls == st->abort_at) {
    result = OG_EUSER;
  } else {
    result = (ffi_node(st->g, node).flags & st->mask) != 0;
  }
  *(ffi_arg *)ret = (ffi_arg)(ffi_sarg)result;
}

/* The same predicate as plain C over the direct side's graph. */
static int pred_direct(void *payload, og_index node) {
  pred_state *st = payload;
  if (st->calls < 64) st->order[st->calls] = node;
  st->calls++;
  if (st->abort_at && st->calls == st->abort_at) return OG_EUSER;
  og_node_info info;
  if (og_graph_node(&info, st->g, node) != OG_OK) return OG_EINVALID;
  return (info.flags & st->mask) != 0;
}

/* og_write_fn as a libffi closure: int (*)(void *payload, const char *data, size_t len), appending
   to a malloc'ed buffer (payload is a struct sink). */
typedef struct sink {
  char *data;
  size_t len;
  unsigned writes;
} sink;

static void write_closure_fn(ffi_cif *cif, void *ret, void **args, void *user) {
  (void)cif;
  (void)user;
  sink *s = *(sink **)args[0];
  const char *data = *(const char **)args[1];
  size_t len = *(size_t *)args[2];
  char *grown = realloc(s->data, s->len + len + 1);
  if (!grown) die("out of memory");
  memcpy(grown + s->len, data, len);
  s->data = grown;
  s->len += len;
  s->data[s->len] = '\0';
  s->writes++;
  *(ffi_arg *)ret = (ffi_arg)(ffi_sarg)OG_OK;
}

typedef struct closure {
  ffi_closure *mem;
  void *code; /* the callable address handed to the engine */
  ffi_cif cif;
  ffi_type *types[3];
} closure;

static void closure_make(closure *c, void (*fn)(ffi_cif *, void *, void **, void *), unsigned nargs,
                         ffi_type *t0, ffi_type *t1, ffi_type *t2) {
  c->types[0] = t0;
  c->types[1] = t1;
  c->types[2] = t2;
  c->mem = ffi_closure_alloc(sizeof(ffi_closure), &c->code);
  if (!c->mem) die("ffi_closure_alloc failed");
  if (ffi_prep_cif(&c->cif, FFI_DEFAULT_ABI, nargs, &ffi_type_sint, c->types) != FFI_OK)
    die("ffi_prep_cif (closure) failed");
  if (ffi_prep_closure_loc(c->mem, &c->cif, fn, (void *)fn, c->code) != FFI_OK)
    die("ffi_prep_closure_loc failed");
}

/* ---- the graph, built through ffi ---------------------------------------------------------------- */

enum { N_FOO = 300 };

typedef struct built {
  og_id module_id, target_id, stray_id;
} built;

static og_type ffi_add_type(og_builder *b, const char *short_name, const char *long_name) {
  og_type t;
  arg_out(&t);
  arg_ptr(b);
  arg_ptr(short_name);
  arg_size(strlen(short_name));
  arg_ptr(long_name);
  arg_size(strlen(long_name));
  call_ok("og_builder_add_type");
  return t;
}

static og_str ffi_intern(og_builder *b, const char *s) {
  og_str out;
  arg_out(&out);
  arg_ptr(b);
  arg_ptr(s);
  arg_size(strlen(s));
  call_ok("og_builder_intern");
  return out;
}

static og_index ffi_add_node(og_builder *b, og_id id, og_type type, uint64_t size, uint32_t flags,
                             og_str label) {
  og_index out;
  arg_out(&out);
  arg_ptr(b);
  arg_u64(id);
  arg_u32(type);
  arg_u64(size);
  arg_u32(flags);
  arg_u32(1);
  arg_u32(label);
  call_ok("og_builder_add_node");
  return out;
}

static void ffi_add_edge(og_builder *b, og_index s, og_index t, og_edge_kind kind, uint32_t label) {
  arg_ptr(b);
  arg_u32(s);
  arg_u32(t);
  arg_int((int)kind);
  arg_u32(label);
  call_ok("og_builder_add_edge");
}

/* Several edges in one call: arrays pass as pointers. */
static void ffi_add_edges(og_builder *b, const og_index *s, const og_index *t, const uint8_t *kinds,
                          const uint32_t *labels, size_t n) {
  arg_ptr(b);
  arg_ptr(s);
  arg_ptr(t);
  arg_ptr(kinds);
  arg_ptr(labels);
  arg_size(n);
  call_ok("og_builder_add_edges");
}

/* module app -> __dict__ -> "cache" -> list -> [Foo x N_FOO] -> __dict__ -> "n" -> int; a cycle
   between two Foos, and a stray dict no one refers to. Returns the graph (owned by libog.so). */
static og_graph *ffi_build(built *ids) {
  og_builder *b = NULL;
  arg_out(&b);
  arg_ptr(NULL);
  call_ok("og_builder_new");
  const uint32_t tracked = OG_NODE_GC_TRACKED;
  og_type t_module = ffi_add_type(b, "module", "module");
  og_type t_dict = ffi_add_type(b, "dict", "builtins.dict");
  og_type t_list = ffi_add_type(b, "list", "builtins.list");
  og_type t_foo = ffi_add_type(b, "Foo", "app.Foo");
  og_type t_int = ffi_add_type(b, "int", "builtins.int");
  og_str s_dict = ffi_intern(b, "__dict__"), s_cache = ffi_intern(b, "'cache'");
  og_str s_n = ffi_intern(b, "'n'"), s_peer = ffi_intern(b, "peer");

  og_id next = 0x1000;
  ids->module_id = next;
  og_index module = ffi_add_node(b, next++, t_module, 88,
                                 tracked | OG_NODE_MODULE | OG_NODE_ANY_MODULE, ffi_intern(b, "app"));
  og_index mdict = ffi_add_node(b, next++, t_dict, 1184, tracked, OG_STR_NONE);
  og_index list = ffi_add_node(b, next++, t_list, 2456, tracked | OG_NODE_CONTAINER, OG_STR_NONE);
  ffi_add_edge(b, module, mdict, OG_EDGE_DICT, s_dict);
  ffi_add_edge(b, mdict, list, OG_EDGE_DICT_VALUE, s_cache);
  og_index first_foo = OG_INDEX_NONE;
  for (uint32_t i = 0; i < N_FOO; i++) {
    og_index foo = ffi_add_node(b, next++, t_foo, 48, tracked | (i % 7 == 0 ? OG_NODE_HAS_DEL : 0),
                                OG_STR_NONE);
    og_index fdict = ffi_add_node(b, next++, t_dict, 104 + 8 * (i % 3), tracked, OG_STR_NONE);
    if (i == N_FOO - 1) ids->target_id = next;
    og_index num = ffi_add_node(b, next++, t_int, 28, 0, OG_STR_NONE);
    ffi_add_edge(b, list, foo, OG_EDGE_INDEX, i);
    ffi_add_edge(b, foo, fdict, OG_EDGE_DICT, s_dict);
    ffi_add_edge(b, fdict, num, OG_EDGE_DICT_VALUE, s_n);
    if (first_foo == OG_INDEX_NONE) first_foo = foo;
    if (i == 1) { /* a cycle: foo0.peer -> foo1, foo1.peer -> foo0 (a source out of order) */
      const og_index src[] = {foo, first_foo + 1}, dst[] = {first_foo, foo};
      const uint8_t kinds[] = {OG_EDGE_ATTR, OG_EDGE_DICT_VALUE};
      const uint32_t labels[] = {s_peer, s_peer};
      ffi_add_edges(b, src, dst, kinds, labels, 2);
    }
  }
  ids->stray_id = next;
  og_index stray = ffi_add_node(b, next++, t_dict, 232, tracked, OG_STR_NONE);
  ffi_add_edge(b, stray, list, OG_EDGE_DICT_VALUE, s_cache);

  og_graph *g = NULL;
  arg_out(&g);
  arg_ptr(b);
  call_ok("og_builder_finish");
  arg_ptr(b);
  call_void("og_builder_free");
  return g;
}

/* ---- comparisons ---------------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)n + 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) die("cannot read %s", path);
  fclose(f);
  *len = (size_t)n;
  return data;
}

static void compare_stats(og_graph *fg, og_graph *dg, int long_names, og_stats_order order,
                          size_t limit) {
  og_stats *fs = NULL, *ds = NULL;
  arg_out(&fs);
  arg_ptr(fg);
  arg_ptr(NULL);
  arg_size(OG_ALL_NODES);
  arg_int(long_names);
  arg_ptr(NULL);
  arg_ptr(NULL);
  call_ok("og_stats_compute");
  arg_ptr(fs);
  arg_int((int)order);
  arg_size(limit);
  call_ok("og_stats_sort");
  CHECK(og_stats_compute(&ds, dg, NULL, OG_ALL_NODES, long_names, NULL, NULL) == OG_OK);
  CHECK(og_stats_sort(ds, order, limit) == OG_OK);

  arg_ptr(fs);
  size_t n = (size_t)call_u64("og_stats_count");
  CHECK(n == og_stats_count(ds));
  CHECK(n == (limit ? limit : 5u));
  for (size_t i = 0; i < n && i < og_stats_count(ds); i++) {
    og_stats_row fr, dr;
    arg_out(&fr);
    arg_ptr(fs);
    arg_size(i);
    call_ok("og_stats_row_get");
    CHECK(og_stats_row_get(&dr, ds, i) == OG_OK);
    CHECK(fr.name_len == dr.name_len && memcmp(fr.name, dr.name, dr.name_len) == 0);
    CHECK(fr.count == dr.count && fr.size == dr.size);
    printf("  stats[%zu] %.*s count=%" PRIu64 " size=%" PRIu64 "\n", i, (int)fr.name_len, fr.name,
           fr.count, fr.size);
  }
  if (order == OG_STATS_BY_COUNT && !long_names) { /* the expected table of ffi_build */
    og_stats_row top;
    arg_out(&top);
    arg_ptr(fs);
    arg_size(0);
    call_ok("og_stats_row_get");
    CHECK(top.name_len == 4 && memcmp(top.name, "dict", 4) == 0);
    CHECK(top.count == 2 + N_FOO);
  }
  arg_ptr(fs);
  call_void("og_stats_free");
  og_stats_free(ds);
}

/* Backward chain from the target to a module, with the predicate as an ffi closure on one side
   and a C function on the other; abort_at != 0 makes the predicate abort at that call. */
static void compare_chain(og_graph *fg, og_graph *dg, og_id target_id, og_id module_id,
                          unsigned abort_at, const closure *pred) {
  og_walker fw, dw;
  arg_out(&fw);
  arg_ptr(fg);
  call_ok("og_graph_walker");
  CHECK(og_graph_walker(&dw, dg) == OG_OK);
  og_index ft, dt;
  arg_out(&ft);
  arg_ptr(fg);
  arg_u64(target_id);
  call_ok("og_graph_find");
  CHECK(og_graph_find(&dt, dg, target_id) == OG_OK);
  CHECK(ft == dt);

  og_search_options opts = OG_SEARCH_OPTIONS_INIT;
  opts.dir = OG_DIR_IN;
  pred_state fst = {PRED_MAGIC, fg, OG_NODE_MODULE, 0, abort_at, {0}};
  pred_state dst = {PRED_MAGIC, dg, OG_NODE_MODULE, 0, abort_at, {0}};
  og_indices *fchain = NULL, *dchain = NULL;
  arg_out(&fchain);
  arg_out(&fw);
  arg_u32(ft);
  arg_out(&opts);
  arg_ptr(pred->code);
  arg_out(&fst);
  int frc = call_int("og_search_chain");
  int drc = og_search_chain(&dchain, &dw, dt, &opts, pred_direct, &dst);
  CHECK(frc == drc);
  CHECK(fst.calls == dst.calls && fst.calls > 0);
  CHECK(memcmp(fst.order, dst.order, sizeof(fst.order)) == 0);
  printf("  chain (abort_at=%u): rc=%d, %u predicate calls\n", abort_at, frc, fst.calls);
  if (abort_at) {
    CHECK(frc == OG_EUSER && fst.calls == abort_at);
    CHECK(fchain == NULL);
  } else {
    CHECK(frc == OG_OK);
    arg_ptr(fchain);
    size_t n = (size_t)call_u64("og_indices_count");
    arg_ptr(fchain);
    const og_index *nodes = call_ptr("og_indices_data");
    CHECK(n == og_indices_count(dchain));
    CHECK(n == 6); /* int <- dict <- Foo <- list <- dict <- module */
    CHECK(n == og_indices_count(dchain) && memcmp(nodes, og_indices_data(dchain), n * sizeof *nodes) == 0);
    CHECK(ffi_node(fg, nodes[0]).id == target_id && ffi_node(fg, nodes[n - 1]).id == module_id);
    printf("  chain:");
    for (size_t i = 0; i < n; i++) printf(" %u", nodes[i]);
    printf("\n");
  }
  arg_ptr(fchain);
  call_void("og_indices_free");
  og_indices_free(dchain);
}

/* DOT of a subgraph: the ffi side writes through a libffi closure sink, the direct side into an
   og_buf through og_buf_write. */
static void compare_dot(og_graph *fg, og_graph *dg, og_id start_id, og_dir dir, int64_t max_depth,
                        const closure *writer) {
  og_walker fw, dw;
  arg_out(&fw);
  arg_ptr(fg);
  call_ok("og_graph_walker");
  CHECK(og_graph_walker(&dw, dg) == OG_OK);
  og_index start;
  CHECK(og_graph_find(&start, dg, start_id) == OG_OK);
  og_subgraph_options sg = OG_SUBGRAPH_OPTIONS_INIT;
  sg.dir = dir;
  sg.max_depth = max_depth;
  if (dir == OG_DIR_IN) {
    sg.cull_fn = (og_node_pred_fn)sym("og_subgraph_is_proper_module"); /* show_backrefs' cull */
    sg.cull_payload = fg;
  }
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  sink out = {NULL, 0, 0};
  size_t fnodes = 0, dnodes = 0;
  arg_out(&fnodes);
  arg_out(&fw);
  arg_out(&start);
  arg_size(1);
  arg_out(&sg);
  arg_ptr(fg);
  arg_ptr(NULL);
  arg_out(&eo);
  arg_ptr(writer->code);
  arg_out(&out);
  call_ok("og_emit_subgraph");

  if (dir == OG_DIR_IN) {
    sg.cull_fn = og_subgraph_is_proper_module;
    sg.cull_payload = dg;
  }
  og_buf dot = OG_BUF_INIT;
  CHECK(og_emit_subgraph(&dnodes, &dw, &start, 1, &sg, dg, NULL, &eo, og_buf_write, &dot) == OG_OK);
  CHECK(fnodes == dnodes && fnodes > 1);
  CHECK(out.len == dot.size && out.data && memcmp(out.data, dot.ptr, dot.size) == 0);
  CHECK(out.data && strncmp(out.data, "digraph ObjectGraph {\n", 22) == 0);
  CHECK(out.len > 2 && strcmp(out.data + out.len - 2, "}\n") == 0);
  printf("  dot (%s, max_depth %d): %zu nodes, %zu bytes in %u writes\n",
         dir == OG_DIR_IN ? "backrefs" : "refs", (int)max_depth, fnodes, out.len, out.writes);
  og_buf_dispose(&dot);
  free(out.data);
}

int main(int argc, char **argv) {
  if (argc != 2) die("usage: %s path/to/libog.so", argv[0]);
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) die("dlopen(%s): %s", argv[1], dlerror());

  /* The ffi side really is the shared library, not this binary's static copy. */
  Dl_info where;
  CHECK(dladdr(sym("og_version"), &where) && strstr(where.dli_fname, "libog.so") != NULL);
  CHECK(sym("og_version") != (void *)og_version);
  CHECK(strcmp(call_ptr("og_version"), og_version()) == 0);
  CHECK(dlsym(lib, "og__v1__record__descriptor") == NULL); /* protobuf-c code stays local */

  const char *tmp = getenv("TEST_TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/ffi_test.ogsnap", tmp ? tmp : "/tmp");

  /* Build through ffi, save through ffi, load both ways. */
  built ids;
  og_graph *built_g = ffi_build(&ids);
  arg_ptr(built_g);
  og_index n_built = call_u32("og_graph_node_count");
  CHECK(n_built == 3 + 3 * N_FOO + 1);
  arg_ptr(built_g);
  arg_ptr(path);
  arg_ptr(NULL);
  call_ok("og_snapshot_save");

  og_graph *fg = NULL, *dg = NULL;
  arg_out(&fg);
  arg_ptr(path);
  arg_ptr(NULL);
  call_ok("og_snapshot_load");
  CHECK(og_snapshot_load(&dg, path, NULL) == OG_OK);
  arg_ptr(fg);
  CHECK(call_u32("og_graph_node_count") == n_built && og_graph_node_count(dg) == n_built);
  arg_ptr(fg);
  CHECK(call_u64("og_graph_edge_count") == og_graph_edge_count(dg));

  /* The direct side re-encodes what it loaded to the very bytes the ffi side saved. */
  size_t file_len;
  char *file = read_file(path, &file_len);
  og_buf again = OG_BUF_INIT;
  CHECK(og_snapshot_encode(&again, dg, NULL) == OG_OK);
  CHECK(again.size == file_len && memcmp(again.ptr, file, file_len) == 0);
  printf("snapshot: %u nodes, %" PRIu64 " edges, %zu bytes\n", n_built, og_graph_edge_count(dg),
         file_len);
  og_buf_dispose(&again);
  free(file);

  printf("type statistics:\n");
  compare_stats(fg, dg, 0, OG_STATS_BY_COUNT, 0);
  compare_stats(fg, dg, 1, OG_STATS_BY_SIZE, 3);

  closure pred, writer;
  closure_make(&pred, pred_closure_fn, 2, &ffi_type_pointer, &ffi_type_uint32, NULL);
  closure_make(&writer, write_closure_fn, 3, &ffi_type_pointer, &ffi_type_pointer, &ffi_type_uint64);
  printf("backward chains:\n");
  compare_chain(fg, dg, ids.target_id, ids.module_id, 0, &pred);
  compare_chain(fg, dg, ids.target_id, ids.module_id, 3, &pred);
  printf("DOT:\n");
  compare_dot(fg, dg, ids.target_id, OG_DIR_IN, 8, &writer);
  compare_dot(fg, dg, ids.module_id, OG_DIR_OUT, 3, &writer);

  /* Errors cross the boundary as codes plus a thread-local message. */
  og_graph *none = NULL;
  arg_out(&none);
  arg_ptr("/nonexistent/dir/x.ogsnap");
  arg_ptr(NULL);
  CHECK(call_int("og_snapshot_load") == OG_ENOTFOUND && none == NULL);
  CHECK(strstr(call_ptr("og_error_last"), "/nonexistent/dir/x.ogsnap") != NULL);
  og_index idx;
  arg_out(&idx);
  arg_ptr(fg);
  arg_u64(ids.stray_id + 1);
  CHECK(call_int("og_graph_find") == OG_ENOTFOUND);
  arg_ptr(NULL);
  arg_ptr(fg);
  arg_u32(0);
  CHECK(call_int("og_graph_node") == OG_EINVALID);

  ffi_closure_free(pred.mem);
  ffi_closure_free(writer.mem);
  arg_ptr(built_g);
  call_void("og_graph_free");
  arg_ptr(fg);
  call_void("og_graph_free");
  og_graph_free(dg);
  remove(path);
  if (dlclose(lib) != 0) die("dlclose: %s", dlerror());
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all ffi checks passed\n");
  return 0;
}
