/* objgraph-tool: command-line parsing (options anywhere, --opt VALUE or --opt=VALUE). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct opt_spec {
  const char *name; /* long name without "--" */
  char short_name;  /* 0 when none */
  bool has_arg;
} opt_spec;

static const opt_spec specs[OPT_COUNT_] = {
    [OPT_HELP] = {"help", 'h', false},
    [OPT_OUT] = {"output", 'o', true},
    [OPT_FORMAT] = {"format", 0, true},
    [OPT_ID] = {"id", 0, true},
    [OPT_TYPE] = {"type", 0, true},
    [OPT_BACKREFS] = {"backrefs", 0, false},
    [OPT_REFS] = {"refs", 0, false},
    [OPT_MAX_DEPTH] = {"max-depth", 0, true},
    [OPT_TOO_MANY] = {"too-many", 0, true},
    [OPT_FILTER_TYPE] = {"filter-type", 0, true},
    [OPT_MAX_NODES] = {"max-nodes", 0, true},
    [OPT_FORCE] = {"force", 0, false},
    [OPT_LIMIT] = {"limit", 0, true},
    [OPT_SORT] = {"sort", 0, true},
    [OPT_LONG_NAMES] = {"long-names", 0, false},
    [OPT_TO_TYPE] = {"to-type", 0, true},
    [OPT_PATHS] = {"paths", 0, true},
    [OPT_CHAIN] = {"chain", 0, false},
};

void tool_print_command_help(const tool_command *cmd) {
  printf("Usage: " TOOL_NAME " %s\n\n%s", cmd->synopsis, cmd->help);
  printf("  -h, --help           this help\n");
}

/* The option named by arg ("--name", "--name=value" or "-x"); *value gets an inline value. */
static int find_spec(const char *arg, const char **value) {
  *value = NULL;
  if (arg[1] != '-') {
    for (int i = 0; i < OPT_COUNT_; i++)
      if (specs[i].short_name && arg[1] == specs[i].short_name && arg[2] == '\0') return i;
    return -1;
  }
  const char *name = arg + 2;
  const char *eq = strchr(name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen(name);
  for (int i = 0; i < OPT_COUNT_; i++) {
    if (strlen(specs[i].name) == len && memcmp(specs[i].name, name, len) == 0) {
      if (eq) *value = eq + 1;
      return i;
    }
  }
  return -1;
}

/* A non-negative integer option value. */
static int parse_count(int64_t *out, const tool_opts *o, const char *opt, const char *s) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < 0)
    return tool_usage_error(o, "--%s wants a non-negative integer, not '%s'", opt, s);
  *out = v;
  return TOOL_OK;
}

/* An object id: hex with 0x, or decimal. */
static int parse_id(og_id *out, const tool_opts *o, const char *s) {
  char *end = NULL;
  int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno || end == s || *end != '\0' || s[0] == '-' || (base == 16 && s[2] == '\0'))
    return tool_usage_error(o, "--id wants an object id (0x7f... or decimal), not '%s'", s);
  *out = (og_id)v;
  return TOOL_OK;
}

static int apply(tool_opts *o, int id, const char *v) {
  switch (id) {
    case OPT_HELP: o->help = true; return TOOL_OK;
    case OPT_OUT: o->out = v; return TOOL_OK;
    case OPT_FORMAT: o->format = v; return TOOL_OK;
    case OPT_ID:
      if (o->nids == TOOL_MAX_IDS) return tool_usage_error(o, "at most %d --id", TOOL_MAX_IDS);
      return parse_id(&o->ids[o->nids++], o, v);
    case OPT_TYPE:
      if (o->type) return tool_usage_error(o, "--type given twice");
      o->type = v;
      return TOOL_OK;
    case OPT_BACKREFS: o->dir = OG_DIR_IN; return TOOL_OK;
    case OPT_REFS: o->dir = OG_DIR_OUT; return TOOL_OK;
    case OPT_MAX_DEPTH: return parse_count(&o->max_depth, o, specs[id].name, v);
    case OPT_TOO_MANY: return parse_count(&o->too_many, o, specs[id].name, v);
    case OPT_MAX_NODES: return parse_count(&o->max_nodes, o, specs[id].name, v);
    case OPT_LIMIT: return parse_count(&o->limit, o, specs[id].name, v);
    case OPT_PATHS: return parse_count(&o->paths, o, specs[id].name, v);
    case OPT_FILTER_TYPE: o->filter_type = v; return TOOL_OK;
    case OPT_TO_TYPE: o->to_type = v; return TOOL_OK;
    case OPT_FORCE: o->force = true; return TOOL_OK;
    case OPT_LONG_NAMES: o->long_names = true; return TOOL_OK;
    case OPT_CHAIN: o->chain = true; return TOOL_OK;
    case OPT_SORT:
      if (strcmp(v, "count") == 0) o->sort_size = 0;
      else if (strcmp(v, "size") == 0) o->sort_size = 1;
      else return tool_usage_error(o, "--sort wants 'count' or 'size', not '%s'", v);
      return TOOL_OK;
    default: return tool_usage_error(o, "internal: unhandled option %d", id);
  }
}

static void init_opts(tool_opts *o, const tool_command *cmd) {
  memset(o, 0, sizeof *o);
  o->cmd = cmd;
  o->dir = -1;
  o->max_depth = o->too_many = o->max_nodes = o->limit = o->paths = -1;
}

static int positional(tool_opts *o, const char *arg) {
  if (o->npos >= o->cmd->max_pos) return tool_usage_error(o, "unexpected argument '%s'", arg);
  o->pos[o->npos++] = arg;
  return TOOL_OK;
}

int tool_parse_args(tool_opts *o, const tool_command *cmd, int argc, char **argv, int first) {
  init_opts(o, cmd);
  bool only_pos = false;
  for (int i = first; i < argc; i++) {
    const char *arg = argv[i];
    int rc;
    if (only_pos || arg[0] != '-' || arg[1] == '\0') { /* "-" alone is a file name */
      if ((rc = positional(o, arg)) != TOOL_OK) return rc;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_pos = true;
      continue;
    }
    const char *value = NULL;
    int id = find_spec(arg, &value);
    if (id < 0 || (id != OPT_HELP && !(cmd->allowed & (1u << id))))
      return tool_usage_error(o, "unknown option '%s'", arg);
    if (specs[id].has_arg && !value) {
      if (i + 1 >= argc) return tool_usage_error(o, "option '%s' needs a value", arg);
      value = argv[++i];
    } else if (!specs[id].has_arg && value) {
      return tool_usage_error(o, "option '--%s' takes no value", specs[id].name);
    }
    if ((rc = apply(o, id, value)) != TOOL_OK) return rc;
  }
  if (o->help) return TOOL_OK;
  if (o->npos < cmd->min_pos)
    return tool_usage_error(o, "missing %s", o->npos == 0 ? "the snapshot file" : "NEW.pb");
  return TOOL_OK;
}
