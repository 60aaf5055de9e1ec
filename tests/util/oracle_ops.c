/* Writes the op oracle cases and compares the two runtimes' outputs (oracle_ops.h). */
#include "oracle_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_model.h"
#include "op_zoo.h"

static int write_bytes(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, len, f);
  return (fclose(f) == 0 && w == len) ? 0 : -1;
}

int lf_oracle_write_ops(const char *dir, uint64_t seed, int runs, FILE *log) {
  lf_opcase *cs;
  int n;
  char msg[256], path[1024];
  if (lf_opzoo_build(seed, &cs, &n, msg, sizeof msg) < 0) {
    fprintf(log, "op zoo: %s\n", msg);
    return -1;
  }
  int rc = -1;
  FILE *fc = NULL, *fl = NULL, *fi = NULL;
  snprintf(path, sizeof path, "%s/cases.tsv", dir);
  fc = fopen(path, "w");
  snprintf(path, sizeof path, "%s/litert.tsv", dir);
  fl = fopen(path, "w");
  snprintf(path, sizeof path, "%s/invoke.tsv", dir);
  fi = fopen(path, "w");
  if (!fc || !fl || !fi) goto done;
  uint64_t rng = seed ^ 0x5DEECE66Dull;
  for (int i = 0; i < n; i++) {
    const lf_opcase *k = &cs[i];
    snprintf(path, sizeof path, "%s/%s.tflite", dir, k->name);
    if (write_bytes(path, k->bytes, k->len) < 0) goto done;
    fprintf(fc, "%s\t%s\t%s\t%s\t%d\t%s\n", k->name, lfrt_op_name(k->op), k->fp32 ? "f32" : k->in_type[0] == LFRT_UINT8 || k->out_type == LFRT_UINT8 ? "u8" : "i8",
            lfrt_type_name(k->out_type), runs, k->desc);
    for (int j = 0; j < runs; j++) {
      char ins[4096] = "";
      for (int q = 0; q < k->ninputs; q++) {
        char ip[1024];
        snprintf(ip, sizeof ip, "%s/%s.r%d.in%d.bin", dir, k->name, j, q);
        void *buf = malloc(k->in_bytes[q] ? k->in_bytes[q] : 1);
        if (!buf) goto done;
        lf_opzoo_random_input(&rng, k->in_type[q], buf, k->in_bytes[q]);
        int wr = write_bytes(ip, buf, k->in_bytes[q]);
        free(buf);
        if (wr < 0) goto done;
        if (q) strncat(ins, ",", sizeof ins - strlen(ins) - 1);
        strncat(ins, ip, sizeof ins - strlen(ins) - 1);
      }
      fprintf(fl, "%s/%s.tflite\t%s\t%s/%s.r%d.litert.bin\n", dir, k->name, ins, dir, k->name, j);
      fprintf(fi, "%s/%s.tflite\t%s\t%s/%s.r%d.lf.bin\n", dir, k->name, ins, dir, k->name, j);
    }
  }
  fprintf(log, "wrote %d op models x %d runs to %s\n", n, runs, dir);
  rc = 0;
done:
  if (rc < 0) fprintf(log, "write failed under %s\n", dir);
  if (fc) fclose(fc);
  if (fl) fclose(fl);
  if (fi) fclose(fi);
  lf_opzoo_free(cs, n);
  return rc;
}

/* rows of the per-(op, type) summary; more pairs fail the check */
#define LF_ORACLE_MAX_STATS 160

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *b = malloc(cap);
  while (b) {
    size_t r = fread(b + n, 1, cap - n, f);
    n += r;
    if (n < cap) break;
    unsigned char *nb = realloc(b, cap *= 2);
    if (!nb) {
      free(b);
      b = NULL;
    }
    b = nb;
  }
  fclose(f);
  *len = n;
  return b;
}

static int exact_class(const char *op) {
  static const char *ops[] = {"PAD", "RESHAPE", "CONCATENATION", "MAX_POOL_2D",
                              "RESIZE_NEAREST_NEIGHBOR", "RELU", "RELU6", "QUANTIZE",
                              "DEQUANTIZE",
                              /* shape ops */
                              "TRANSPOSE", "SLICE", "STRIDED_SLICE", "SPLIT", "SPLIT_V", "PACK",
                              "UNPACK", "GATHER", "DEPTH_TO_SPACE", "SPACE_TO_DEPTH", "PADV2",
                              "RELU_N1_TO_1",
                              "TILE" /* coral */, "CAST", "GATHER_ND", "FLOOR_DIV", "SQRT" /* movenet */};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(op, ops[i])) return 1;
  return 0;
}

