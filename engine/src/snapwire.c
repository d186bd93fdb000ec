/* NodeChunk and EdgeChunk records decoded by hand (see snapwire.h): the record's fields are
 * located first (og__wire_scan), then each packed column is decoded a block of varints at a time
 * into a small buffer and put into the graph's column by a loop that checks its range. On x86-64
 * CPUs with AVX-512 VBMI2 the varints are decoded sixteen at a time (next_values_simd). */
#include "snapwire.h"

#include <string.h>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <immintrin.h>
#define OG_WIRE_SIMD 1
/* The decoding functions compiled a second time for these, chosen per chunk (og__wire_decode). */
#define OG_TARGET_VBMI2 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt")))
#else
#define OG_WIRE_SIMD 0
#endif

/* Varints per block: the buffer stays in L1. */
#define BLOCK 256

/* Protobuf wire types. */
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* Record's body fields (a oneof): nodes and edges. */
#define FIELD_NODES 4
#define FIELD_EDGES 5

/* ---- varints --------------------------------------------------------------------------------- */

/* One varint of at most 10 bytes at p (before end) into *v; NULL when truncated, longer, or
   beyond 64 bits (protobuf-c then decides). */
static const uint8_t *varint(const uint8_t *p, const uint8_t *end, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned s = 0; s < 70 && p < end; s += 7) {
    uint8_t b = *p++;
    if (s == 63 && b > 1) return NULL;
    x |= (uint64_t)(b & 0x7Fu) << s;
    if (!(b & 0x80u)) {
      *v = x;
      return p;
    }
  }
  return NULL;
}

/* A key or a length prefix: a varint of at most 5 bytes, as protobuf-c takes them. */
static const uint8_t *short_varint(const uint8_t *p, const uint8_t *end, uint64_t *v) {
  return varint(p, end - p > 5 ? p + 5 : end, v);
}

/* A packed column being read. */
typedef struct cursor {
  const uint8_t *p, *end;
} cursor;

/* The next n (<= BLOCK) values of a packed column into v: 64-bit values when wide, else 32-bit
   ones; false when the column ends first, holds a malformed varint or, when not wide, a value of
   32 bits or more (none is in range). Varints of up to three bytes (nearly all) are read inline:
   branches on their lengths predict well here, and measured faster than branch-free decoding (a
   varint's length then delays the next one's load). */
static OG_INLINE bool next_values(cursor *c, void *v, size_t n, bool wide) {
  const uint8_t *p = c->p, *end = c->end;
  uint64_t *v64 = v;
  uint32_t *v32 = v;
  size_t i = 0;
  for (; i < n && end - p >= 3; i++) {
    uint64_t x, b0 = p[0], b1 = p[1], b2;
    if (b0 < 0x80) {
      x = b0;
      p += 1;
    } else if (b1 < 0x80) {
      x = (b0 & 0x7F) | b1 << 7;
      p += 2;
    } else if ((b2 = p[2]) < 0x80) {
      x = (b0 & 0x7F) | (b1 & 0x7F) << 7 | b2 << 14;
      p += 3;
    } else if (!(p = varint(p, end, &x)) || (!wide && x > UINT32_MAX)) {
      return false;
    }
    if (wide) v64[i] = x;
    else v32[i] = (uint32_t)x;
  }
  for (; i < n; i++) { /* the column's last bytes */
    uint64_t x;
    if (!(p = varint(p, end, &x)) || (!wide && x > UINT32_MAX)) return false;
    if (wide) v64[i] = x;
    else v32[i] = (uint32_t)x;
  }
  c->p = p;
  return true;
}

/* The next n values of a column whose varints are all one byte (it holds as many bytes as
   values), as next_values; false when one is not. */
static OG_INLINE bool next_bytes(cursor *c, void *v, size_t n, bool wide) {
  const uint8_t *p = c->p;
  uint64_t *v64 = v;
  uint32_t *v32 = v;
  uint8_t high = 0;
  for (size_t i = 0; i < n; i++) {
    high |= p[i];
    if (wide) v64[i] = p[i];
    else v32[i] = p[i];
  }
  c->p = p + n;
  return high < 0x80;
}

#if OG_WIRE_SIMD
/* Up to `want` (at most 16) varints of at most 4 bytes from the 64 bytes at p, which the column
   holds: their values into out (64-bit ones when wide, else 32-bit), *used the bytes they took.
   Returns how many; fewer than 16 when the 64 bytes end, or a varint of 5 bytes or more comes
   (0 when the first one is: the caller reads it). The ends of the varints (bytes under 0x80) are
   compressed into a vector of positions, each varint's bytes gathered into a 32-bit lane, and
   their 7-bit groups joined by two multiply-adds: no branch on a varint's length. */
