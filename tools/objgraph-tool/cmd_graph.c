/* objgraph-tool: render (a subgraph drawn by Graphviz) and json (node-link JSON). */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define DEFAULT_MAX_DEPTH 3
#define DEFAULT_TOO_MANY 10
#define DEFAULT_MAX_NODES 2000

static const char *const formats[] = {"svg", "png", "pdf", "dot", "json"};

/* A subgraph request: the loaded graph, the starts and objgraph's traversal options. */
typedef struct request {
  og_graph *g;
  og_walker walker;
  og_index *starts;
  size_t nstarts;
  og_subgraph_options sg;
  tool_type_pred filter; /* --filter-type */
  uint8_t *in_chain;     /* --chain: one bit per node of the graph */
} request;

/* og_node_pred_fn for --chain: objgraph show_chain's filter (members of the chains). */
static int chain_member(void *payload, og_index node) {
  const request *r = payload;
  return (r->in_chain[node >> 3] >> (node & 7)) & 1;
}

/* Mark the nodes of the k shortest chains to every start; the drawing is then objgraph's
   show_chain: backrefs from the targets (or refs from the roots), as deep as the longest
   chain, showing chain members only. */
static int setup_chain(request *r, const tool_opts *o) {
  r->in_chain = calloc(og_graph_node_count(r->g) / 8 + 1, 1);
  og_index *roots = malloc((r->nstarts * (size_t)(o->paths > 0 ? o->paths : 1)) * sizeof *roots);
  size_t nroots = 0;
  int64_t longest = 0;
  int rc = r->in_chain && roots ? TOOL_OK : TOOL_ERROR;
  if (rc != TOOL_OK) tool_error(o, "out of memory");
  for (size_t i = 0; rc == TOOL_OK && i < r->nstarts; i++) {
    og_paths *paths = NULL;
    rc = tool_find_paths(&paths, o, r->g, r->starts[i]);
    for (size_t k = 0; rc == TOOL_OK && k < og_paths_count(paths); k++) {
      og_path_info p;
      if (og_paths_get(&p, paths, k) != OG_OK || p.length == 0) continue;
      for (size_t j = 0; j < p.length; j++) r->in_chain[p.nodes[j] >> 3] |= 1u << (p.nodes[j] & 7);
      if ((int64_t)p.length - 1 > longest) longest = (int64_t)p.length - 1;
      roots[nroots++] = p.nodes[0];
    }
    og_paths_free(paths);
  }
  if (rc == TOOL_OK && r->sg.dir == OG_DIR_OUT) { /* show_chain(backrefs=False) */
    free(r->starts);
    r->starts = roots, r->nstarts = nroots, roots = NULL;
  }
  free(roots);
  r->sg.max_depth = longest;
  r->sg.filter_fn = chain_member;
  r->sg.filter_payload = r;
  return rc;
}

static void request_free(request *r) {
  free(r->in_chain);
  free(r->starts);
  og_graph_free(r->g);
}

/* Load, select the starts and fill the traversal options; TOOL_OK or a printed error. */
static int request_open(request *r, const tool_opts *o, bool need_starts) {
  memset(r, 0, sizeof *r);
  const char *path = o->pos[0];
  if ((need_starts || o->chain) && o->nids == 0 && !o->type)
    return tool_usage_error(o, "say what to draw with --id ID or --type T");
  if (o->chain && o->filter_type)
    return tool_usage_error(o, "--chain already chooses what to draw: no --filter-type with it");
  if (!o->chain && (o->to_type || o->paths >= 0))
    return tool_usage_error(o, "--to-type and --paths go with --chain");
  if (o->paths == 0) return tool_usage_error(o, "--paths wants at least 1");
  r->g = tool_load(o, path);
  if (!r->g) return TOOL_ERROR;
  if (tool_select(&r->starts, &r->nstarts, o, r->g, path) != TOOL_OK) return TOOL_ERROR;
  og_subgraph_options sg = OG_SUBGRAPH_OPTIONS_INIT;
  sg.dir = o->dir < 0 ? OG_DIR_IN : (og_dir)o->dir;
  sg.max_depth = o->max_depth < 0 ? DEFAULT_MAX_DEPTH : o->max_depth;
  sg.too_many = o->too_many < 0 ? DEFAULT_TOO_MANY : o->too_many;
  if (sg.dir == OG_DIR_IN) { /* show_backrefs stops at proper modules */
    sg.cull_fn = og_subgraph_is_proper_module;
    sg.cull_payload = r->g;
  }
  if (o->filter_type) {
    r->filter.g = r->g;
    r->filter.name = o->filter_type;
    sg.filter_fn = tool_type_pred_fn;
    sg.filter_payload = &r->filter;
  }
  r->sg = sg;
  if (og_graph_walker(&r->walker, r->g) != OG_OK) {
    tool_engine_error(o, path, NULL);
    return TOOL_ERROR;
  }
  return o->chain ? setup_chain(r, o) : TOOL_OK;
}

static int count_nodes(void *payload, const og_subgraph_event *ev) {
  if (ev->kind == OG_SUBGRAPH_NODE) (*(uint64_t *)payload)++;
  return OG_OK;
}

/* Stream the subgraph through the engine's emitter in the given format. */
static int emit(const request *r, const tool_opts *o, og_emit_format format, og_write_fn write,
                void *payload, size_t *nodes) {
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.format = format;
  eo.long_names = o->long_names;
  return og_emit_subgraph(nodes, &r->walker, r->starts, r->nstarts, &r->sg, r->g, NULL, &eo,
                          write, payload);
}