/* ulp distance of two floats (same sign assumed close; large if not) */
static uint32_t ulps(float a, float b) {
  int32_t ia, ib;
  memcpy(&ia, &a, 4);
  memcpy(&ib, &b, 4);
  if (ia < 0) ia = (int32_t)(0x80000000u - (uint32_t)ia);
  if (ib < 0) ib = (int32_t)(0x80000000u - (uint32_t)ib);
  int64_t d = (int64_t)ia - ib;
  if (d < 0) d = -d;
  return d > 0xFFFFFFFF ? 0xFFFFFFFFu : (uint32_t)d;
}

typedef struct {
  char op[32], cls[8];
  int cases, runs, exact, fail, refused;
  double max_abs, max_rel;
  uint32_t max_ulp;
  int max_i8; /* largest int8 difference */
} opstat;

int lf_oracle_check_ops(const char *dir, FILE *rep) {
  char path[1024], line[1024];
  snprintf(path, sizeof path, "%s/cases.tsv", dir);
  FILE *fc = fopen(path, "r");
  if (!fc) return -1;
  opstat st[LF_ORACLE_MAX_STATS];
  int nst = 0, failures = 0;
  memset(st, 0, sizeof st);
  while (fgets(line, sizeof line, fc)) {
    char name[64], op[32], cls[8], otype[16], desc[300] = "";
    int runs;
    if (sscanf(line, "%63[^\t]\t%31[^\t]\t%7[^\t]\t%15[^\t]\t%d\t%299[^\n]", name, op, cls, otype,
               &runs, desc) < 5)
      continue;
    opstat *s = NULL;
    for (int i = 0; i < nst; i++)
      if (!strcmp(st[i].op, op) && !strcmp(st[i].cls, cls)) s = &st[i];
    if (!s && nst < LF_ORACLE_MAX_STATS) {
      s = &st[nst++];
      snprintf(s->op, sizeof s->op, "%s", op);
      snprintf(s->cls, sizeof s->cls, "%s", cls);
    }
    if (!s) { /* never skip a case silently: more (op, type) pairs than rows */
      failures++;
      fprintf(rep, "FAIL %s: more than %d (op, type) pairs, raise LF_ORACLE_MAX_STATS\n", name, LF_ORACLE_MAX_STATS);
      continue;
    }
    s->cases++;
    int is_f32 = !strcmp(otype, "FLOAT32");
    for (int j = 0; j < runs; j++) {
      size_t la = 0, lb = 0;
      snprintf(path, sizeof path, "%s/%s.r%d.litert.bin", dir, name, j);
      unsigned char *a = read_all(path, &la);
      snprintf(path, sizeof path, "%s/%s.r%d.lf.bin", dir, name, j);
      unsigned char *b = read_all(path, &lb);
      s->runs++;
      if (!a) {
        /* LiteRT refused the model: no oracle. Both refusing is agreement. */
        s->refused++;
        fprintf(rep, "%s %s run %d: LiteRT refused the model (%s/%s.r%d.litert.bin.err)%s [%s]\n",
                b ? "NOTE" : "ok  ", name, j, dir, name, j,
                b ? "; leapfrog ran it (no oracle to compare)" : "; leapfrog refused it too", desc);
      } else if (!b) {
        s->fail++;
        failures++;
        fprintf(rep, "FAIL %s run %d: no leapfrog output [%s]\n", name, j, desc);
      } else if (la != lb) {
        s->fail++;
        failures++;
        fprintf(rep, "FAIL %s run %d: %zu bytes from LiteRT, %zu from leapfrog [%s]\n", name, j,
                la, lb, desc);
      } else if (!memcmp(a, b, la)) {
        s->exact++;
      } else if (!is_f32) {
        size_t first = 0, nd = 0;
        int worst = 0;
        for (size_t i = 0; i < la; i++)
          if (a[i] != b[i]) {
            if (!nd) first = i;
            nd++;
            int d = !strcmp(cls, "u8") ? abs((int)a[i] - (int)b[i]) : abs((int)(int8_t)a[i] - (int)(int8_t)b[i]);
            if (d > worst) worst = d;
          }
        if (worst > s->max_i8) s->max_i8 = worst;
        s->fail++;
        failures++;
        fprintf(rep,
                "FAIL %s run %d: %zu of %zu int8 bytes differ (max |diff| %d; first at %zu: "
                "LiteRT %d, leapfrog %d) [%s]\n",
                name, j, nd, la, worst, first, (int8_t)a[first], (int8_t)b[first], desc);
      } else {
        size_t cnt = la / 4, bad = 0, worst_i = 0;
        double worst = 0;
        for (size_t i = 0; i < cnt; i++) {
          float fa, fb;
          memcpy(&fa, a + 4 * i, 4);
          memcpy(&fb, b + 4 * i, 4);
          double ad = fabs((double)fa - fb), ref = fabs((double)fa);
          double rel = ad / (ref > 1 ? ref : 1);
          uint32_t u = ulps(fa, fb);
          if (u > s->max_ulp) s->max_ulp = u;
          if (ad > s->max_abs) s->max_abs = ad;
          if (rel > s->max_rel) s->max_rel = rel;
          if (rel > worst || fa != fa || fb != fb) {
            worst = rel;
            worst_i = i;
          }
          if (exact_class(op) ? ad != 0 : !(rel <= 1.0 / 131072.0)) bad++;
        }
        if (bad) {
          float fa, fb;
          memcpy(&fa, a + 4 * worst_i, 4);
          memcpy(&fb, b + 4 * worst_i, 4);
          s->fail++;
          failures++;
          fprintf(rep,
                  "FAIL %s run %d: %zu of %zu floats out of tolerance (worst at %zu: LiteRT "
                  "%.9g, leapfrog %.9g) [%s]\n",
                  name, j, bad, cnt, worst_i, (double)fa, (double)fb, desc);
        }
      }
      free(a);
      free(b);
    }
  }
  fclose(fc);
  fprintf(rep, "%-24s %-4s %5s %5s %6s %5s %7s  %s\n", "op", "type", "cases", "runs", "exact",
          "fail", "refused", "worst difference");
  for (int i = 0; i < nst; i++) {
    const opstat *s = &st[i];
    char worst[96] = "-";
    if (strcmp(s->cls, "f32") && s->max_i8) snprintf(worst, sizeof worst, "%d (%s)", s->max_i8, s->cls);
    if (!strcmp(s->cls, "f32") && (s->max_ulp || s->max_abs))
      snprintf(worst, sizeof worst, "%u ulp, abs %.3g, rel %.3g", s->max_ulp, s->max_abs,
               s->max_rel);
    fprintf(rep, "%-24s %-4s %5d %5d %6d %5d %7d  %s\n", s->op, s->cls, s->cases, s->runs,
            s->exact, s->fail, s->refused, worst);
  }
  return failures;
}

