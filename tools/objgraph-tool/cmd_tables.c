/* objgraph-tool: the text commands stats, leaks, diff and info. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

#define DEFAULT_LIMIT 10

static size_t limit_of(const tool_opts *o) {
  return o->limit < 0 ? DEFAULT_LIMIT : (size_t)o->limit;
}

static int digits(uint64_t v) {
  int d = 1;
  while (v >= 10) v /= 10, d++;
  return d;
}

/* show_most_common_types' rows: the name left-justified to the longest name, one space, the
   count; with sizes, the count is padded to the widest count and the total size follows. */
static void print_stats(const og_stats *s, bool sizes) {
  size_t n = og_stats_count(s), width = 0;
  int cwidth = 1;
  og_stats_row r;
  for (size_t i = 0; i < n; i++) {
    if (og_stats_row_get(&r, s, i) != OG_OK) continue;
    size_t w = tool_escaped_len(r.name, r.name_len);
    if (w > width) width = w;
    if (digits(r.count) > cwidth) cwidth = digits(r.count);
  }
  for (size_t i = 0; i < n; i++) {
    if (og_stats_row_get(&r, s, i) != OG_OK) continue;
    tool_put_padded(stdout, r.name, r.name_len, width);
    if (sizes)
      printf(" %-*llu %llu\n", cwidth, (unsigned long long)r.count, (unsigned long long)r.size);
    else
      printf(" %llu\n", (unsigned long long)r.count);
  }
}

/* Statistics of nodes (count OG_ALL_NODES: all) sorted and cut; NULL after printing an error. */
static og_stats *sorted_stats(const tool_opts *o, const og_graph *g, const char *path,
                              const og_index *nodes, size_t count, og_stats_order order,
                              size_t limit) {
  og_stats *s = NULL;
  if (og_stats_compute(&s, g, nodes, count, o->long_names, NULL, NULL) != OG_OK ||
      og_stats_sort(s, order, limit) != OG_OK) {
    tool_engine_error(o, path, "type statistics");
    og_stats_free(s);
    return NULL;
  }
  return s;
}

int tool_cmd_stats(const tool_opts *o) {
  const char *path = o->pos[0];
  og_graph *g = tool_load(o, path);
  if (!g) return TOOL_ERROR;
  og_stats *s = sorted_stats(o, g, path, NULL, OG_ALL_NODES,
                             o->sort_size ? OG_STATS_BY_SIZE : OG_STATS_BY_COUNT, limit_of(o));
  og_graph_free(g);
  if (!s) return TOOL_ERROR;
  print_stats(s, true);
  og_stats_free(s);
  return tool_finish_stdout(o);
}

int tool_cmd_leaks(const tool_opts *o) {
  const char *path = o->pos[0];
  og_graph *g = tool_load(o, path);
  if (!g) return TOOL_ERROR;
  og_indices *tracked = NULL, *l = NULL;
  og_stats *s = NULL;
  /* objgraph's candidates are the gc-tracked objects; every node counts as a referrer (a snapshot
     holds what the adapter saw, nothing more), weak references aside */
  uint32_t gc = OG_NODE_GC_TRACKED;
  if (og_select_by_flags(&tracked, g, gc, gc, NULL, OG_ALL_NODES) != OG_OK ||
      og_select_leaking(&l, g, og_indices_data(tracked), og_indices_count(tracked), OG_INDEX_NONE,
                        0) != OG_OK)
    tool_engine_error(o, path, "finding objects without referrers");
  else
    s = sorted_stats(o, g, path, og_indices_data(l), og_indices_count(l), OG_STATS_BY_COUNT,
                     limit_of(o));
  og_indices_free(tracked);
  og_indices_free(l);
  og_graph_free(g);
  if (!s) return TOOL_ERROR;
  print_stats(s, false);
  og_stats_free(s);
  return tool_finish_stdout(o);
}

/* ---- diff ---------------------------------------------------------------------------------- */

/* show_growth's table: name left-justified, count in 9 columns, space, signed delta in 9. */
static int print_growth(const tool_opts *o, const og_graph *old_g, const og_graph *new_g) {
  og_stats *so = NULL, *sn = NULL;
  og_peaks *peaks = NULL;
  og_growth *first = NULL, *gr = NULL;
  int rc = TOOL_ERROR;
  if (og_stats_compute(&so, old_g, NULL, OG_ALL_NODES, o->long_names, NULL, NULL) != OG_OK ||
      og_stats_compute(&sn, new_g, NULL, OG_ALL_NODES, o->long_names, NULL, NULL) != OG_OK ||
      og_peaks_new(&peaks, NULL) != OG_OK ||
      og_growth_compute(&first, peaks, so, 0) != OG_OK || /* peaks := the old counts */
      og_growth_compute(&gr, peaks, sn, limit_of(o)) != OG_OK) {
    tool_engine_error(o, o->pos[1], "growth");
    goto cleanup;
  }
  size_t n = og_growth_count(gr), width = 0;
  og_growth_row r;
  for (size_t i = 0; i < n; i++)
    if (og_growth_row_get(&r, gr, i) == OG_OK && tool_escaped_len(r.name, r.name_len) > width)
      width = tool_escaped_len(r.name, r.name_len);
  for (size_t i = 0; i < n; i++) {
    if (og_growth_row_get(&r, gr, i) != OG_OK) continue;
    tool_put_padded(stdout, r.name, r.name_len, width);
    printf("%9llu %+9lld\n", (unsigned long long)r.count, (long long)r.delta);
  }
  rc = TOOL_OK;
cleanup:
  og_growth_free(first);
  og_growth_free(gr);
  og_peaks_free(peaks);
  og_stats_free(so);
  og_stats_free(sn);
  return rc;
}