OG_TARGET_VBMI2 static inline size_t simd16(const uint8_t *p, void *out, bool wide, size_t want,
                                            size_t *used) {
  const __m512i in = _mm512_loadu_si512((const void *)p);
  const uint64_t stop = ~(uint64_t)_mm512_movepi8_mask(in);
  const __m512i iota = _mm512_set_epi64(0x3F3E3D3C3B3A3938, 0x3736353433323130, 0x2F2E2D2C2B2A2928,
                                        0x2726252423222120, 0x1F1E1D1C1B1A1918, 0x1716151413121110,
                                        0x0F0E0D0C0B0A0908, 0x0706050403020100);
  const __m128i ends = _mm512_castsi512_si128(_mm512_maskz_compress_epi8(stop, iota));
  const __m128i starts = _mm_slli_si128(_mm_add_epi8(ends, _mm_set1_epi8(1)), 1);
  const uint32_t longer = _mm_cmpgt_epi8_mask(_mm_sub_epi8(ends, starts), _mm_set1_epi8(3));
  size_t k = (size_t)_mm_popcnt_u64(stop);
  if (k > 16) k = 16;
  if (k > want) k = want;
  if (longer && _tzcnt_u32(longer) < k) k = _tzcnt_u32(longer);
  if (!k) return 0;
  /* lane i, byte j: input byte starts[i] + j if it is still in varint i, else 0 */
  const __m512i rep4 = _mm512_set_epi64(0x0F0F0F0F0E0E0E0E, 0x0D0D0D0D0C0C0C0C, 0x0B0B0B0B0A0A0A0A,
                                        0x0909090908080808, 0x0707070706060606, 0x0505050504040404,
                                        0x0303030302020202, 0x0101010100000000);
  const __m512i from = _mm512_add_epi8(_mm512_permutexvar_epi8(rep4, _mm512_castsi128_si512(starts)),
                                       _mm512_set1_epi32(0x03020100));
  const __mmask64 inside =
      _mm512_cmple_epu8_mask(from, _mm512_permutexvar_epi8(rep4, _mm512_castsi128_si512(ends)));
  const __m512i bytes =
      _mm512_and_si512(_mm512_maskz_permutexvar_epi8(inside, from, in), _mm512_set1_epi8(0x7F));
  /* b0 + 128 b1 and b2 + 128 b3 in 16 bits, then the pair joined 14 bits apart */
  const __m512i pairs = _mm512_maddubs_epi16(_mm512_set1_epi16((short)0x8001), bytes);
  const __m512i vals = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x40000001));
  const __mmask16 m = (__mmask16)((1u << k) - 1);
  if (wide) {
    _mm512_mask_storeu_epi64(out, (__mmask8)m, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(vals)));
    _mm512_mask_storeu_epi64((uint64_t *)out + 8, (__mmask8)(m >> 8),
                             _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(vals, 1)));
  } else {
    _mm512_mask_storeu_epi32(out, m, vals);
  }
  *used = (size_t)_tzcnt_u64(_pdep_u64((uint64_t)1 << (k - 1), stop)) + 1;
  return k;
}

/* Value i of a block of 64-bit (wide) or 32-bit values. */
static void *slot(void *v, size_t i, bool wide) {
  return (char *)v + i * (wide ? sizeof(uint64_t) : sizeof(uint32_t));
}

/* next_values, sixteen varints at a time while 64 bytes of the column are left. */
OG_TARGET_VBMI2 static inline bool next_values_simd(cursor *c, void *v, size_t n, bool wide) {
  size_t i = 0, used;
  while (i < n && c->end - c->p >= 64) {
    size_t k = simd16(c->p, slot(v, i, wide), wide, n - i, &used);
    if (k) c->p += used, i += k;
    else if (next_values(c, slot(v, i, wide), 1, wide)) i++; /* a varint of 5 bytes or more */
    else return false;
  }
  return next_values(c, slot(v, i, wide), n - i, wide);
}
#else
#define next_values_simd next_values
#endif

static uint64_t unzigzag(uint64_t u) { return (u >> 1) ^ (0 - (u & 1)); }

/* ---- locating the fields ---------------------------------------------------------------------- */

/* Skip the value of a field of wire type wt at p; NULL when it is malformed or a group. */
static const uint8_t *skip(const uint8_t *p, const uint8_t *end, unsigned wt) {
  uint64_t v;
  switch (wt) {
    case WT_VARINT:
      return varint(p, end, &v);
    case WT_I64:
      return end - p >= 8 ? p + 8 : NULL;
    case WT_I32:
      return end - p >= 4 ? p + 4 : NULL;
    case WT_LEN:
      if (!(p = short_varint(p, end, &v)) || v > (uint64_t)(end - p)) return NULL;
      return p + v;
    default:
      return NULL;
  }
}

