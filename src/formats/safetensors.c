/* safetensors reader: verify the header completely, then hand out tensors
 * pointing into the file buffer. See lf_safetensors.h. */
#include "leapfrog/lf_safetensors.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_fileio.h"

/* Headers above this are refused (the reference implementation uses 100 MB). */
#define ST_MAX_HEADER ((uint64_t)100 << 20)

static const struct {
  const char *name;
  size_t size;
} st_dtypes[LF_ST_NDTYPES] = {
    [LF_ST_BOOL] = {"BOOL", 1}, [LF_ST_U8] = {"U8", 1},     [LF_ST_I8] = {"I8", 1},
    [LF_ST_I16] = {"I16", 2},   [LF_ST_U16] = {"U16", 2},   [LF_ST_F16] = {"F16", 2},
    [LF_ST_BF16] = {"BF16", 2}, [LF_ST_I32] = {"I32", 4},   [LF_ST_U32] = {"U32", 4},
    [LF_ST_F32] = {"F32", 4},   [LF_ST_F64] = {"F64", 8},   [LF_ST_I64] = {"I64", 8},
    [LF_ST_U64] = {"U64", 8},
};

const char *lf_st_dtype_name(lf_st_dtype d) {
  return (unsigned)d < LF_ST_NDTYPES ? st_dtypes[d].name : "?";
}
size_t lf_st_dtype_size(lf_st_dtype d) { return (unsigned)d < LF_ST_NDTYPES ? st_dtypes[d].size : 0; }

void lf_st_close(lf_st_file *f) {
  if (!f) return;
  for (size_t i = 0; i < f->n_tensors; i++) free(f->tensors[i].name);
  for (size_t i = 0; i < f->n_meta; i++) {
    free(f->meta_keys[i]);
    free(f->meta_vals[i]);
  }
  free(f->tensors);
  free(f->meta_keys);
  free(f->meta_vals);
  free(f->buf);
  free(f->path);
  memset(f, 0, sizeof *f);
}

/* A JSON number that is an exact integer in [0, 2^53]. */
static int st_get_u64(const cJSON *j, uint64_t *out) {
  if (!cJSON_IsNumber(j)) return 0;
  double v = j->valuedouble;
  if (!(v >= 0 && v <= 9007199254740992.0) || floor(v) != v) return 0;
  *out = (uint64_t)v;
  return 1;
}

static int st_cmp_offset(const void *a, const void *b) {
  const lf_st_tensor *x = a, *y = b;
  return x->data < y->data ? -1 : x->data > y->data;
}

static int st_cmp_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static lf_status st_parse_meta(lf_st_file *f, const cJSON *meta) {
  if (!cJSON_IsObject(meta)) return lf_error(LF_EBADFILE, "%s: __metadata__ is not an object", f->path);
  size_t n = 0;
  for (const cJSON *e = meta->child; e; e = e->next) n++;
  f->meta_keys = calloc(n ? n : 1, sizeof(char *));
  f->meta_vals = calloc(n ? n : 1, sizeof(char *));
  if (!f->meta_keys || !f->meta_vals) return lf_error(LF_ENOMEM, "%s: out of memory", f->path);
  for (const cJSON *e = meta->child; e; e = e->next) {
    if (!cJSON_IsString(e) || !e->string)
      return lf_error(LF_EBADFILE, "%s: __metadata__ value '%s' is not a string", f->path,
                      e->string ? e->string : "");
    for (size_t i = 0; i < f->n_meta; i++)
      if (!strcmp(f->meta_keys[i], e->string))
        return lf_error(LF_EBADFILE, "%s: duplicate __metadata__ key '%s'", f->path, e->string);
    f->meta_keys[f->n_meta] = strdup(e->string);
    f->meta_vals[f->n_meta] = strdup(e->valuestring);
    f->n_meta++;
    if (!f->meta_keys[f->n_meta - 1] || !f->meta_vals[f->n_meta - 1])
      return lf_error(LF_ENOMEM, "%s: out of memory", f->path);
  }
  return LF_OK;
}

