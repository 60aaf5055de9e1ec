/* A bounds walk over a DICOM file before DCMTK parses it. DCMTK allocates each
 * element's declared length before reading it, so a 200-byte file claiming a
 * 4 GiB element makes it allocate 4 GiB; here every defined length must fit
 * the bytes left in its container (file, sequence, item), nesting is limited,
 * and nothing is allocated. Only lengths and structure are checked: tags and
 * values are DCMTK's business. This walk guesses the encoding more simply than
 * DCMTK does (its guess depends on its data dictionary), so it is the first of
 * two guards: image_dicom.cc's stream also lets DCMTK skip, not allocate, any
 * value longer than DCM_MaxReadLength until it is known to fit. */
#include <stdint.h>
#include <string.h>

#include "data/image_internal.h"

#define LF_SCAN_MAX_DEPTH 16
#define UNDEF 0xFFFFFFFFu

typedef struct {
  const unsigned char *d;
  size_t n;
  int explicit_vr, big_endian;
  const char *name;
} scan;

static uint16_t rd16(const scan *s, size_t at, int be) {
  const unsigned char *p = s->d + at;
  return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}
static uint32_t rd32(const scan *s, size_t at, int be) {
  const unsigned char *p = s->d + at;
  return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
            : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int long_vr(const unsigned char *v) {
  static const char *vrs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
  for (size_t i = 0; i < sizeof vrs / sizeof *vrs; i++)
    if (v[0] == vrs[i][0] && v[1] == vrs[i][1]) return 1;
  return 0;
}

static lf_status too_long(const scan *s, size_t at, unsigned g, unsigned e, uint32_t len, size_t left) {
  return lf_error(LF_EBADFILE, "%s: element (%04X,%04X) at byte %zu claims %u bytes, %zu remain", s->name, g, e,
                  at, len, left);
}

static lf_status walk_elements(const scan *s, size_t *pos, size_t end, int depth, int meta, int until_item_end);

/* Items of a sequence from *pos: until the sequence delimiter (undefined length)
 * or `end`. Fragments (encapsulated pixel data) are skipped, not entered. */
static lf_status walk_items(const scan *s, size_t *pos, size_t end, int depth, int fragments, int undefined) {
  int be = s->big_endian;
  while (*pos < end) {
    size_t at = *pos;
    if (end - at < 8) return lf_error(LF_EBADFILE, "%s: truncated item at byte %zu", s->name, at);
    unsigned g = rd16(s, at, be), e = rd16(s, at + 2, be);
    uint32_t len = rd32(s, at + 4, be);
    *pos = at + 8;
    if (g != 0xFFFE) return lf_error(LF_EBADFILE, "%s: (%04X,%04X) inside a sequence at byte %zu", s->name, g, e, at);
    if (e == 0xE0DD) return undefined ? LF_OK : lf_error(LF_EBADFILE, "%s: stray sequence end at byte %zu", s->name, at);
    if (e != 0xE000) return lf_error(LF_EBADFILE, "%s: (FFFE,%04X) inside a sequence at byte %zu", s->name, e, at);
    if (len == UNDEF) {
      if (fragments) return lf_error(LF_EBADFILE, "%s: pixel fragment of undefined length", s->name);
      lf_status st = walk_elements(s, pos, end, depth + 1, 0, 1);
      if (st) return st;
      continue;
    }
    if (len > end - *pos) return too_long(s, at, g, e, len, end - *pos);
    if (!fragments) {
      size_t p = *pos;
      lf_status st = walk_elements(s, &p, *pos + len, depth + 1, 0, 0);
      if (st) return st;
    }
    *pos += len;
  }
  return undefined ? lf_error(LF_EBADFILE, "%s: sequence without its end", s->name) : LF_OK;
}

/* Elements from *pos to `end` (or to the item delimiter when until_item_end).
 * meta: the (0002,xxxx) group, always explicit little endian; it stops at the
 * first element of another group. */
static lf_status walk_elements(const scan *s, size_t *pos, size_t end, int depth, int meta, int until_item_end) {
  if (depth > LF_SCAN_MAX_DEPTH) return lf_error(LF_EBADFILE, "%s: sequences nested deeper than %d", s->name, LF_SCAN_MAX_DEPTH);
  int be = meta ? 0 : s->big_endian, ex = meta ? 1 : s->explicit_vr;
  while (*pos < end) {
    size_t at = *pos;
    if (end - at < 8) {
      if (!until_item_end && depth == 0) return LF_OK; /* trailing padding: DCMTK decides */
      return lf_error(LF_EBADFILE, "%s: truncated element at byte %zu", s->name, at);
    }
    unsigned g = rd16(s, at, be), e = rd16(s, at + 2, be);
    if (meta && g != 0x0002) return LF_OK;
    uint32_t len;
    int sq = 0;
    if (g == 0xFFFE) { /* item delimiter ends this item; others do not belong here */
      len = rd32(s, at + 4, be);
      *pos = at + 8;
      if (e == 0xE00D && until_item_end) return LF_OK;
      return lf_error(LF_EBADFILE, "%s: (FFFE,%04X) out of place at byte %zu", s->name, e, at);
    }
    if (ex) {
      const unsigned char *vr = s->d + at + 4;
      if (long_vr(vr)) {
        if (end - at < 12) return lf_error(LF_EBADFILE, "%s: truncated element at byte %zu", s->name, at);
        len = rd32(s, at + 8, be);
        *pos = at + 12;
        sq = vr[0] == 'S' && vr[1] == 'Q';
      } else {
        len = rd16(s, at + 6, be);
        *pos = at + 8;
      }
    } else {
      len = rd32(s, at + 4, be);
      *pos = at + 8;
    }
    int pixel = g == 0x7FE0 && e == 0x0010;
    if (len == UNDEF) { /* a sequence, or encapsulated pixel data: items to the delimiter */
      lf_status st = walk_items(s, pos, end, depth + 1, pixel, 1);
      if (st) return st;
      continue;
    }
    if (len > end - *pos) return too_long(s, at, g, e, len, end - *pos);
    /* a defined-length sequence (explicit SQ, or an implicit value that starts
     * with an item: DCMTK may read it as one) */
    if (!pixel && len >= 8 && (sq || (!ex && rd16(s, *pos, be) == 0xFFFE && rd16(s, *pos + 2, be) == 0xE000))) {
      size_t p = *pos;
      lf_status st = walk_items(s, &p, *pos + len, depth + 1, 0, 0);
      if (st) return st;
    }
    *pos += len;
  }
  if (until_item_end) return lf_error(LF_EBADFILE, "%s: item without its end", s->name);
  return LF_OK;
}

lf_status lf_dicom_scan(const unsigned char *d, size_t n, const char *name) {
  scan s = {d, n, 1, 0, name};
  size_t pos = 0;
  if (n >= 132 && !memcmp(d + 128, "DICM", 4)) pos = 132;
  if (n - pos >= 6 && d[pos] == 0x02 && d[pos + 1] == 0x00) { /* file meta: explicit LE */
    size_t meta0 = pos;
    lf_status st = walk_elements(&s, &pos, n, 0, 1, 0);
    if (st) return st;
    /* (0002,0010) Transfer Syntax UID picks the dataset's encoding */
    for (size_t p = meta0; p + 8 <= pos;) {
      unsigned e = rd16(&s, p + 2, 0);
      int lv = long_vr(d + p + 4);
      uint32_t len = lv ? rd32(&s, p + 8, 0) : rd16(&s, p + 6, 0);
      size_t v = p + (lv ? 12 : 8);
      if (e == 0x0010 && len <= pos - v) {
        char ts[65] = {0};
        memcpy(ts, d + v, len < 64 ? len : 64);
        for (int i = (int)strlen(ts) - 1; i >= 0 && (ts[i] == 0 || ts[i] == ' '); i--) ts[i] = 0;
        if (!strcmp(ts, "1.2.840.10008.1.2")) s.explicit_vr = 0;
        else if (!strcmp(ts, "1.2.840.10008.1.2.2")) s.big_endian = 1;
        else if (!strcmp(ts, "1.2.840.10008.1.2.1.99"))
          return lf_error(LF_EUNSUPPORTED, "%s: deflated DICOM is not read", name);
        break;
      }
      p = v + len;
    }
  } else if (n - pos >= 6) { /* no meta: explicit when a VR follows the first tag */
    static const char vrs[] = "AEASATCSDADSDTFLFDISLOLTOBODOFOLOVPNSHSLSQSSSTSVTMUCUIULUNURUSUTUV";
    s.explicit_vr = 0;
    for (size_t i = 0; i + 1 < sizeof vrs; i += 2)
      if (d[pos + 4] == (unsigned char)vrs[i] && d[pos + 5] == (unsigned char)vrs[i + 1]) s.explicit_vr = 1;
  }
  return walk_elements(&s, &pos, n, 0, 0, 0);
}