/* The output format: --format, else OUT's extension, else dot for stdout. NULL if unknown. */
static const char *output_format(const tool_opts *o) {
  const char *f = o->format;
  if (!f && strcmp(o->out, "-") == 0) return "dot";
  if (!f) {
    const char *slash = strrchr(o->out, '/');
    const char *dot = strrchr(slash ? slash : o->out, '.');
    if (!dot) return NULL;
    f = dot + 1;
  }
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcmp(f, formats[i]) == 0) return formats[i];
  return NULL;
}

/* Refuse a drawing over --max-nodes unless --force. */
static int check_size(const request *r, const tool_opts *o, uint64_t *nodes) {
  *nodes = 0;
  tool_progress("counting the nodes to draw...");
  int rc = og_subgraph_run(&r->walker, r->starts, r->nstarts, &r->sg, count_nodes, nodes);
  tool_progress_done();
  if (rc != OG_OK) {
    tool_engine_error(o, o->pos[0], "subgraph");
    return TOOL_ERROR;
  }
  int64_t max = o->max_nodes < 0 ? DEFAULT_MAX_NODES : o->max_nodes;
  if (o->force || *nodes <= (uint64_t)max) return TOOL_OK;
  tool_error(o,
             "%s: this drawing would have %llu nodes, over --max-nodes %lld, too many to read.\n"
             "Narrow it with --max-depth (now %lld), --too-many (now %lld), --filter-type T, "
             "fewer starts (%zu now: use --id), or draw it anyway with --force.",
             o->pos[0], (unsigned long long)*nodes, (long long)max, (long long)r->sg.max_depth,
             (long long)r->sg.too_many, r->nstarts);
  return TOOL_ERROR;
}

/* DOT into memory, laid out and rendered by Graphviz, then written out. */
static int render_image(const request *r, const tool_opts *o, const char *format, tool_out *out) {
  og_buf dot = OG_BUF_INIT, image = OG_BUF_INIT;
  int rc = TOOL_ERROR;
  if (emit(r, o, OG_EMIT_DOT, og_buf_write, &dot, NULL) != OG_OK) {
    tool_engine_error(o, o->pos[0], "DOT");
    goto cleanup;
  }
  char err[512];
  tool_progress("laying out with graphviz...");
  int grc = tool_gv_render(&image, dot.ptr ? dot.ptr : "", format, err, sizeof err);
  tool_progress_done();
  if (grc != OG_OK) {
    tool_error(o, "%s: graphviz could not draw the graph: %s", o->out, err);
    goto cleanup;
  }
  tool_out_write(out, image.ptr, image.size); /* a write error is reported by the commit */
  rc = TOOL_OK;
cleanup:
  og_buf_dispose(&dot);
  og_buf_dispose(&image);
  return rc;
}

static int write_subgraph(const request *r, const tool_opts *o, const char *format,
                          tool_out *out) {
  if (strcmp(format, "dot") == 0 || strcmp(format, "json") == 0) {
    og_emit_format ef = format[0] == 'd' ? OG_EMIT_DOT : OG_EMIT_JSON;
    int rc = emit(r, o, ef, tool_out_write, out, NULL);
    if (rc == OG_OK || out->err) return TOOL_OK; /* a write error is reported by the commit */
    tool_engine_error(o, o->pos[0], format);
    return TOOL_ERROR;
  }
  return render_image(r, o, format, out);
}

int tool_cmd_render(const tool_opts *o) {
  if (!o->out) return tool_usage_error(o, "say where to draw with -o OUT ('-' for stdout)");
  const char *format = output_format(o);
  if (!format)
    return tool_usage_error(o, "cannot tell the format of '%s': use --format svg|png|pdf|dot|json",
                            o->format ? o->format : o->out);
  request r;
  uint64_t nodes = 0;
  int rc = request_open(&r, o, true);
  if (rc == TOOL_OK) rc = check_size(&r, o, &nodes);
  tool_out out;
  if (rc == TOOL_OK) rc = tool_out_open(&out, o, o->out);
  if (rc == TOOL_OK) {
    rc = write_subgraph(&r, o, format, &out);
    if (rc == TOOL_OK) rc = tool_out_commit(&out, o);
    else tool_out_abort(&out);
  }
  request_free(&r);
  if (rc == TOOL_OK && strcmp(o->out, "-") != 0)
    printf("Graph written to %s (%llu nodes)\n", o->out, (unsigned long long)nodes);
  return rc == TOOL_OK ? tool_finish_stdout(o) : rc;
}

int tool_cmd_json(const tool_opts *o) {
  const char *outpath = o->out ? o->out : "-";
  request r;
  int rc = request_open(&r, o, false);
  tool_out out;
  if (rc == TOOL_OK) rc = tool_out_open(&out, o, outpath);
  if (rc == TOOL_OK) {
    if (r.nstarts) {
      rc = write_subgraph(&r, o, "json", &out);
    } else {
      og_emit_options eo = OG_EMIT_OPTIONS_INIT;
      eo.long_names = o->long_names;
      if (og_emit_json_graph(r.g, &eo, tool_out_write, &out) != OG_OK && !out.err) {
        tool_engine_error(o, o->pos[0], "JSON");
        rc = TOOL_ERROR;
      }
    }
    if (rc == TOOL_OK) rc = tool_out_commit(&out, o);
    else tool_out_abort(&out);
  }
  request_free(&r);
  return rc;
}