static lf_status st_parse_tensor(lf_st_file *f, const cJSON *e, const unsigned char *data,
                                 size_t data_len, lf_st_tensor *t) {
  const char *name = e->string;
  if (!cJSON_IsObject(e)) return lf_error(LF_EBADFILE, "%s: tensor '%s': entry is not an object", f->path, name);
  const cJSON *jd = cJSON_GetObjectItemCaseSensitive(e, "dtype");
  const cJSON *js = cJSON_GetObjectItemCaseSensitive(e, "shape");
  const cJSON *jo = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
  if (!cJSON_IsString(jd) || !cJSON_IsArray(js) || !cJSON_IsArray(jo))
    return lf_error(LF_EBADFILE, "%s: tensor '%s': needs dtype (string), shape and data_offsets (arrays)",
                    f->path, name);
  int dt = -1;
  for (int d = 0; d < LF_ST_NDTYPES; d++)
    if (!strcmp(jd->valuestring, st_dtypes[d].name)) dt = d;
  if (dt < 0)
    return lf_error(LF_EUNSUPPORTED, "%s: tensor '%s': unsupported dtype '%s'", f->path, name, jd->valuestring);
  t->dtype = (lf_st_dtype)dt;
  int nd = cJSON_GetArraySize(js);
  if (nd > LF_ST_MAX_DIMS)
    return lf_error(LF_EUNSUPPORTED, "%s: tensor '%s': %d dims (at most %d)", f->path, name, nd, LF_ST_MAX_DIMS);
  t->ndim = nd;
  uint64_t numel = 1;
  int i = 0;
  for (const cJSON *d = js->child; d; d = d->next, i++) {
    uint64_t v;
    if (!st_get_u64(d, &v)) return lf_error(LF_EBADFILE, "%s: tensor '%s': bad shape entry", f->path, name);
    /* numel * v must stay below 2^62 so the byte count cannot overflow either */
    if (v && numel > (((uint64_t)1 << 62) / v))
      return lf_error(LF_EBADFILE, "%s: tensor '%s': shape too large", f->path, name);
    numel *= v;
    t->shape[i] = (int64_t)v;
  }
  if (cJSON_GetArraySize(jo) != 2) return lf_error(LF_EBADFILE, "%s: tensor '%s': data_offsets needs 2 entries", f->path, name);
  uint64_t b, en;
  if (!st_get_u64(jo->child, &b) || !st_get_u64(jo->child->next, &en) || b > en)
    return lf_error(LF_EBADFILE, "%s: tensor '%s': bad data_offsets", f->path, name);
  if (en > data_len)
    return lf_error(LF_EBADFILE, "%s: tensor '%s': data_offsets [%llu, %llu] past the end of the data (%zu bytes)",
                    f->path, name, (unsigned long long)b, (unsigned long long)en, data_len);
  uint64_t nbytes = numel * st_dtypes[dt].size;
  if (en - b != nbytes)
    return lf_error(LF_EBADFILE, "%s: tensor '%s': %llu bytes in data_offsets but shape x %s needs %llu", f->path,
                    name, (unsigned long long)(en - b), st_dtypes[dt].name, (unsigned long long)nbytes);
  t->numel = (size_t)numel;
  t->nbytes = (size_t)nbytes;
  t->data = data + b;
  t->name = strdup(name);
  if (!t->name) return lf_error(LF_ENOMEM, "%s: out of memory", f->path);
  return LF_OK;
}

