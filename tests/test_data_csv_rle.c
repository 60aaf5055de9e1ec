/* CSV reader (hand-written edge cases, the real NIH header, and random CSVs compared
 * with Python's csv module) and Kaggle RLE (compared with an independent numpy
 * implementation, both directions). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_csv.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_rle.h"
#include "lf_test.h"

static char dir[512];
static const char *py;

static lf_csv *parse(const char *s) {
  lf_csv *c = NULL;
  lf_status st = lf_csv_parse(s, strlen(s), "t.csv", &c);
  LF_CHECK_MSG(st == LF_OK, "parse failed: %s", lf_last_error());
  return c;
}

LF_TEST(csv_edge_cases) {
  lf_csv *c = parse("\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n\r\n2,\"multi\nline\",\n3");
  if (!c) return;
  LF_CHECK(lf_csv_rows(c) == 4);
  LF_CHECK(!strcmp(lf_csv_field(c, 0, 0), "a")); /* BOM stripped */
  LF_CHECK(!strcmp(lf_csv_field(c, 1, 1), "x, y"));
  LF_CHECK(!strcmp(lf_csv_field(c, 1, 2), "he said \"hi\""));
  LF_CHECK(!strcmp(lf_csv_field(c, 2, 1), "multi\nline"));
  LF_CHECK(lf_csv_cols(c, 2) == 3 && !strcmp(lf_csv_field(c, 2, 2), ""));
  LF_CHECK(lf_csv_line(c, 2) == 4 && lf_csv_line(c, 3) == 6);
  LF_CHECK(lf_csv_cols(c, 3) == 1 && !strcmp(lf_csv_field(c, 3, 0), "3"));
  LF_CHECK(lf_csv_field(c, 3, 1) == NULL && lf_csv_field(c, 9, 0) == NULL);
  LF_CHECK(lf_csv_find_col(c, "b") == 1 && lf_csv_find_col(c, "zz") == -1);
  lf_csv_free(c);
  /* the real NIH header: unquoted brackets split; rows have a trailing empty field */
  c = parse("Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
            "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n"
            "00000001_000.png,Cardiomegaly,0,1,58,M,PA,2682,2749,0.143,0.143,\n");
  if (c) {
    LF_CHECK(lf_csv_cols(c, 0) == 12 && lf_csv_cols(c, 1) == 12);
    LF_CHECK(!strcmp(lf_csv_field(c, 0, 7), "OriginalImage[Width") && !strcmp(lf_csv_field(c, 1, 8), "2749"));
    lf_csv_free(c);
  }
  /* errors name file:line */
  const char *bad[] = {"a,b\n\"open quote,1\n2,3\n", "a,b\n1,\"x\"y\n", "a\n1\n2\n\"q\"z"};
  const char *where[] = {"t.csv:2", "t.csv:2", "t.csv:4"};
  for (int k = 0; k < 3; k++) {
    lf_csv *e = NULL;
    LF_CHECK(lf_csv_parse(bad[k], strlen(bad[k]), "t.csv", &e) == LF_EBADFILE && e == NULL);
    LF_CHECK_MSG(strstr(lf_last_error(), where[k]) != NULL, "case %d: '%s' lacks %s", k, lf_last_error(), where[k]);
  }
  c = parse("");
  if (c) {
    LF_CHECK(lf_csv_rows(c) == 0);
    lf_csv_free(c);
  }
}

static char *rand_csv(uint64_t *st, size_t *len) {
  static const char *atoms[] = {"a", "b c", "1.5", "", "x,y", "q\"uote", "multi\nline", "crlf\r\nin", " sp ", "\xc3\xa9"};
  size_t cap = 1 << 16, n = 0;
  char *s = malloc(cap);
  int rows = 1 + (int)(lf_sm64_next(st) % 30);
  for (int r = 0; r < rows; r++) {
    int cols = 1 + (int)(lf_sm64_next(st) % 6);
    for (int c = 0; c < cols; c++) {
      const char *a = atoms[lf_sm64_next(st) % 10];
      int need_q = strpbrk(a, ",\"\r\n") != NULL || (cols == 1 && !*a) || (lf_sm64_next(st) % 4 == 0);
      if (c) s[n++] = ',';
      if (need_q) {
        s[n++] = '"';
        for (const char *p = a; *p; p++) {
          if (*p == '"') s[n++] = '"';
          s[n++] = *p;
        }
        s[n++] = '"';
      } else {
        n += (size_t)sprintf(s + n, "%s", a);
      }
    }
    n += (size_t)sprintf(s + n, "%s", lf_sm64_next(st) & 1 ? "\r\n" : "\n");
  }
  if (lf_sm64_next(st) & 1) n -= s[n - 2] == '\r' ? 2 : 1; /* no final newline */
  s[n] = 0;
  *len = n;
  return s;
}

