/* objgraph-tool: the command table, the top-level help and the dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define M(x) (1u << (x))
#define SELECT_OPTS (M(OPT_ID) | M(OPT_TYPE))
#define SUBGRAPH_OPTS                                                                     \
  (SELECT_OPTS | M(OPT_BACKREFS) | M(OPT_REFS) | M(OPT_MAX_DEPTH) | M(OPT_TOO_MANY) | \
   M(OPT_FILTER_TYPE) | M(OPT_LONG_NAMES))

static const tool_command commands[] = {
    {"render", tool_cmd_render,
     SUBGRAPH_OPTS | M(OPT_OUT) | M(OPT_FORMAT) | M(OPT_MAX_NODES) | M(OPT_FORCE) | M(OPT_CHAIN) |
         M(OPT_TO_TYPE) | M(OPT_PATHS),
     1, 1,
     "render GRAPH.pb (--id ID | --type T)... -o OUT [options]",
     "Draw the objects around the chosen ones the way objgraph's show_backrefs/show_refs do\n"
     "(same labels, colours and edge labels), laid out by Graphviz's dot.\n"
     "\n"
     "  -o, --output OUT     output file; '-' is stdout\n"
     "  --format F           svg, png, pdf, dot or json (default: from OUT's extension;\n"
     "                       dot for stdout)\n"
     "  --id ID              start at the object with this id (hex 0x... or decimal); repeatable\n"
     "  --type T             start at every object of type T (a dotted name matches the long\n"
     "                       type name, any other the short one)\n"
     "  --backrefs           follow referrers (default), stopping at modules\n"
     "  --refs               follow referents\n"
     "  --max-depth N        references followed from the starts (default 3)\n"
     "  --too-many N         neighbours drawn per object; more are summarised (default 10)\n"
     "  --filter-type T      draw only objects of type T besides the starts\n"
     "  --long-names         label nodes with long type names (module.Class)\n"
     "  --max-nodes N        refuse to draw more than N nodes (default 2000)\n"
     "  --force              draw however many nodes it takes\n"
     "  --chain              draw the object's shortest chain from a module instead, as\n"
     "                       objgraph's show_chain(find_backref_chain(obj, is_proper_module)):\n"
     "                       only chain members, --max-depth bounds the search (default 20);\n"
     "                       with --to-type T and --paths K as for the chain command\n"},
    {"stats", tool_cmd_stats, M(OPT_LIMIT) | M(OPT_SORT) | M(OPT_LONG_NAMES), 1, 1,
     "stats GRAPH.pb [--limit N] [--sort count|size] [--long-names]",
     "The most common types, as objgraph's show_most_common_types prints them, with a third\n"
     "column: the total size in bytes of the objects of that type.\n"
     "\n"
     "  --limit N            rows shown (default 10; 0 = all)\n"
     "  --sort count|size    order by object count (default) or by total size\n"
     "  --long-names         group by long type names (module.Class)\n"},
    {"diff", tool_cmd_diff, M(OPT_LIMIT) | M(OPT_LONG_NAMES), 2, 2,
     "diff OLD.pb NEW.pb [--limit N] [--long-names]",
     "What grew from OLD to NEW: objgraph's show_growth table (type, count in NEW, +increase),\n"
     "then the objects present only in NEW (by object id and type), by type: count and size.\n"
     "\n"
     "  --limit N            rows per table (default 10; 0 = all)\n"
     "  --long-names         group by long type names (module.Class)\n"},
    {"chain", tool_cmd_chain,
     SELECT_OPTS | M(OPT_TO_TYPE) | M(OPT_PATHS) | M(OPT_MAX_DEPTH) | M(OPT_LONG_NAMES), 1, 1,
     "chain GRAPH.pb (--id ID | --type T) [--to-type T] [--paths K] [--max-depth N]",
     "The shortest reference chain from a root to the object (its retainer path): one line per\n"
     "reference, with the edge's label (.attr, [key], [index], ...). Roots are the modules\n"
     "(flagged as registered modules in the snapshot) unless --to-type is given.\n"
     "\n"
     "  --id ID              the object (hex 0x... or decimal)\n"
     "  --type T             the first object of type T (in capture order)\n"
     "  --to-type T          chains start at objects of type T instead of modules\n"
     "  --paths K            the K shortest distinct chains (default 1)\n"
     "  --max-depth N        longest chain, in references (default 20)\n"
     "  --long-names         long type names (module.Class)\n"},
    {"leaks", tool_cmd_leaks, M(OPT_LIMIT) | M(OPT_LONG_NAMES), 1, 1,
     "leaks GRAPH.pb [--limit N] [--long-names]",
     "gc-tracked objects nothing in the snapshot refers to, weak references aside (objgraph's\n"
     "get_leaking_objects), counted by type in show_most_common_types' style.\n"
     "\n"
     "  --limit N            rows shown (default 10; 0 = all)\n"
     "  --long-names         group by long type names (module.Class)\n"},
    {"json", tool_cmd_json,
     SUBGRAPH_OPTS | M(OPT_OUT) | M(OPT_CHAIN) | M(OPT_TO_TYPE) | M(OPT_PATHS), 1, 1,
     "json GRAPH.pb [-o OUT] [--id ID | --type T [--max-depth N] ...]",
     "The graph as node-link JSON (the engine's format; networkx.node_link_graph loads it):\n"
     "the whole snapshot, or with --id/--type the subgraph render would draw.\n"
     "\n"
     "  -o, --output OUT     output file (default '-', stdout)\n"
     "  --id ID, --type T    select a subgraph (see render --help); repeatable --id\n"
     "  --backrefs, --refs, --max-depth N, --too-many N, --filter-type T, --chain,\n"
     "  --to-type T, --paths K: as for render\n"
     "  --long-names         long type names in \"type\"\n"},
    {"info", tool_cmd_info, 0, 1, 1, "info GRAPH.pb",
     "The snapshot's header: format, writer, runtime, capture time, pid, counts, capture\n"
     "options and metadata. Only the header is read.\n"},
};

static void print_main_help(FILE *f) {
  fprintf(f,
          "Usage: " TOOL_NAME " COMMAND [ARGS] [OPTIONS]\n"
          "\n"
          "Look into heap snapshots (objgraph.snapshot() files, OGSNAP1 format) without the\n"
          "process that made them.\n"
          "\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %s\n", commands[i].synopsis);
  fprintf(f,
          "\n"
          "'" TOOL_NAME " COMMAND --help' describes a command. '-o -' writes to stdout.\n"
          "Exit status: 0 success, 1 error (bad file, unknown id...), 2 usage error.\n");
}

static const tool_command *find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  /* `bazel run` starts us in the runfiles tree: relative paths mean the caller's directory. */
  const char *cwd = getenv("BUILD_WORKING_DIRECTORY");
  if (cwd && cwd[0] && chdir(cwd) != 0) {
    fprintf(stderr, TOOL_NAME ": cannot change to %s (BUILD_WORKING_DIRECTORY)\n", cwd);
    return TOOL_ERROR;
  }
  if (argc < 2) {
    print_main_help(stderr);
    return TOOL_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
    const tool_command *c = argc > 2 && strcmp(name, "help") == 0 ? find_command(argv[2]) : NULL;
    if (c)
      tool_print_command_help(c);
    else
      print_main_help(stdout);
    return TOOL_OK;
  }
  const tool_command *cmd = find_command(name);
  if (!cmd) {
    fprintf(stderr, TOOL_NAME ": unknown command '%s'\nTry '" TOOL_NAME " --help'.\n", name);
    return TOOL_USAGE;
  }
  tool_opts o;
  int rc = tool_parse_args(&o, cmd, argc, argv, 2);
  if (rc != TOOL_OK) return rc;
  if (o.help) {
    tool_print_command_help(cmd);
    return TOOL_OK;
  }
  return cmd->run(&o);
}