/* Takes ownership of buf (len bytes + 1 spare for a NUL). */
static lf_status st_parse_owned(lf_st_file *f, unsigned char *buf, size_t len, const char *name) {
  memset(f, 0, sizeof *f);
  f->buf = buf;
  f->len = len;
  f->path = strdup(name ? name : "(memory)");
  if (!f->path) {
    lf_st_close(f);
    return lf_error(LF_ENOMEM, "out of memory");
  }
  lf_status st = LF_OK;
  cJSON *root = NULL;
  if (len < 8) {
    st = lf_error(LF_EBADFILE, "%s: %zu bytes is too short for a safetensors file", f->path, len);
    goto done;
  }
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | buf[i];
  if (hlen < 2 || hlen > ST_MAX_HEADER || hlen > len - 8) {
    st = lf_error(LF_EBADFILE, "%s: header length %llu does not fit the file (%zu bytes)", f->path,
                  (unsigned long long)hlen, len);
    goto done;
  }
  if (buf[8] != '{') {
    st = lf_error(LF_EBADFILE, "%s: header does not start with '{'", f->path);
    goto done;
  }
  const char *end = NULL;
  root = cJSON_ParseWithLengthOpts((const char *)buf + 8, (size_t)hlen, &end, 0);
  if (!root || !cJSON_IsObject(root)) {
    st = lf_error(LF_EBADFILE, "%s: header is not a JSON object", f->path);
    goto done;
  }
  /* only trailing spaces may follow the JSON (the writer's padding) */
  for (const char *p = end; p < (const char *)buf + 8 + hlen; p++)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
      st = lf_error(LF_EBADFILE, "%s: garbage after the JSON header", f->path);
      goto done;
    }
  const unsigned char *data = buf + 8 + hlen;
  size_t data_len = len - 8 - (size_t)hlen;
  size_t n = 0;
  for (const cJSON *e = root->child; e; e = e->next) n++;
  f->tensors = calloc(n ? n : 1, sizeof *f->tensors);
  if (!f->tensors) {
    st = lf_error(LF_ENOMEM, "%s: out of memory", f->path);
    goto done;
  }
  int have_meta = 0;
  for (const cJSON *e = root->child; e; e = e->next) {
    if (!e->string || !e->string[0]) {
      st = lf_error(LF_EBADFILE, "%s: empty tensor name", f->path);
      goto done;
    }
    if (!strcmp(e->string, "__metadata__")) {
      if (have_meta++) {
        st = lf_error(LF_EBADFILE, "%s: two __metadata__ entries", f->path);
        goto done;
      }
      if ((st = st_parse_meta(f, e))) goto done;
      continue;
    }
    if ((st = st_parse_tensor(f, e, data, data_len, &f->tensors[f->n_tensors]))) goto done;
    f->n_tensors++;
  }
  /* the data buffer must be covered exactly: sorted by offset, no gap, no overlap */
  qsort(f->tensors, f->n_tensors, sizeof *f->tensors, st_cmp_offset);
  const unsigned char *pos = data;
  for (size_t i = 0; i < f->n_tensors; i++) {
    if (f->tensors[i].data != pos) {
      st = lf_error(LF_EBADFILE, "%s: tensor '%s': data at offset %zu %s the previous tensor's end (%zu)", f->path,
                    f->tensors[i].name, (size_t)(f->tensors[i].data - data),
                    f->tensors[i].data < pos ? "overlaps" : "leaves a gap after", (size_t)(pos - data));
      goto done;
    }
    pos += f->tensors[i].nbytes;
  }
  if (pos != data + data_len) {
    st = lf_error(LF_EBADFILE, "%s: %zu bytes after the last tensor are not indexed", f->path,
                  (size_t)(data + data_len - pos));
    goto done;
  }
  /* duplicate names (cJSON keeps both): sort a copy of the name pointers */
  if (f->n_tensors > 1) {
    const char **names = malloc(f->n_tensors * sizeof *names);
    if (!names) {
      st = lf_error(LF_ENOMEM, "%s: out of memory", f->path);
      goto done;
    }
    for (size_t i = 0; i < f->n_tensors; i++) names[i] = f->tensors[i].name;
    qsort(names, f->n_tensors, sizeof *names, st_cmp_name);
    for (size_t i = 1; i < f->n_tensors && !st; i++)
      if (!strcmp(names[i - 1], names[i])) st = lf_error(LF_EBADFILE, "%s: tensor '%s' appears twice", f->path, names[i]);
    free(names);
  }