LF_TEST(csv_vs_python) {
  uint64_t st = 99;
  int N = 60;
  char path[700];
  for (int k = 0; k < N; k++) {
    size_t n;
    char *s = rand_csv(&st, &n);
    snprintf(path, sizeof path, "%s/r%02d.csv", dir, k);
    lf_write_file_atomic(path, s, n);
    free(s);
  }
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "%s -c \"import csv,json,sys\n"
           "for k in range(%d):\n"
           "  p='%s/r%%02d.csv'%%k\n"
           "  rows=[r for r in csv.reader(open(p,newline='',encoding='utf-8')) if r]\n"
           "  json.dump(rows,open(p+'.json','w'))\n\"",
           py, N, dir);
  LF_CHECK_MSG(system(cmd) == 0, "python csv oracle failed");
  for (int k = 0; k < N; k++) {
    snprintf(path, sizeof path, "%s/r%02d.csv", dir, k);
    lf_csv *c;
    LF_CHECK_MSG(lf_csv_read(path, &c) == LF_OK, "%s", lf_last_error());
    char jp[720];
    snprintf(jp, sizeof jp, "%s.json", path);
    unsigned char *j;
    size_t jn;
    if (lf_read_file(jp, 0, &j, &jn)) { LF_CHECK_MSG(0, "no %s", jp); lf_csv_free(c); continue; }
    cJSON *rows = cJSON_Parse((char *)j);
    free(j);
    LF_CHECK_MSG((size_t)cJSON_GetArraySize(rows) == lf_csv_rows(c), "r%02d: %d rows in python, %zu here", k,
                 cJSON_GetArraySize(rows), lf_csv_rows(c));
    for (size_t r = 0; r < lf_csv_rows(c) && r < (size_t)cJSON_GetArraySize(rows); r++) {
      cJSON *row = cJSON_GetArrayItem(rows, (int)r);
      LF_CHECK_MSG((size_t)cJSON_GetArraySize(row) == lf_csv_cols(c, r), "r%02d row %zu: field count", k, r);
      for (size_t f = 0; f < lf_csv_cols(c, r) && f < (size_t)cJSON_GetArraySize(row); f++)
        LF_CHECK_MSG(!strcmp(cJSON_GetArrayItem(row, (int)f)->valuestring, lf_csv_field(c, r, f)),
                     "r%02d row %zu field %zu: '%s' vs python '%s'", k, r, f, lf_csv_field(c, r, f),
                     cJSON_GetArrayItem(row, (int)f)->valuestring);
    }
    cJSON_Delete(rows);
    lf_csv_free(c);
  }
}

/* masks: sizes and densities incl. empty and full */
static const int sizes[][2] = {{7, 5}, {1, 1}, {13, 11}, {580, 420}, {3, 9}, {112, 80}, {580, 420}, {20, 1}};