/* The next field at p: its number, wire type and value's start; NULL when the key is malformed. */
static const uint8_t *key(const uint8_t *p, const uint8_t *end, uint32_t *field, unsigned *wt) {
  uint64_t k;
  if (!(p = short_varint(p, end, &k)) || k > UINT32_MAX) return NULL;
  *field = (uint32_t)(k >> 3);
  *wt = (unsigned)(k & 7);
  return p;
}

/* A chunk's fields: scalars 1..nscalars (first, count, id_shift), then packed columns. Each at
   most once, each with its wire type, nothing else. */
static bool chunk_fields(og__wire_chunk *c, const uint8_t *p, const uint8_t *end, uint32_t nfields,
                         uint32_t nscalars) {
  uint32_t seen = 0, field;
  unsigned wt;
  while (p < end) {
    if (!(p = key(p, end, &field, &wt)) || field == 0 || field > nfields || (seen >> field & 1))
      return false;
    seen |= 1u << field;
    uint64_t v;
    if (field <= nscalars) {
      if (wt != WT_VARINT || !(p = varint(p, end, &v))) return false;
      if (field == 1) c->first = v;
      else if (v > UINT32_MAX) return false;
      else if (field == 2) c->count = (uint32_t)v;
      else c->id_shift = (uint32_t)v;
    } else {
      if (wt != WT_LEN || !(p = short_varint(p, end, &v)) || v > (uint64_t)(end - p)) return false;
      c->col[field - nscalars - 1] = p;
      c->len[field - nscalars - 1] = (size_t)v;
      p += v;
    }
  }
  return true;
}

int og__wire_scan(og__wire_chunk *c, const uint8_t *body, size_t len) {
  const uint8_t *p = body, *end = body + len, *chunk = NULL;
  size_t chunk_len = 0;
  uint32_t field;
  unsigned wt;
  int what = OG__WIRE_OTHER, fields = 0;
  memset(c, 0, sizeof *c);
  /* a chunk field anywhere makes the record one (a oneof's last field wins); a record that does
     not parse is ODD too, since it might be one */
  while (p < end) {
    const uint8_t *value = key(p, end, &field, &wt);
    if (!value) return OG__WIRE_ODD; /* whatever it is, protobuf-c is to judge it */
    if (field == FIELD_NODES || field == FIELD_EDGES) {
      what = OG__WIRE_ODD;
      uint64_t n;
      const uint8_t *q = wt == WT_LEN ? short_varint(value, end, &n) : NULL;
      if (q && n <= (uint64_t)(end - q)) {
        chunk = q;
        chunk_len = (size_t)n;
        c->what = field == FIELD_NODES ? OG__WIRE_NODES : OG__WIRE_EDGES;
      }
    }
    fields++;
    if (!(p = skip(value, end, wt))) return OG__WIRE_ODD;
  }
  if (what == OG__WIRE_OTHER || fields != 1 || !chunk) return what;
  bool nodes = c->what == OG__WIRE_NODES;
  return chunk_fields(c, chunk, chunk + chunk_len, nodes ? 10 : 5, nodes ? 3 : 2) ? c->what
                                                                                   : OG__WIRE_ODD;
}

/* ---- columns ----------------------------------------------------------------------------------- */

/* A chunk being decoded: where its items start, and what the column loops carry along. */
typedef struct run {
  const og__wire_dest *d;
  size_t first;
  unsigned shift;
  uint64_t acc;  /* running id or target */
  uint64_t sum;  /* out-degrees so far */
  uint64_t bad;  /* non-zero once a value is out of range */
} run;

/* Puts k decoded values of a column (64-bit or 32-bit ones, see column) at item `at` of the
   chunk. */
typedef void (*put_fn)(run *r, const void *v, size_t at, size_t k);

/* Decode a packed column of exactly n values through put; false when it holds another number.
   Inlined at each call, for a next_values of the width wanted (simd: next_values_simd). */
static OG_INLINE bool column(run *r, const uint8_t *p, size_t len, size_t n, put_fn put, bool wide,
                             bool simd) {
  if (!len) return n == 0; /* absent (p may be NULL) */
  uint64_t v[BLOCK];
  cursor c = {p, p + len};
  bool bytes = len == n; /* common for kinds, refcounts and out-degrees */
  for (size_t at = 0; at < n; at += BLOCK) {
    size_t k = n - at < BLOCK ? n - at : BLOCK;
    bool ok = bytes  ? next_bytes(&c, v, k, wide)
              : simd ? next_values_simd(&c, v, k, wide)
                     : next_values(&c, v, k, wide);
    if (!ok) return false;
    put(r, v, at, k);
  }
  return c.p == c.end;
}