typedef struct new_row {
  og_diff_row row;
  size_t order;
} new_row;

static int by_new_count(const void *a, const void *b) {
  const new_row *x = a, *y = b;
  if (x->row.n_new != y->row.n_new) return x->row.n_new > y->row.n_new ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The objects only in the new graph, by type, most numerous first. */
static int print_new_objects(const tool_opts *o, const og_graph *old_g, const og_graph *new_g) {
  og_diff *d = NULL;
  og_diff_options dopts = OG_DIFF_OPTIONS_INIT;
  dopts.long_names = o->long_names;
  if (og_diff_graphs(&d, old_g, new_g, &dopts) != OG_OK) {
    tool_engine_error(o, o->pos[1], "diff");
    return TOOL_ERROR;
  }
  size_t total = og_diff_num_rows(d), n = 0, width = 0;
  new_row *rows = calloc(total ? total : 1, sizeof *rows);
  if (!rows) {
    og_diff_free(d);
    tool_error(o, "out of memory");
    return TOOL_ERROR;
  }
  for (size_t i = 0; i < total; i++) {
    if (og_diff_row_get(&rows[n].row, d, i) != OG_OK || rows[n].row.n_new == 0) continue;
    rows[n].order = i;
    n++;
  }
  qsort(rows, n, sizeof *rows, by_new_count);
  size_t limit = limit_of(o);
  if (limit && n > limit) n = limit;
  for (size_t i = 0; i < n; i++)
    if (tool_escaped_len(rows[i].row.name, rows[i].row.name_len) > width)
      width = tool_escaped_len(rows[i].row.name, rows[i].row.name_len);
  size_t nnew = 0;
  og_diff_new_nodes(d, &nnew);
  printf("\nNew objects: %zu (only in %s), by type: count, total size in bytes\n", nnew,
         o->pos[1]);
  for (size_t i = 0; i < n; i++) {
    tool_put_padded(stdout, rows[i].row.name, rows[i].row.name_len, width);
    printf("%9llu %12llu\n", (unsigned long long)rows[i].row.n_new,
           (unsigned long long)rows[i].row.size_new);
  }
  free(rows);
  og_diff_free(d);
  return TOOL_OK;
}

int tool_cmd_diff(const tool_opts *o) {
  og_graph *old_g = tool_load(o, o->pos[0]);
  if (!old_g) return TOOL_ERROR;
  og_graph *new_g = tool_load(o, o->pos[1]);
  if (!new_g) {
    og_graph_free(old_g);
    return TOOL_ERROR;
  }
  int rc = print_growth(o, old_g, new_g);
  if (rc == TOOL_OK) rc = print_new_objects(o, old_g, new_g);
  og_graph_free(old_g);
  og_graph_free(new_g);
  return rc == TOOL_OK ? tool_finish_stdout(o) : rc;
}

/* ---- info ---------------------------------------------------------------------------------- */

static void put_field(const char *key, const char *value) {
  printf("%-10s ", key);
  tool_put_escaped(stdout, value ? value : "", value ? strlen(value) : 0);
  putchar('\n');
}

static void put_time(int64_t ns) {
  if (ns == 0) {
    put_field("captured:", "unknown");
    return;
  }
  time_t secs = (time_t)(ns / 1000000000);
  long frac = (long)(ns % 1000000000);
  if (frac < 0) secs -= 1, frac += 1000000000;
  struct tm tm;
  char when[64];
  if (!gmtime_r(&secs, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm)) {
    printf("%-10s %lld ns since the epoch\n", "captured:", (long long)ns);
    return;
  }
  printf("%-10s %s.%09ld UTC\n", "captured:", when, frac);
}

int tool_cmd_info(const tool_opts *o) {
  const char *path = o->pos[0];
  og_snapshot_header *h = NULL;
  if (og_snapshot_info(&h, path) != OG_OK) {
    tool_engine_error(o, path, NULL);
    return TOOL_ERROR;
  }
  printf("%-10s ", "file:");
  tool_put_escaped(stdout, path, strlen(path));
  printf(" (%llu bytes)\n", (unsigned long long)h->file_size);
  printf("%-10s %u\n", "format:", h->format_version);
  put_field("writer:", h->writer);
  printf("%-10s ", "runtime:");
  tool_put_escaped(stdout, h->runtime_name, strlen(h->runtime_name));
  if (h->runtime_version[0]) putchar(' ');
  tool_put_escaped(stdout, h->runtime_version, strlen(h->runtime_version));
  putchar('\n');
  put_time(h->capture_time_unix_ns);
  if (h->pid)
    printf("%-10s %llu\n", "pid:", (unsigned long long)h->pid);
  else
    put_field("pid:", "unknown");
  printf("%-10s %llu\n", "nodes:", (unsigned long long)h->node_count);
  printf("%-10s %llu\n", "edges:", (unsigned long long)h->edge_count);
  printf("%-10s %llu\n", "types:", (unsigned long long)h->type_count);
  printf("%-10s %llu\n", "strings:", (unsigned long long)h->string_count);
  put_field("options:", h->capture_options);
  if (h->metadata_count == 0) put_field("metadata:", "none");
  else printf("metadata:\n");
  for (size_t i = 0; i < h->metadata_count; i++) {
    printf("  ");
    tool_put_escaped(stdout, h->metadata[i].key, strlen(h->metadata[i].key));
    printf(" = ");
    tool_put_escaped(stdout, h->metadata[i].value, strlen(h->metadata[i].value));
    putchar('\n');
  }
  og_snapshot_header_free(h);
  return tool_finish_stdout(o);
}