done:
  cJSON_Delete(root);
  if (st) lf_st_close(f);
  return st;
}

lf_status lf_st_parse(lf_st_file *f, const void *data, size_t len, const char *name) {
  memset(f, 0, sizeof *f);
  unsigned char *buf = malloc(len + 1);
  if (!buf) return lf_error(LF_ENOMEM, "%s: cannot allocate %zu bytes", name ? name : "(memory)", len);
  if (len) memcpy(buf, data, len);
  buf[len] = 0;
  return st_parse_owned(f, buf, len, name);
}

/* The data bytes a header indexes: the largest data_offsets end of its
 * entries (what the full parse checks entry by entry); 0 if none. */
static uint64_t st_header_data_end(const cJSON *root) {
  uint64_t end = 0;
  for (const cJSON *e = root->child; e; e = e->next) {
    const cJSON *jo = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    const cJSON *b = cJSON_GetArrayItem(jo, 1);
    if (cJSON_IsNumber(b) && b->valuedouble >= 0 && b->valuedouble < 1.8e19 && (uint64_t)b->valuedouble > end)
      end = (uint64_t)b->valuedouble;
  }
  return end;
}

lf_status lf_st_open(lf_st_file *f, const char *path) {
  memset(f, 0, sizeof *f);
  /* Check the 8-byte length and the JSON header against the file's size before
   * reading (or allocating for) the data: a 3 GB file whose header is zeros,
   * or that indexes fewer bytes than it holds, is refused from its first bytes. */
  int fd;
  uint64_t size;
  lf_status st = lf_open_regular(path, &fd, &size);
  if (st) return st;
  unsigned char *buf = NULL;
  cJSON *root = NULL;
  unsigned char pre[8];
  uint64_t hlen = 0;
  if (size > ((uint64_t)16 << 30) || size > SIZE_MAX - 1) {
    st = lf_error(LF_EBADFILE, "%s: %llu bytes is larger than the 16 GiB allowed", path, (unsigned long long)size);
    goto fail;
  }
  if (size < 10) {
    st = lf_error(LF_EBADFILE, "%s: %llu bytes is too short for a safetensors file", path, (unsigned long long)size);
    goto fail;
  }
  if ((st = lf_read_fd(fd, pre, 8, path))) goto fail;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | pre[i];
  if (hlen < 2 || hlen > ST_MAX_HEADER || hlen > size - 8) {
    st = lf_error(LF_EBADFILE, "%s: header length %llu does not fit the file (%llu bytes)", path,
                  (unsigned long long)hlen, (unsigned long long)size);
    goto fail;
  }
  /* the header alone first (at most ST_MAX_HEADER bytes) */
  buf = malloc((size_t)hlen + 8);
  if (!buf) {
    st = lf_error(LF_ENOMEM, "%s: cannot allocate %llu bytes", path, (unsigned long long)hlen + 8);
    goto fail;
  }
  memcpy(buf, pre, 8);
  if ((st = lf_read_fd(fd, buf + 8, (size_t)hlen, path))) goto fail;
  if (buf[8] != '{') {
    st = lf_error(LF_EBADFILE, "%s: header does not start with '{'", path);
    goto fail;
  }
  root = cJSON_ParseWithLength((const char *)buf + 8, (size_t)hlen);
  if (!root || !cJSON_IsObject(root)) {
    st = lf_error(LF_EBADFILE, "%s: header is not a JSON object", path);
    goto fail;
  }
  uint64_t data_len = size - 8 - hlen, indexed = st_header_data_end(root);
  if (indexed != data_len) {
    st = lf_error(LF_EBADFILE, "%s: the header indexes %llu data bytes but %llu follow it", path,
                  (unsigned long long)indexed, (unsigned long long)data_len);
    goto fail;
  }
  cJSON_Delete(root);
  root = NULL;
  /* then the whole file: the size is now the header's own account of it */
  unsigned char *all = realloc(buf, (size_t)size + 1);
  if (!all) {
    st = lf_error(LF_ENOMEM, "%s: cannot allocate %llu bytes", path, (unsigned long long)size + 1);
    goto fail;
  }
  buf = all;
  if ((st = lf_read_fd(fd, buf + 8 + hlen, (size_t)data_len, path))) goto fail;
  close(fd);
  buf[size] = 0;
  return st_parse_owned(f, buf, (size_t)size, path);
fail:
  cJSON_Delete(root);
  free(buf);
  close(fd);
  return st;
}

