/* objgraph-tool: Graphviz in process (libgvc + libcgraph), no `dot` subprocess. */
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <string.h>

#include "tool.h"

/* Graphviz reports through a global hook: keep its messages for our error line instead of
   letting them reach stderr in between our own. */
static char gv_messages[512];

static int collect_message(char *msg) {
  size_t used = strlen(gv_messages);
  if (used + 1 < sizeof gv_messages)
    snprintf(gv_messages + used, sizeof gv_messages - used, "%s", msg);
  return 0;
}

static void set_error(char *errbuf, size_t errlen, const char *what) {
  size_t n = strlen(gv_messages);
  while (n && (gv_messages[n - 1] == '\n' || gv_messages[n - 1] == ' ')) gv_messages[--n] = '\0';
  snprintf(errbuf, errlen, "%s%s%s", what, n ? ": " : "", gv_messages);
}

int tool_gv_render(og_buf *out, const char *dot, const char *format, char *errbuf,
                   size_t errlen) {
  gv_messages[0] = '\0';
  agusererrf previous = agseterrf(collect_message);
  int rc = OG_ERROR;
  GVC_t *gvc = gvContext();
  Agraph_t *g = NULL;
  char *data = NULL;
  unsigned int len = 0;
  bool laid_out = false;
  if (!gvc) {
    set_error(errbuf, errlen, "cannot create a Graphviz context");
    goto cleanup;
  }
  g = agmemread(dot);
  if (!g) {
    set_error(errbuf, errlen, "cannot parse the DOT text");
    goto cleanup;
  }
  if (gvLayout(gvc, g, "dot") != 0) {
    set_error(errbuf, errlen, "layout failed");
    goto cleanup;
  }
  laid_out = true;
  if (gvRenderData(gvc, g, format, &data, &len) != 0) {
    set_error(errbuf, errlen, "rendering failed");
    goto cleanup;
  }
  rc = og_buf_put(out, data, len) == OG_OK ? OG_OK : OG_ENOMEM;
  if (rc != OG_OK) snprintf(errbuf, errlen, "out of memory for %u bytes of %s", len, format);
cleanup:
  if (data) gvFreeRenderData(data);
  if (laid_out) gvFreeLayout(gvc, g);
  if (g) agclose(g);
  if (gvc) gvFreeContext(gvc);
  agseterrf(previous);
  return rc;
}
