#include "qat_harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lfrt_interp.h"
#include "lfrt_model.h"

float lf_qh_urand(uint64_t *state) {
  uint64_t s = *state;
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  *state = s;
  return (float)((s >> 40) * (1.0 / 16777216.0));
}

float lf_qh_nrand(uint64_t *state) {
  float u = lf_qh_urand(state) + 1e-7f, v = lf_qh_urand(state);
  return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}

void lf_qh_randomise_bn(lf_graph *g, uint64_t *state) {
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *p = lf_graph_param(g, i);
    const char *s = strrchr(p->name, '.');
    if (!s || lf_graph_node(g, p->node)->kind != LF_OP_BATCHNORM) continue;
    for (size_t k = 0; k < p->value.numel; k++) {
      if (!strcmp(s, ".weight")) p->value.data[k] = 0.5f + lf_qh_urand(state);
      else if (!strcmp(s, ".bias")) p->value.data[k] = 0.3f * lf_qh_nrand(state);
      else if (!strcmp(s, ".running_mean")) p->value.data[k] = 0.2f * lf_qh_nrand(state);
      else if (!strcmp(s, ".running_var")) p->value.data[k] = 0.5f + lf_qh_urand(state);
    }
  }
}

void lf_qh_grad_stats(lf_graph *g, int *finite, int *nonzero) {
  *finite = 1;
  *nonzero = 0;
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *p = lf_graph_param(g, i);
    for (size_t k = 0; k < p->grad.numel; k++) {
      *finite &= isfinite(p->grad.data[k]) != 0;
      *nonzero += p->grad.data[k] != 0.0f;
    }
  }
}

int lf_qh_run_runtime(const void *bytes, size_t len, const void *in, size_t in_bytes, void *out, size_t out_bytes) {
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  lfrt_error e;
  e.msg[0] = 0;
  int stage = 0;
  int ok = ++stage && lfrt_model_load(bytes, len, "converted", &m, &e) == LFRT_OK && ++stage &&
           lfrt_interp_create(m, NULL, &it, &e) == LFRT_OK && ++stage &&
           lfrt_interp_set_input(it, 0, in, in_bytes, &e) == LFRT_OK && ++stage && lfrt_interp_invoke(it, &e) == LFRT_OK &&
           ++stage && lfrt_interp_get_output(it, 0, out, out_bytes, &e) == LFRT_OK;
  if (!ok) fprintf(stderr, "runtime (stage %d): %s\n", stage, e.msg);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  return ok;
}

int lf_qh_write_file(const char *path, const void *b, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(b, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

int lf_qh_read_file(const char *path, void *b, size_t n) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t got = fread(b, 1, n, f);
  fclose(f);
  return got == n;
}

int lf_qh_run_litert(const char *dir, const char *tag, const void *bytes, size_t len, int n, const void *in,
                     size_t in_bytes, void *out, size_t out_bytes) {
  const char *oracle = getenv("LF_TFLITE_ORACLE");
  if (!oracle || !*oracle) return -1;
  char mp[700], ip[700], op[700];
  size_t cap = 1024 + (size_t)n * 1500;
  char *cmd = malloc(cap);
  if (!cmd) return 0;
  snprintf(mp, sizeof mp, "%s/%s.tflite", dir, tag);
  if (!lf_qh_write_file(mp, bytes, len)) return free(cmd), 0;
  size_t used = (size_t)snprintf(cmd, cap, "'%s' '%s'", oracle, mp);
  for (int k = 0; k < n; k++) {
    snprintf(ip, sizeof ip, "%s/%s.%d.in", dir, tag, k);
    snprintf(op, sizeof op, "%s/%s.%d.out", dir, tag, k);
    if (!lf_qh_write_file(ip, (const char *)in + (size_t)k * in_bytes, in_bytes)) return free(cmd), 0;
    used += (size_t)snprintf(cmd + used, cap - used, " '%s' '%s'", ip, op);
  }
  snprintf(cmd + used, cap - used, " > /dev/null");
  int rc = system(cmd);
  free(cmd);
  if (rc != 0) {
    fprintf(stderr, "LiteRT oracle failed on %s (rc %d)\n", tag, rc);
    return (WIFEXITED(rc) && (WEXITSTATUS(rc) == 127 || WEXITSTATUS(rc) == 126)) ? -1 : 0;
  }
  for (int k = 0; k < n; k++) {
    snprintf(op, sizeof op, "%s/%s.%d.out", dir, tag, k);
    if (!lf_qh_read_file(op, (char *)out + (size_t)k * out_bytes, out_bytes)) return 0;
  }
  return 1;
}

int lf_qh_mkdtemp(char *dir, size_t cap, const char *name) {
  const char *tmp = getenv("LF_TMP");
  snprintf(dir, cap, "%s/%s.XXXXXX", tmp ? tmp : "/tmp", name);
  return mkdtemp(dir) != NULL;
}

int lf_qh_finish(const char *dir, int rc, int litert_missing, int litert_ran) {
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) {}
  if (rc == 0 && litert_missing && !litert_ran) {
    printf("skip: LiteRT oracle missing (LF_TFLITE_ORACLE)\n");
    return 77;
  }
  return rc;
}
