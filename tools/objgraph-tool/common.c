/* objgraph-tool: diagnostics, loading, selection, atomic output files, text helpers. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

static void vreport(const tool_opts *o, const char *fmt, va_list ap) {
  tool_progress_done();
  fprintf(stderr, TOOL_NAME "%s%s: ", o && o->cmd ? " " : "", o && o->cmd ? o->cmd->name : "");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void tool_error(const tool_opts *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(o, fmt, ap);
  va_end(ap);
}

int tool_usage_error(const tool_opts *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(o, fmt, ap);
  va_end(ap);
  fprintf(stderr, "Try '" TOOL_NAME " %s --help'.\n", o && o->cmd ? o->cmd->name : "");
  return TOOL_USAGE;
}

void tool_engine_error(const tool_opts *o, const char *file, const char *what) {
  const char *msg = og_error_last();
  if (!msg[0]) msg = "unknown error";
  const char *sep = what && what[0] ? ": " : "";
  if (file && !strstr(msg, file))
    tool_error(o, "%s: %s%s%s", file, what ? what : "", sep, msg);
  else
    tool_error(o, "%s%s%s", what ? what : "", sep, msg);
}

/* ---- progress ------------------------------------------------------------------------------ */

static bool progress_shown;
/* Work on a small snapshot is instant: no line flickers for it. */
static bool long_work;
#define LONG_WORK_BYTES (4u << 20)

