/* The snapshot's chunk decoder alone (engine/src/snapwire.c), plain against AVX-512, on a real file:
 * every node and edge chunk of FILE decoded R times into columns already mapped, so that neither
 * page faults nor reading nor the CRC count. Prints the best pass of each decoder and their ratio.
 *
 *   bazel run -c opt //bench:snapwire_bench -- FILE [R]
 *
 * FILE: any snapshot, e.g. one saved by `bench/snapshot_python.py --dir /tmp` (leakhunt's heap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "snapwire.h"

typedef struct file {
  uint8_t *data;
  size_t size;
} file;

static file read_file(const char *path) {
  file f = {0};
  FILE *fp = fopen(path, "rb");
  if (!fp || fseek(fp, 0, SEEK_END) != 0) {
    perror(path);
    exit(1);
  }
  f.size = (size_t)ftell(fp);
  rewind(fp);
  f.data = malloc(f.size ? f.size : 1);
  if (!f.data || fread(f.data, 1, f.size, fp) != f.size) {
    perror(path);
    exit(1);
  }
  fclose(fp);
  return f;
}

/* A record's length prefix (the file's framing: a varint of at most 5 bytes). */
static const uint8_t *frame(const uint8_t *p, const uint8_t *end, uint64_t *len) {
  *len = 0;
  for (unsigned s = 0; p < end && s < 35; s += 7) {
    *len |= (uint64_t)(*p & 0x7F) << s;
    if (!(*p++ & 0x80)) return *len <= (uint64_t)(end - p) ? p : NULL;
  }
  return NULL;
}

/* Every chunk the hand decoder takes, in file order; *nodes and *edges: the rows they need. */
static og__wire_chunk *scan(const file *f, size_t *n, uint64_t *nodes, uint64_t *edges) {
  og__wire_chunk *cs = NULL;
  size_t cap = 0;
  *n = 0, *nodes = *edges = 0;
  const uint8_t *p = f->data + 8, *end = f->data + f->size; /* after the magic */
  for (uint64_t len; p < end; p += len) {
    if (!(p = frame(p, end, &len))) {
      fprintf(stderr, "bad framing at byte %zu\n", (size_t)(p - f->data));
      exit(1);
    }
    if (*n == cap && !(cs = realloc(cs, (cap = cap ? 2 * cap : 64) * sizeof *cs))) exit(1);
    int what = og__wire_scan(&cs[*n], p, (size_t)len);
    if (what != OG__WIRE_NODES && what != OG__WIRE_EDGES) continue;
    uint64_t *rows = what == OG__WIRE_NODES ? nodes : edges, last = cs[*n].first + cs[*n].count;
    if (last > *rows) *rows = last;
    ++*n;
  }
  return cs;
}

static void *column(size_t n, size_t width) {
  void *p = malloc(n ? n * width : 1);
  if (!p) exit(1);
  memset(p, 0x5A, n * width); /* mapped before timing */
  return p;
}

/* Not the default allocator: the decoder then leaves the mapping of rows (og__populate, a system
   call per chunk even when they are mapped) to page faults, of which there are none here. */
static void *plain_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
  (void)ctx, (void)old_size;
  if (!new_size) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

/* The best of r passes over every chunk, in seconds. */
static double best_pass(const og__wire_dest *d, const og__wire_chunk *cs, size_t n, int r) {
  double best = 1e9;
  for (int k = 0; k < r; k++) {
    double t = bench_now();
    for (size_t i = 0; i < n; i++) {
      uint64_t sum;
      if (!og__wire_decode(&sum, d, &cs[i])) {
        fprintf(stderr, "chunk %zu declined\n", i);
        exit(1);
      }
    }
    t = bench_now() - t;
    if (t < best) best = t;
  }
  return best;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: snapwire_bench FILE [REPEAT]\n");
    return 2;
  }
  int r = argc > 2 ? atoi(argv[2]) : 20;
  file f = read_file(argv[1]);
  size_t n;
  uint64_t nodes, edges;
  og__wire_chunk *cs = scan(&f, &n, &nodes, &edges);
  const og_allocator alloc = {OG_ALLOCATOR_VERSION, plain_realloc, NULL};
  og__wire_dest d = {.alloc = &alloc,
                     .id = column(nodes, sizeof(og_id)),
                     .type = column(nodes, sizeof(og_type)),
                     .size = column(nodes, sizeof(uint32_t)),
                     .refcount = column(nodes, sizeof(uint32_t)),
                     .deg = column(nodes, sizeof(uint32_t)),
                     .flags = column(nodes, sizeof(uint16_t)),
                     .label = column(nodes, sizeof(og_str)),
                     .edst = column(edges, sizeof(og_index)),
                     .emeta = column(edges, sizeof(uint32_t)),
                     .nodes = nodes,
                     .edges = edges,
                     .types = UINT32_MAX, /* the file's counts are not checked here */
                     .strings = OG_META_NOLABEL - 1};
  printf("%s: %zu chunks, %llu nodes, %llu edges, best of %d passes (CPU time)\n", argv[1], n,
         (unsigned long long)nodes, (unsigned long long)edges, r);
  double plain = best_pass(&d, cs, n, r);
  printf("plain decoder   %7.2f ms\n", plain * 1e3);
  if (og__wire_simd_supported()) {
    d.simd = true;
    double simd = best_pass(&d, cs, n, r);
    printf("AVX-512 decoder %7.2f ms  (%.2fx the plain one's time)\n", simd * 1e3, simd / plain);
  } else {
    printf("AVX-512 decoder: this CPU has no AVX-512 VBMI2\n");
  }
  free(cs);
  free(f.data);
  return 0;
}
