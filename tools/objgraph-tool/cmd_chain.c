/* objgraph-tool chain: the k shortest reference chains from a root to an object. */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define DEFAULT_CHAIN_DEPTH 20

/* The reference as Python would spell the access: .attr, [key], [3], or (kind). */
static void put_edge(const og_graph *g, og_edge_kind kind, uint32_t label) {
  size_t len = 0;
  const char *s = (label != OG_STR_NONE && kind != OG_EDGE_INDEX) ? og_graph_str(g, label, &len)
                                                                 : NULL;
  switch (kind) {
    case OG_EDGE_DICT: fputs(".__dict__", stdout); return;
    case OG_EDGE_TYPE: fputs(".__class__", stdout); return;
    case OG_EDGE_INDEX:
      if (label != OG_STR_NONE) {
        printf("[%u]", label);
        return;
      }
      break;
    case OG_EDGE_ATTR:
      if (s) {
        putchar('.');
        tool_put_escaped(stdout, s, len);
        return;
      }
      break;
    case OG_EDGE_DICT_VALUE:
      if (s) {
        putchar('[');
        tool_put_escaped(stdout, s, len);
        putchar(']');
        return;
      }
      break;
    default: break;
  }
  static const char *const kinds[] = {"reference", "attribute", "dict key", "dict value",
                                      "item",      "cell",      "weak",     "type",
                                      "__dict__",  "element",   "local",    "globals"};
  const char *name = (unsigned)kind < sizeof kinds / sizeof kinds[0] ? kinds[kind] : "reference";
  putchar('(');
  if (!s || kind != OG_EDGE_OTHER) fputs(name, stdout); /* a labelled plain reference: the label */
  if (s) {
    if (kind != OG_EDGE_OTHER) putchar(' ');
    tool_put_escaped(stdout, s, len);
  }
  putchar(')');
}

/* "0x1000 module mymod": id, type name, then the node's label when it has one. */
static void put_node(const og_graph *g, og_index node, bool long_names) {
  og_node_info info;
  if (og_graph_node(&info, g, node) != OG_OK) {
    printf("#%u", node);
    return;
  }
  size_t len = 0;
  const char *type = tool_type_name(g, node, long_names, &len);
  printf("0x%llx ", (unsigned long long)info.id);
  tool_put_escaped(stdout, type, len);
  const char *label = info.label == OG_STR_NONE ? NULL : og_graph_str(g, info.label, &len);
  if (label) {
    putchar(' ');
    tool_put_escaped(stdout, label, len);
  }
}

static void print_path(const og_graph *g, const og_path_info *p, size_t i, size_t n,
                       bool long_names) {
  size_t refs = p->length ? p->length - 1 : 0;
  printf("chain %zu of %zu: %zu reference%s\n  ", i + 1, n, refs, refs == 1 ? "" : "s");
  put_node(g, p->nodes[0], long_names);
  putchar('\n');
  for (size_t j = 0; j < refs; j++) {
    printf("    ");
    put_edge(g, (og_edge_kind)p->kinds[j], p->labels[j]);
    printf(" -> ");
    put_node(g, p->nodes[j + 1], long_names);
    putchar('\n');
  }
}

/* The one target: --id, or the first object of --type (others are mentioned on stderr). */
static int pick_target(og_index *target, const tool_opts *o, og_graph *g) {
  og_index *starts = NULL;
  size_t n = 0;
  if (tool_select(&starts, &n, o, g, o->pos[0]) != TOOL_OK) return TOOL_ERROR;
  *target = starts[0];
  free(starts);
  if (n > 1) {
    og_node_info info;
    og_graph_node(&info, g, *target);
    fprintf(stderr,
            TOOL_NAME " chain: %zu objects of type '%s'; showing the first (0x%llx), pick "
            "another with --id\n",
            n, o->type, (unsigned long long)info.id);
  }
  return TOOL_OK;
}

int tool_find_paths(og_paths **out, const tool_opts *o, og_graph *g, og_index target) {
  og_walker w;
  og_search_options so = OG_SEARCH_OPTIONS_INIT;
  so.max_depth = o->max_depth < 0 ? DEFAULT_CHAIN_DEPTH : (uint32_t)o->max_depth;
  og_flags_pred modules = {g, OG_NODE_MODULE, OG_NODE_MODULE};
  tool_type_pred roots = {g, o->to_type};
  size_t k = o->paths < 0 ? 1 : (size_t)o->paths;
  tool_progress("searching chains...");
  int rc = og_graph_walker(&w, g);
  if (rc == OG_OK)
    rc = og_search_paths(out, &w, target, k, &so, o->to_type ? tool_type_pred_fn : og_flags_pred_fn,
                         o->to_type ? (void *)&roots : (void *)&modules);
  tool_progress_done();
  if (rc != OG_OK) {
    tool_engine_error(o, o->pos[0], "chain search");
    return TOOL_ERROR;
  }
  if (og_paths_count(*out) == 0) {
    og_node_info info;
    og_graph_node(&info, g, target);
    tool_error(o, "%s: no chain of at most %u references from %s%s to 0x%llx (try --max-depth%s)",
               o->pos[0], so.max_depth, o->to_type ? "an object of type " : "a module",
               o->to_type ? o->to_type : "", (unsigned long long)info.id,
               o->to_type ? "" : " or --to-type");
    return TOOL_ERROR;
  }
  return TOOL_OK;
}

int tool_cmd_chain(const tool_opts *o) {
  if ((o->nids == 0) == (o->type == NULL) || o->nids > 1)
    return tool_usage_error(o, "say which object with one --id ID or one --type T");
  if (o->paths == 0) return tool_usage_error(o, "--paths wants at least 1");
  og_graph *g = tool_load(o, o->pos[0]);
  if (!g) return TOOL_ERROR;
  og_index target;
  og_paths *paths = NULL;
  int rc = pick_target(&target, o, g);
  if (rc == TOOL_OK) rc = tool_find_paths(&paths, o, g, target);
  size_t n = rc == TOOL_OK ? og_paths_count(paths) : 0;
  for (size_t i = 0; i < n; i++) {
    og_path_info p;
    if (og_paths_get(&p, paths, i) != OG_OK || p.length == 0) continue;
    print_path(g, &p, i, n, o->long_names);
  }
  og_paths_free(paths);
  og_graph_free(g);
  return rc == TOOL_OK ? tool_finish_stdout(o) : rc;
}
