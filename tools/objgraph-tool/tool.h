/* objgraph-tool: shared pieces of the command line over snapshot files.
 *
 * Every command is a function taking the parsed options and returning an exit code
 * (TOOL_OK, TOOL_ERROR or TOOL_USAGE) after printing its own diagnostics on stderr.
 * Only the public engine API is used: og/og.h and og/snapshot.h. */
#ifndef OBJGRAPH_TOOL_H
#define OBJGRAPH_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "og/og.h"
#include "og/snapshot.h"

#define TOOL_NAME "objgraph-tool"

/* Exit codes. */
enum { TOOL_OK = 0, TOOL_ERROR = 1, TOOL_USAGE = 2 };

/* Option identifiers; a command's allowed options are a mask of (1u << OPT_x). */
typedef enum tool_opt_id {
  OPT_HELP,
  OPT_OUT,
  OPT_FORMAT,
  OPT_ID,
  OPT_TYPE,
  OPT_BACKREFS,
  OPT_REFS,
  OPT_MAX_DEPTH,
  OPT_TOO_MANY,
  OPT_FILTER_TYPE,
  OPT_MAX_NODES,
  OPT_FORCE,
  OPT_LIMIT,
  OPT_SORT,
  OPT_LONG_NAMES,
  OPT_TO_TYPE,
  OPT_PATHS,
  OPT_CHAIN,
  OPT_COUNT_ /* number of options */
} tool_opt_id;

#define TOOL_MAX_POS 2
#define TOOL_MAX_IDS 64

/* What the command line said. Numbers are -1 when not given (each command has its defaults). */
typedef struct tool_opts {
  const struct tool_command *cmd;
  const char *pos[TOOL_MAX_POS];
  int npos;
  bool help;
  const char *out;
  const char *format;
  og_id ids[TOOL_MAX_IDS];
  size_t nids;
  const char *type;
  int dir; /* -1 unset, else og_dir */
  int64_t max_depth, too_many, max_nodes, limit, paths;
  const char *filter_type;
  const char *to_type;
  int sort_size;
  bool long_names;
  bool force;
  bool chain; /* render --chain */
} tool_opts;

typedef struct tool_command {
  const char *name;
  int (*run)(const tool_opts *o);
  unsigned allowed; /* mask of 1u << tool_opt_id */
  int min_pos, max_pos;
  const char *synopsis; /* "render GRAPH.pb -o OUT [options]" */
  const char *help;     /* the text after the synopsis */
} tool_command;

/* ---- args.c -------------------------------------------------------------------------------- */

/* Parse argv[first..argc) for command cmd into *o. On a usage error prints the problem and a
   hint on stderr and returns TOOL_USAGE; otherwise TOOL_OK. */
int tool_parse_args(tool_opts *o, const tool_command *cmd, int argc, char **argv, int first);

/* Print the command's help on stdout. */
void tool_print_command_help(const tool_command *cmd);

/* ---- common.c ------------------------------------------------------------------------------ */

/* "objgraph-tool CMD: " + the formatted message + newline on stderr. */
void tool_error(const tool_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The engine's last error as a message naming file (prefixed with it unless it already does). */
void tool_engine_error(const tool_opts *o, const char *file, const char *what);

/* A usage error: message, then "Try 'objgraph-tool CMD --help'."; returns TOOL_USAGE. */
int tool_usage_error(const tool_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A progress line on stderr only when stderr is a terminal; tool_progress_done erases it. */
void tool_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tool_progress_done(void);

/* Load a snapshot; on failure prints the error naming path and returns NULL. */
og_graph *tool_load(const tool_opts *o, const char *path);

/* The start nodes chosen by --id (in order) and --type (in graph order), as a malloc'ed array
   (*out, free it). Prints an error naming path for an unknown id or a type without objects.
   Returns TOOL_OK or TOOL_ERROR. Nothing selected (no --id/--type) gives *n = 0. */
int tool_select(og_index **out, size_t *n, const tool_opts *o, og_graph *g, const char *path);

/* An og_node_pred_fn over a tool_type_pred: objgraph's dotted-name type rule. */
typedef struct tool_type_pred {
  const og_graph *g;
  const char *name;
} tool_type_pred;
int tool_type_pred_fn(void *payload, og_index node);

/* Short (or long) type name of a node; never NULL. */
const char *tool_type_name(const og_graph *g, og_index node, bool long_names, size_t *len);

/* An output file written atomically: a temporary file in the same directory renamed over the
   path by tool_out_commit; "-" is stdout. */
typedef struct tool_out {
  const char *path; /* the file finally written (a symlink's target) */
  char *real;       /* owned: the resolved symlink target, or NULL */
  char *tmp;        /* owned: the temp file, NULL for stdout or a device/pipe */
  FILE *f;
  int err; /* errno of the first failed write, 0 when none */
} tool_out;

int tool_out_open(tool_out *out, const tool_opts *o, const char *path);
/* An og_write_fn over a tool_out. */
int tool_out_write(void *out, const char *data, size_t len);
/* Finish: flush, sync, rename. Prints the error and removes the temp file on failure. */
int tool_out_commit(tool_out *out, const tool_opts *o);
/* Drop a partial output (removes the temp file). */
void tool_out_abort(tool_out *out);

/* Check stdout after a text command: TOOL_OK, or prints the write error. */
int tool_finish_stdout(const tool_opts *o);

/* Print s[0..len) with control characters escaped (\n, \t, \xNN) so a row stays one line. */
void tool_put_escaped(FILE *f, const char *s, size_t len);

/* Display width of an escaped name (as tool_put_escaped prints it). */
size_t tool_escaped_len(const char *s, size_t len);

/* Print s escaped and padded with spaces to width columns. */
void tool_put_padded(FILE *f, const char *s, size_t len, size_t width);

/* ---- commands ------------------------------------------------------------------------------ */

int tool_cmd_render(const tool_opts *o);
int tool_cmd_json(const tool_opts *o);
int tool_cmd_stats(const tool_opts *o);
int tool_cmd_leaks(const tool_opts *o);
int tool_cmd_diff(const tool_opts *o);
int tool_cmd_chain(const tool_opts *o);
int tool_cmd_info(const tool_opts *o);

/* ---- cmd_chain.c -------------------------------------------------------------------------- */

/* The k (--paths, default 1) shortest chains from a root (modules, or --to-type) to target,
   at most --max-depth (default 20) references long. Prints the error (none found included)
   and returns TOOL_ERROR, or TOOL_OK with *out owned by the caller (og_paths_free). */
int tool_find_paths(og_paths **out, const tool_opts *o, og_graph *g, og_index target);

/* ---- gv.c: Graphviz, in process ------------------------------------------------------------ */

/* Lay out DOT text (NUL-terminated) with "dot" and render it in format ("svg", "png", "pdf")
   to out. On failure returns OG_ERROR with a message in errbuf. */
int tool_gv_render(og_buf *out, const char *dot, const char *format, char *errbuf,
                   size_t errlen);

#endif