const lf_st_tensor *lf_st_find(const lf_st_file *f, const char *name) {
  for (size_t i = 0; i < f->n_tensors; i++)
    if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
  return NULL;
}

const char *lf_st_meta(const lf_st_file *f, const char *key) {
  for (size_t i = 0; i < f->n_meta; i++)
    if (!strcmp(f->meta_keys[i], key)) return f->meta_vals[i];
  return NULL;
}

static float st_half_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023;
  float v;
  if (e == 0) v = ldexpf((float)m, -24);
  else if (e == 31) v = m ? NAN : INFINITY;
  else v = ldexpf((float)(m | 1024), (int)e - 25);
  return sign ? -v : v;
}

static uint64_t st_load_le(const unsigned char *p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

static double st_elem(lf_st_dtype d, const unsigned char *p) {
  uint64_t u = st_load_le(p, st_dtypes[d].size);
  switch (d) {
    case LF_ST_BOOL: return u != 0;
    case LF_ST_U8: case LF_ST_U16: case LF_ST_U32: case LF_ST_U64: return (double)u;
    case LF_ST_I8: return (int8_t)u;
    case LF_ST_I16: return (int16_t)u;
    case LF_ST_I32: return (int32_t)u;
    case LF_ST_I64: return (double)(int64_t)u;
    case LF_ST_F16: return st_half_to_f32((uint16_t)u);
    case LF_ST_BF16: {
      uint32_t b = (uint32_t)u << 16;
      float v;
      memcpy(&v, &b, 4);
      return v;
    }
    case LF_ST_F32: {
      uint32_t b = (uint32_t)u;
      float v;
      memcpy(&v, &b, 4);
      return v;
    }
    case LF_ST_F64: {
      double v;
      memcpy(&v, &u, 8);
      return v;
    }
    default: return 0;
  }
}

lf_status lf_st_to_f32(const lf_st_file *f, const lf_st_tensor *t, float *out, size_t n) {
  if (n != t->numel)
    return lf_error(LF_EINVAL, "%s: tensor '%s' has %zu elements, %zu expected", f->path, t->name, t->numel, n);
  if (t->dtype == LF_ST_F32) {
    memcpy(out, t->data, n * 4); /* little-endian host assumed (x86, ARM) */
    return LF_OK;
  }
  size_t es = st_dtypes[t->dtype].size;
  for (size_t i = 0; i < n; i++) out[i] = (float)st_elem(t->dtype, t->data + i * es);
  return LF_OK;
}

lf_status lf_st_to_i64(const lf_st_file *f, const lf_st_tensor *t, int64_t *out) {
  if (t->numel != 1) return lf_error(LF_EINVAL, "%s: tensor '%s' is not a scalar", f->path, t->name);
  switch (t->dtype) {
    case LF_ST_I64: case LF_ST_U64: *out = (int64_t)st_load_le(t->data, 8); return LF_OK;
    case LF_ST_F16: case LF_ST_BF16: case LF_ST_F32: case LF_ST_F64:
      return lf_error(LF_EINVAL, "%s: tensor '%s' is %s, an integer was expected", f->path, t->name,
                      st_dtypes[t->dtype].name);
    default: *out = (int64_t)st_elem(t->dtype, t->data); return LF_OK;
  }
}
