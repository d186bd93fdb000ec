/* libFuzzer target for the snapshot reader (og_snapshot_decode, og_snapshot_info_decode).
 *
 * Any input must be rejected cleanly or decode into a graph; a decoded graph must encode and
 * decode again to the same bytes (the writer is canonical). The engine's own decoder of node and
 * edge chunks must agree with protobuf-c's (OG_SNAPSHOT_DECODER_PROTOBUF_C): the same graph, or
 * the same error message. Built by fuzz/run.sh with
 * -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, which makes the reader skip the CRC-32 check so
 * mutations reach the structural checks behind it. One input in eight is decoded with the
 * read-ahead thread (a thread per input would slow every run down). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og/og.h"
#include "og/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  og_snapshot_load_options lo = OG_SNAPSHOT_LOAD_OPTIONS_INIT;
  lo.max_record_bytes = 1u << 20;
  lo.threads = size % 8 == 0 ? OG_SNAPSHOT_THREADS_READER : OG_SNAPSHOT_THREADS_NONE;
  og_graph *g = NULL;
  int rc = og_snapshot_decode(&g, data, size, &lo);
  if (rc != OG_OK && (rc != OG_EMALFORMED || g != NULL)) abort();
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", og_error_last());
  og_snapshot_load_options pc = lo;
  pc.decoder = OG_SNAPSHOT_DECODER_PROTOBUF_C;
  og_graph *ref = NULL;
  if (og_snapshot_decode(&ref, data, size, &pc) != rc) abort();
  if (rc != OG_OK && strcmp(msg, og_error_last()) != 0) {
    fprintf(stderr, "decoders disagree:\n  own:        %s\n  protobuf-c: %s\n", msg, og_error_last());
    abort();
  }
  if (g) {
    og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
    if (og_snapshot_encode(&a, g, NULL) != OG_OK || og_snapshot_encode(&b, ref, NULL) != OG_OK) abort();
    if (a.size != b.size || memcmp(a.ptr, b.ptr, a.size) != 0) abort();
    og_buf_dispose(&a);
    og_buf_dispose(&b);
    og_graph_free(ref);
  }
  if (g) {
    og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
    og_graph *h = NULL;
    if (og_snapshot_encode(&a, g, NULL) != OG_OK) abort();
    if (og_snapshot_decode(&h, a.ptr, a.size, NULL) != OG_OK) abort();
    if (og_snapshot_encode(&b, h, NULL) != OG_OK) abort();
    if (a.size != b.size || memcmp(a.ptr, b.ptr, a.size) != 0) abort();
    og_graph_free(h);
    og_buf_dispose(&a);
    og_buf_dispose(&b);
    og_graph_free(g);
  }
  og_snapshot_header *hdr = NULL;
  rc = og_snapshot_info_decode(&hdr, data, size);
  if (rc != OG_OK && (rc != OG_EMALFORMED || hdr != NULL)) abort();
  og_snapshot_header_free(hdr);
  return 0;
}