LF_TEST(rle_vs_numpy) {
  int N = (int)(sizeof sizes / sizeof *sizes);
  uint64_t st = 5;
  char path[700];
  char **ours = calloc((size_t)N, sizeof *ours);
  uint8_t **masks = calloc((size_t)N, sizeof *masks);
  for (int k = 0; k < N; k++) {
    int w = sizes[k][0], h = sizes[k][1];
    masks[k] = malloc((size_t)w * h);
    double dens = k == 1 ? 1.0 : k == 6 ? 0.0 : (double)(k % 4) / 4 + 0.1;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        /* blobs so runs are long, plus noise */
        int blob = (x - w / 2) * (x - w / 2) + (y - h / 3) * (y - h / 3) < w * h / 8;
        masks[k][y * w + x] = dens >= 1 || (dens > 0 && (blob || lf_sm64_uniform(&st) < dens * 0.3));
      }
    snprintf(path, sizeof path, "%s/m%d.bin", dir, k);
    lf_write_file_atomic(path, masks[k], (size_t)w * h);
    LF_CHECK(lf_rle_encode(masks[k], w, h, &ours[k]) == LF_OK);
  }
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "%s -c \"import numpy as np\n"
           "sizes=%s\n"
           "out=open('%s/py_rle.txt','w')\n"
           "for k,(w,h) in enumerate(sizes):\n"
           "  m=np.fromfile('%s/m%%d.bin'%%k,dtype=np.uint8).reshape(h,w)\n"
           "  f=np.concatenate([[0],m.flatten(order='F'),[0]])\n"
           "  r=np.where(f[1:]!=f[:-1])[0]+1\n"
           "  r[1::2]-=r[::2]\n"
           "  out.write(' '.join(str(v) for v in r)+'\\n')\n\"",
           py, "[(7,5),(1,1),(13,11),(580,420),(3,9),(112,80),(580,420),(20,1)]", dir, dir);
  LF_CHECK_MSG(system(cmd) == 0, "numpy RLE oracle failed");
  snprintf(path, sizeof path, "%s/py_rle.txt", dir);
  FILE *f = fopen(path, "r");
  LF_CHECK(f != NULL);
  char *line = NULL;
  size_t cap = 0;
  for (int k = 0; f && k < N; k++) {
    ssize_t got = getline(&line, &cap, f);
    LF_CHECK(got >= 0);
    if (got < 0) break;
    line[strcspn(line, "\n")] = 0;
    LF_CHECK_MSG(!strcmp(line, ours[k]), "mask %d: ours '%.60s' numpy '%.60s'", k, ours[k], line);
    int w = sizes[k][0], h = sizes[k][1];
    uint8_t *dec = malloc((size_t)w * h);
    LF_CHECK_MSG(lf_rle_decode(line, w, h, dec, "py") == LF_OK, "%s", lf_last_error());
    LF_CHECK(!memcmp(dec, masks[k], (size_t)w * h));
    free(dec);
  }
  if (f) fclose(f);
  free(line);
  for (int k = 0; k < N; k++) free(ours[k]), free(masks[k]);
  free(ours), free(masks);
  /* bad RLE */
  uint8_t m[35];
  const char *bad[] = {"1", "0 3", "1 0", "5 2 3 1", "30 10", "1 2 x", "1 2 2 2", "-1 2"};
  for (int k = 0; k < 8; k++)
    LF_CHECK_MSG(lf_rle_decode(bad[k], 7, 5, m, "bad") == LF_EBADFILE, "'%s' accepted", bad[k]);
  LF_CHECK(lf_rle_decode("", 7, 5, m, "e") == LF_OK && !memchr(m, 1, 35));
  LF_CHECK(lf_rle_decode("1 1 35 1", 7, 5, m, "c") == LF_OK && m[0] == 1 && m[34] == 1 && m[1] == 0);
  LF_CHECK(lf_rle_decode("2 1", 7, 5, m, "c") == LF_OK && m[7] == 1); /* column-major: (x0,y1) */
}

int main(void) {
  const char *tmp = getenv("LF_TMP");
  py = getenv("LF_PYTHON");
  if (!tmp) tmp = "/tmp";
  if (!py) py = "/usr/bin/python3";
  snprintf(dir, sizeof dir, "%s/data_csv.%d", tmp, (int)getpid());
  lf_mkdirs(dir);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "%s -c 'import numpy' 2>/dev/null", py);
  if (system(cmd) != 0) {
    printf("skip: %s lacks numpy\n", py);
    return 77;
  }
  LF_RUN(csv_edge_cases);
  LF_RUN(csv_vs_python);
  LF_RUN(rle_vs_numpy);
  return lf_test_summary();
}