static void put_ids(run *r, const void *vals, size_t at, size_t k) {
  const uint64_t *v = vals;
  og_id *dst = r->d->id + r->first + at, id = r->acc, lim = UINT64_MAX >> r->shift, bad = 0;
  for (size_t j = 0; j < k; j++) {
    id += unzigzag(v[j]); /* wraps modulo 2^64, as documented */
    bad |= id > lim;
    dst[j] = id << r->shift;
  }
  r->acc = id;
  r->bad |= bad;
}

static void put_types(run *r, const void *vals, size_t at, size_t k) {
  const uint32_t *v = vals;
  og_type *dst = r->d->type + r->first + at;
  uint32_t bad = 0, types = r->d->types;
  for (size_t j = 0; j < k; j++) {
    bad |= v[j] >= types;
    dst[j] = v[j];
  }
  r->bad |= bad;
}

static void put_sizes(run *r, const void *vals, size_t at, size_t k) {
  const uint64_t *v = vals;
  uint32_t *dst = r->d->size + r->first + at;
  uint64_t bad = 0;
  for (size_t j = 0; j < k; j++) {
    bad |= v[j] >= OG_SIZE_BIG; /* the overflow table is filled in row order: protobuf-c's path */
    dst[j] = (uint32_t)v[j];
  }
  r->bad |= bad;
}

static void put_flags(run *r, const void *vals, size_t at, size_t k) {
  const uint32_t *v = vals;
  uint16_t *dst = r->d->flags + r->first + at;
  uint32_t bad = 0;
  for (size_t j = 0; j < k; j++) {
    bad |= v[j] > 0xFFFFu;
    dst[j] = (uint16_t)v[j];
  }
  r->bad |= bad;
}

static void put_refcounts(run *r, const void *vals, size_t at, size_t k) {
  memcpy(r->d->refcount + r->first + at, vals, k * sizeof(uint32_t));
}

/* 0 = no label, else string index + 1 */
static void put_labels(run *r, const void *vals, size_t at, size_t k) {
  const uint32_t *v = vals;
  og_str *dst = r->d->label + r->first + at;
  uint32_t bad = 0, strings = r->d->strings;
  for (size_t j = 0; j < k; j++) {
    bad |= v[j] > strings;
    dst[j] = v[j] - 1; /* 0 -> OG_STR_NONE */
  }
  r->bad |= bad;
}

static void put_degrees(run *r, const void *vals, size_t at, size_t k) {
  const uint32_t *v = vals;
  uint64_t sum = 0;
  for (size_t j = 0; j < k; j++) sum += v[j];
  memcpy(r->d->deg + r->first + at, v, k * sizeof *v);
  r->sum += sum;
}

/* An optional column of n items: decoded when present, else filled with its default. */
static OG_INLINE bool optional(run *r, const og__wire_chunk *c, int col, void *dst, size_t width,
                               int fill, put_fn put, bool wide, bool simd) {
  if (c->len[col]) return column(r, c->col[col], c->len[col], c->count, put, wide, simd);
  memset((char *)dst + r->first * width, fill, c->count * width);
  return true;
}

/* Map the rows of the columns about to be written (see og__populate). */
static void populate_rows(const og__wire_dest *d, size_t first, size_t n) {
  void *ptr[] = {d->id + first,    d->type + first,  d->size + first, d->refcount + first,
                 d->label + first, d->flags + first, d->deg + first};
  size_t width[] = {sizeof *d->id,    sizeof *d->type,  sizeof *d->size, sizeof *d->refcount,
                    sizeof *d->label, sizeof *d->flags, sizeof *d->deg};
  for (size_t k = 0; k < sizeof ptr / sizeof *ptr; k++) og__populate(d->alloc, ptr[k], n * width[k]);
}