int lf_oracle_agree_ops(const char *dir, const char *sa, const char *sb, FILE *rep) {
  char path[1024], line[1024];
  snprintf(path, sizeof path, "%s/cases.tsv", dir);
  FILE *fc = fopen(path, "r");
  if (!fc) return -1;
  struct {
    char op[32], cls[8];
    int runs, same, missing;
    char first[64];
  } st[LF_ORACLE_MAX_STATS];
  int nst = 0;
  memset(st, 0, sizeof st);
  while (fgets(line, sizeof line, fc)) {
    char name[64], op[32], cls[8];
    int runs;
    if (sscanf(line, "%63[^\t]\t%31[^\t]\t%7[^\t]\t%*[^\t]\t%d", name, op, cls, &runs) < 4) continue;
    int k = 0;
    while (k < nst && (strcmp(st[k].op, op) || strcmp(st[k].cls, cls))) k++;
    if (k == nst) {
      if (nst == LF_ORACLE_MAX_STATS) continue;
      nst++;
      snprintf(st[k].op, sizeof st[k].op, "%s", op);
      snprintf(st[k].cls, sizeof st[k].cls, "%s", cls);
    }
    for (int j = 0; j < runs; j++) {
      size_t la = 0, lb = 0;
      snprintf(path, sizeof path, "%s/%s.r%d.%s.bin", dir, name, j, sa);
      unsigned char *a = read_all(path, &la);
      snprintf(path, sizeof path, "%s/%s.r%d.%s.bin", dir, name, j, sb);
      unsigned char *b = read_all(path, &lb);
      st[k].runs++;
      if (!a || !b) st[k].missing++;
      else if (la == lb && !memcmp(a, b, la)) st[k].same++;
      else if (!st[k].first[0]) snprintf(st[k].first, sizeof st[k].first, "%s", name);
      free(a);
      free(b);
    }
  }
  fclose(fc);
  fprintf(rep, "%-24s %-5s %5s %9s %8s  %s\n", "op", "type", "runs", "identical", "missing",
          "first differing case");
  for (int k = 0; k < nst; k++)
    fprintf(rep, "%-24s %-5s %5d %9d %8d  %s\n", st[k].op, st[k].cls, st[k].runs, st[k].same,
            st[k].missing, st[k].first[0] ? st[k].first : "-");
  return 0;
}
