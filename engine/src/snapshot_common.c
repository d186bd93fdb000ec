/* Helpers shared by the snapshot writer and reader: CRC-32, varints, the protobuf-c allocator. */
#include <pthread.h>
#include <string.h>

#include "snapshot_impl.h"

/* Slice-by-8 tables for CRC-32 (IEEE, reflected): t[0] is the classic byte table, t[k][b] the
   CRC of byte b followed by k zero bytes. Built once; a load of 1M nodes reads ~25 MB through it. */
static uint32_t crc_tables[8][256];

static void crc_init(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    crc_tables[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++)
    for (int k = 1; k < 8; k++)
      crc_tables[k][b] = (crc_tables[k - 1][b] >> 8) ^ crc_tables[0][crc_tables[k - 1][b] & 0xFFu];
}

static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

uint32_t og__snap_crc32(uint32_t crc, const void *data, size_t len) {
  const uint8_t *p = data;
  pthread_once(&crc_once, crc_init);
  const uint32_t(*t)[256] = (const uint32_t(*)[256])crc_tables;
  crc = ~crc;
  for (; len >= 8; len -= 8, p += 8) { /* little-endian byte order, assembled portably */
    uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  while (len--) crc = t[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

size_t og__snap_put_varint(uint8_t *out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80u) {
    out[n++] = (uint8_t)(v | 0x80u);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

/* protobuf-c frees without a size, og_allocator wants one: keep it in a 16-byte prefix (16 keeps
   the block aligned for any type). */
#define PREFIX 16u

static void *pb_alloc(void *data, size_t size) {
  og__snap_pballoc *pa = data;
  if (size > SIZE_MAX - PREFIX) {
    pa->failed = true;
    return NULL;
  }
  unsigned char *p = og__alloc(pa->alloc, size + PREFIX);
  if (!p) {
    pa->failed = true;
    return NULL;
  }
  size_t total = size + PREFIX;
  memcpy(p, &total, sizeof total);
  return p + PREFIX;
}

static void pb_free(void *data, void *ptr) {
  og__snap_pballoc *pa = data;
  if (!ptr) return;
  unsigned char *p = (unsigned char *)ptr - PREFIX;
  size_t total;
  memcpy(&total, p, sizeof total);
  og__free(pa->alloc, p, total);
}

void og__snap_pballoc_init(og__snap_pballoc *pa, const og_allocator *alloc) {
  pa->pc.alloc = pb_alloc;
  pa->pc.free = pb_free;
  pa->pc.allocator_data = pa;
  pa->alloc = alloc;
  pa->failed = false;
}

const char *og__snap_case_name(Og__V1__Record__BodyCase c) {
  switch (c) {
    case OG__V1__RECORD__BODY_HEADER: return "Header";
    case OG__V1__RECORD__BODY_STRINGS: return "StringChunk";
    case OG__V1__RECORD__BODY_TYPES: return "TypeChunk";
    case OG__V1__RECORD__BODY_NODES: return "NodeChunk";
    case OG__V1__RECORD__BODY_EDGES: return "EdgeChunk";
    case OG__V1__RECORD__BODY_TRAILER: return "Trailer";
    default: return "empty Record";
  }
}