void tool_progress(const char *fmt, ...) {
  if (!long_work || !isatty(STDERR_FILENO)) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("\r\033[K" TOOL_NAME ": ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fflush(stderr);
  progress_shown = true;
}

void tool_progress_done(void) {
  if (!progress_shown) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  progress_shown = false;
}

/* ---- loading and selection ----------------------------------------------------------------- */

og_graph *tool_load(const tool_opts *o, const char *path) {
  og_graph *g = NULL;
  struct stat st;
  if (stat(path, &st) == 0 && st.st_size >= (off_t)LONG_WORK_BYTES) long_work = true;
  tool_progress("loading %s...", path);
  int rc = og_snapshot_load(&g, path, NULL);
  tool_progress_done();
  if (rc != OG_OK) {
    tool_engine_error(o, path, NULL);
    return NULL;
  }
  return g;
}

static int select_type(og_index **arr, size_t *n, const tool_opts *o, og_graph *g,
                       const char *path) {
  og_indices *l = NULL;
  if (og_select_by_type(&l, g, o->type, strlen(o->type), NULL, OG_ALL_NODES) != OG_OK) {
    tool_engine_error(o, path, "selecting --type");
    return TOOL_ERROR;
  }
  size_t k = og_indices_count(l);
  if (k == 0) {
    og_indices_free(l);
    tool_error(o, "%s: no objects of type '%s'", path, o->type);
    return TOOL_ERROR;
  }
  og_index *grown = realloc(*arr, (*n + k) * sizeof **arr);
  if (!grown) {
    og_indices_free(l);
    tool_error(o, "out of memory selecting %zu objects", k);
    return TOOL_ERROR;
  }
  memcpy(grown + *n, og_indices_data(l), k * sizeof *grown);
  *arr = grown;
  *n += k;
  og_indices_free(l);
  return TOOL_OK;
}

int tool_select(og_index **out, size_t *n, const tool_opts *o, og_graph *g, const char *path) {
  *out = NULL;
  *n = 0;
  og_index *arr = o->nids ? malloc(o->nids * sizeof *arr) : NULL;
  if (o->nids && !arr) {
    tool_error(o, "out of memory");
    return TOOL_ERROR;
  }
  for (size_t i = 0; i < o->nids; i++) {
    if (og_select_by_id(&arr[i], g, o->ids[i]) != OG_OK) {
      tool_error(o, "%s: no object with id 0x%llx (%llu)", path, (unsigned long long)o->ids[i],
                 (unsigned long long)o->ids[i]);
      free(arr);
      return TOOL_ERROR;
    }
  }
  size_t count = o->nids;
  if (o->type && select_type(&arr, &count, o, g, path) != TOOL_OK) {
    free(arr);
    return TOOL_ERROR;
  }
  *out = arr;
  *n = count;
  return TOOL_OK;
}

int tool_type_pred_fn(void *payload, og_index node) {
  const tool_type_pred *p = payload;
  return og_select_type_matches(p->g, node, p->name, strlen(p->name));
}

const char *tool_type_name(const og_graph *g, og_index node, bool long_names, size_t *len) {
  og_node_info info;
  const char *s = NULL;
  if (og_graph_node(&info, g, node) == OG_OK) s = og_graph_type_name(g, info.type, long_names, len);
  if (!s) {
    *len = 1;
    s = "?";
  }
  return s;
}

/* ---- atomic output ------------------------------------------------------------------------- */

static bool is_stdout(const char *path) { return strcmp(path, "-") == 0; }

/* Not a regular file (a device such as /dev/null, a pipe): written in place, never replaced. */
static int open_special(tool_out *out, const tool_opts *o, const char *path) {
  out->f = fopen(path, "wb");
  if (!out->f) {
    tool_error(o, "%s: cannot open the output file: %s", path, strerror(errno));
    return TOOL_ERROR;
  }
  return TOOL_OK;
}

/* A dangling symlink's target (relative targets are relative to the link's directory), owned. */
static char *link_target(const char *link) {
  char target[4096];
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return NULL;
  target[n] = '\0';
  const char *slash = strrchr(link, '/');
  size_t dirlen = (target[0] != '/' && slash) ? (size_t)(slash - link) + 1 : 0;
  char *out = malloc(dirlen + (size_t)n + 1);
  if (!out) return NULL;
  memcpy(out, link, dirlen);
  memcpy(out + dirlen, target, (size_t)n + 1);
  return out;
}

/* Where the data finally goes: a symlink's target (so the link survives the rename). */
static int resolve_target(tool_out *out, const tool_opts *o, const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return TOOL_OK; /* a new file */
  if (S_ISLNK(st.st_mode)) {
    out->real = realpath(path, NULL);
    if (!out->real) out->real = link_target(path);
    if (out->real) out->path = out->real;
    if (stat(out->path, &st) != 0) return TOOL_OK; /* the target does not exist yet */
  }
  if (S_ISDIR(st.st_mode)) {
    tool_error(o, "%s: cannot write the output file: it is a directory", path);
    return TOOL_ERROR;
  }
  return TOOL_OK;
}

int tool_out_open(tool_out *out, const tool_opts *o, const char *path) {
  memset(out, 0, sizeof *out);
  out->path = path;
  if (is_stdout(path)) {
    out->f = stdout;
    return TOOL_OK;
  }
  if (resolve_target(out, o, path) != TOOL_OK) return TOOL_ERROR;
  struct stat st;
  if (stat(out->path, &st) == 0 && !S_ISREG(st.st_mode)) return open_special(out, o, out->path);
  path = out->path;
  size_t len = strlen(path);
  out->tmp = malloc(len + 32);
  if (!out->tmp) {
    tool_error(o, "%s: out of memory", path);
    return TOOL_ERROR;
  }
  /* The temp file lives beside the output so the final rename stays on one file system. */
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
  memcpy(out->tmp, path, dirlen);
  snprintf(out->tmp + dirlen, len + 32 - dirlen, ".%s.tmp.XXXXXX", path + dirlen);
  int fd = mkstemp(out->tmp);
  if (fd < 0) {
    tool_error(o, "%s: cannot create the output file: %s", path, strerror(errno));
    free(out->tmp);
    out->tmp = NULL;
    return TOOL_ERROR;
  }
  mode_t mask = umask(0);
  umask(mask);
  (void)fchmod(fd, 0666 & ~mask); /* mkstemp makes 0600; give the usual permissions */
  out->f = fdopen(fd, "wb");
  if (!out->f) {
    tool_error(o, "%s: cannot open the output file: %s", path, strerror(errno));
    close(fd);
    tool_out_abort(out);
    return TOOL_ERROR;
  }
  return TOOL_OK;
}

int tool_out_write(void *payload, const char *data, size_t len) {
  tool_out *out = payload;
  if (out->err) return OG_EIO;
  if (len && fwrite(data, 1, len, out->f) != len) {
    out->err = errno ? errno : EIO;
    return OG_EIO;
  }
  return OG_OK;
}

void tool_out_abort(tool_out *out) {
  if (out->f && out->f != stdout) fclose(out->f);
  out->f = NULL;
  if (out->tmp) {
    unlink(out->tmp);
    free(out->tmp);
    out->tmp = NULL;
  }
  free(out->real);
  out->real = NULL;
}

int tool_out_commit(tool_out *out, const tool_opts *o) {
  int err = out->err;
  if (!err && fflush(out->f) != 0) err = errno;
  if (out->f == stdout) {
    out->f = NULL;
    if (err) tool_error(o, "%s: cannot write to stdout: %s", out->path, strerror(err));
    return err ? TOOL_ERROR : TOOL_OK;
  }
  if (!err && out->tmp && fsync(fileno(out->f)) != 0) err = errno;
  if (fclose(out->f) != 0 && !err) err = errno;
  out->f = NULL;
  if (!err && out->tmp && rename(out->tmp, out->path) != 0) err = errno;
  if (err) tool_error(o, "%s: cannot write the output file: %s", out->path, strerror(err));
  if (!err && out->tmp) { /* renamed: nothing left to remove */
    free(out->tmp);
    out->tmp = NULL;
  }
  tool_out_abort(out);
  return err ? TOOL_ERROR : TOOL_OK;
}

int tool_finish_stdout(const tool_opts *o) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    tool_error(o, "cannot write to stdout: %s", strerror(errno));
    return TOOL_ERROR;
  }
  return TOOL_OK;
}

/* ---- text ---------------------------------------------------------------------------------- */

/* How tool_put_escaped prints byte c: 1 char, or an escape of 2 (\n) or 4 (\xNN) chars. */
static size_t escaped_width(unsigned char c) {
  if (c == '\n' || c == '\t' || c == '\r' || c == '\\') return 2;
  return c < 0x20 || c == 0x7f ? 4 : 1;
}

void tool_put_escaped(FILE *f, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (escaped_width(c) == 1) {
      fputc(c, f);
    } else if (c == '\n' || c == '\t' || c == '\r' || c == '\\') {
      fputc('\\', f);
      fputc(c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\', f);
    } else {
      fprintf(f, "\\x%02x", c);
    }
  }
}

size_t tool_escaped_len(const char *s, size_t len) {
  size_t w = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    /* UTF-8 continuation bytes take no column of their own. */
    if ((c & 0xC0) != 0x80) w += escaped_width(c);
  }
  return w;
}

void tool_put_padded(FILE *f, const char *s, size_t len, size_t width) {
  tool_put_escaped(f, s, len);
  for (size_t w = tool_escaped_len(s, len); w < width; w++) fputc(' ', f);
}