static OG_INLINE bool decode_nodes(uint64_t *deg_sum, const og__wire_dest *d,
                                   const og__wire_chunk *c, bool simd) {
  size_t n = c->count;
  if (c->what != OG__WIRE_NODES || n == 0 || c->first > d->nodes || n > d->nodes - c->first ||
      c->id_shift > 63)
    return false;
  run r = {d, (size_t)c->first, c->id_shift, 0, 0, 0};
  populate_rows(d, r.first, n);
  bool ok = column(&r, c->col[0], c->len[0], n, put_ids, true, simd) &&
            column(&r, c->col[1], c->len[1], n, put_types, false, simd) &&
            optional(&r, c, 2, d->size, sizeof *d->size, 0, put_sizes, true, simd) &&
            optional(&r, c, 3, d->flags, sizeof *d->flags, 0, put_flags, false, simd) &&
            optional(&r, c, 4, d->refcount, sizeof *d->refcount, 0, put_refcounts, false, simd) &&
            optional(&r, c, 5, d->label, sizeof *d->label, 0xFF, put_labels, false, simd) &&
            optional(&r, c, 6, d->deg, sizeof *d->deg, 0, put_degrees, false, simd);
  *deg_sum = r.sum;
  return ok && !r.bad;
}

static void put_targets(run *r, const void *vals, size_t at, size_t k) {
  const uint64_t *v = vals;
  og_index *dst = r->d->edst + r->first + at;
  uint64_t t = r->acc, nodes = r->d->nodes, bad = 0;
  for (size_t j = 0; j < k; j++) {
    t += unzigzag(v[j]); /* wraps modulo 2^64 */
    bad |= t >= nodes;
    dst[j] = (og_index)t;
  }
  r->acc = t;
  r->bad |= bad;
}

/* kinds first: the metas then carry no label */
static void put_kinds(run *r, const void *vals, size_t at, size_t k) {
  const uint32_t *v = vals;
  uint32_t *dst = r->d->emeta + r->first + at, bad = 0;
  for (size_t j = 0; j < k; j++) {
    bad |= v[j] > OG_EDGE_KIND_MAX;
    dst[j] = (v[j] << 28) | OG_META_NOLABEL;
  }
  r->bad |= bad;
}

/* label l (0: none) is an index below OG_META_NOLABEL for INDEX edges, else a string + 1 */
static void put_edge_labels(run *r, const void *vals, size_t at, size_t k) {
  const uint32_t *v = vals;
  uint32_t *dst = r->d->emeta + r->first + at, bad = 0, strings = r->d->strings;
  for (size_t j = 0; j < k; j++) {
    uint32_t kind = dst[j] >> 28, lab = v[j] - 1; /* 0 -> NONE, kept as NOLABEL */
    bad |= v[j] > (kind == OG_EDGE_INDEX ? OG_META_NOLABEL : strings);
    dst[j] = (kind << 28) | (lab >= OG_META_NOLABEL ? OG_META_NOLABEL : lab);
  }
  r->bad |= bad;
}

static OG_INLINE bool decode_edges(const og__wire_dest *d, const og__wire_chunk *c, bool simd) {
  size_t n = c->count;
  if (c->what != OG__WIRE_EDGES || n == 0 || c->first > d->edges || n > d->edges - c->first)
    return false;
  run r = {d, (size_t)c->first, 0, 0, 0, 0};
  og__populate(d->alloc, d->edst + r.first, n * sizeof *d->edst);
  og__populate(d->alloc, d->emeta + r.first, n * sizeof *d->emeta);
  bool ok = column(&r, c->col[0], c->len[0], n, put_targets, true, simd) &&
            column(&r, c->col[1], c->len[1], n, put_kinds, false, simd) &&
            (!c->len[2] || column(&r, c->col[2], c->len[2], n, put_edge_labels, false, simd));
  return ok && !r.bad;
}

/* The chunk decoders compiled twice: as they are, and for AVX-512 with next_values_simd inlined
   (so are the put loops, which then vectorize wider). */
static bool decode_plain(uint64_t *deg_sum, const og__wire_dest *d, const og__wire_chunk *c) {
  return c->what == OG__WIRE_NODES ? decode_nodes(deg_sum, d, c, false) : decode_edges(d, c, false);
}

#if OG_WIRE_SIMD
OG_TARGET_VBMI2 static bool decode_simd(uint64_t *deg_sum, const og__wire_dest *d,
                                        const og__wire_chunk *c) {
  return c->what == OG__WIRE_NODES ? decode_nodes(deg_sum, d, c, true) : decode_edges(d, c, true);
}
#endif

bool og__wire_simd_supported(void) {
#if OG_WIRE_SIMD
  __builtin_cpu_init(); /* for a load from a constructor run before libgcc's own has */
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
         __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

bool og__wire_decode(uint64_t *deg_sum, const og__wire_dest *d, const og__wire_chunk *c) {
  *deg_sum = 0;
#if OG_WIRE_SIMD
  if (d->simd) return decode_simd(deg_sum, d, c);
#endif
  return decode_plain(deg_sum, d, c);
}
