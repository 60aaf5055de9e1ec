/* Interpreter: create (prepare + plan), I/O access, invoke. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp_internal.h"
#include "interp_qu8.h"
#include "lfrt_conv_gemm.h"
#include "lfrt_conv_igemm.h"

#define T(i) (&it->m->tensors[(i)])

static void *tdata(const lfrt_interp *it, int t) {
  if (t < 0) return NULL;
  if (T(t)->data) return (void *)T(t)->data;
  if (!it->arena || it->offset[t] < 0) return NULL;
  return it->arena + it->offset[t];
}

lfrt_status lfrt_interp_alloc(const lfrt_model *m, const lfrt_interp_options *opt, lfrt_interp **out,
                              lfrt_error *err) {
  *out = NULL;
  lfrt_interp *it = calloc(1, sizeof *it);
  if (!it) return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", m->source_name);
  it->m = m;
  it->threads = 1;
  int nt = m->ntensors > 0 ? m->ntensors : 1;
  it->nodes = calloc((size_t)(m->nops > 0 ? m->nops : 1), sizeof *it->nodes);
  it->offset = calloc((size_t)nt, sizeof *it->offset);
  it->first = calloc((size_t)nt, sizeof *it->first);
  it->last = calloc((size_t)nt, sizeof *it->last);
  lfrt_status st = LFRT_OK;
  if (!it->nodes || !it->offset || !it->first || !it->last) {
    st = lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", m->source_name);
    goto fail;
  }
  st = lfrt_isa_resolve(opt ? opt->isa : NULL, &it->isa, err);
  if (st) goto fail;
  *out = it;
  return LFRT_OK;
fail:
  lfrt_interp_free(it);
  return st;
}

lfrt_status lfrt_interp_create(const lfrt_model *m, const lfrt_interp_options *opt,
                               lfrt_interp **out, lfrt_error *err) {
  *out = NULL;
  if (!m) return lfrt_set_error(err, LFRT_EINVAL, "lfrt_interp_create: no model");
  lfrt_status st = lfrt_interp_model_refusal(m, err);
  if (st) return st;
  lfrt_interp *it;
  st = lfrt_interp_alloc(m, opt, &it, err);
  if (st) return st;
  for (int i = 0; i < m->nops; i++) {
    st = lfrt_interp_node_ready(it, i, err);
    if (st) goto fail;
    size_t sb = (it->nodes[i].scratch_bytes + 63) & ~(size_t)63;
    if (sb > it->scratch_stride) it->scratch_stride = sb;
  }
  st = lfrt_plan_arena(it, err);
  if (st) goto fail;
  if (!opt || !opt->external_arena) {
    size_t bytes = it->arena_bytes ? it->arena_bytes : 16;
    it->arena = malloc(bytes);
    if (!it->arena) {
      st = lfrt_set_error(err, LFRT_ENOMEM, "%s: cannot allocate a %zu-byte arena", m->source_name, bytes);
      goto fail;
    }
    memset(it->arena, 0, bytes);
    it->own_arena = 1;
  }
  st = lfrt_interp_set_threads(it, opt && opt->threads > 1 ? opt->threads : 1, err);
  if (st) goto fail;
  *out = it;
  return LFRT_OK;
fail:
  lfrt_interp_free(it);
  return st;
}

void lfrt_interp_free(lfrt_interp *it) {
  if (!it) return;
  if (it->pool) lfrt_pool_free(it->pool);
  if (it->nodes)
    for (int i = 0; i < it->m->nops; i++) lfrt_interp_free_node(&it->nodes[i]);
  free(it->nodes);
  free(it->offset);
  free(it->first);
  free(it->last);
  free(it->scratch_raw);
  if (it->own_arena) free(it->arena);
  free(it);
}

size_t lfrt_interp_arena_bytes(const lfrt_interp *it) { return it->arena_bytes; }

void lfrt_interp_get_stats(const lfrt_interp *it, lfrt_interp_stats *st) {
  memset(st, 0, sizeof *st);
  st->arena_bytes = it->arena_bytes;
  st->activation_bytes = it->act_bytes;
  st->state_bytes = it->state_bytes;
  st->ntensors_planned = it->nplanned;
  for (int t = 0; t < it->m->ntensors; t++)
    if (T(t)->data) st->weight_bytes += T(t)->bytes;
}

lfrt_status lfrt_interp_set_arena(lfrt_interp *it, void *arena, size_t bytes, lfrt_error *err) {
  if (!arena || bytes < it->arena_bytes || ((uintptr_t)arena & 15))
    return lfrt_set_error(err, LFRT_EINVAL, "%s: arena of %zu bytes at %p: need %zu bytes, 16-byte aligned",
                          it->m->source_name, bytes, arena, it->arena_bytes);
  if (it->own_arena) free(it->arena);
  it->arena = arena;
  it->own_arena = 0;
  return LFRT_OK;
}

lfrt_status lfrt_interp_set_threads(lfrt_interp *it, int threads, lfrt_error *err) {
  if (threads < 1 || threads > 64)
    return lfrt_set_error(err, LFRT_EINVAL, "%s: %d threads (want 1..64)", it->m->source_name, threads);
  if (it->pool) {
    lfrt_pool_free(it->pool);
    it->pool = NULL;
  }
  it->threads = 1;
  /* per-thread kernel scratch (im2col rows), 64-byte aligned */
  free(it->scratch_raw);
  it->scratch_raw = NULL;
  it->scratch = NULL;
  if (it->scratch_stride) {
    size_t bytes = it->scratch_stride * (size_t)threads + 64;
    it->scratch_raw = malloc(bytes);
    if (!it->scratch_raw)
      return lfrt_set_error(err, LFRT_ENOMEM, "%s: cannot allocate %zu bytes of kernel scratch", it->m->source_name, bytes);
    it->scratch = (unsigned char *)(((uintptr_t)it->scratch_raw + 63) & ~(uintptr_t)63);
  }
  if (threads > 1) {
    lfrt_status st = lfrt_pool_create(threads, &it->pool);
    if (st) return lfrt_set_error(err, st, "%s: cannot start %d threads", it->m->source_name, threads);
    it->threads = threads;
  }
  return LFRT_OK;
}

/* ---- running one node ------------------------------------------------------------- */
void lfrt_interp_run_node(lfrt_interp *it, int i, int begin, int end, int t) {
  lfrt_node *n = &it->nodes[i];
  void *x = tdata(it, n->x), *w = n->w_copy ? n->w_copy : tdata(it, n->w);
  void *b = n->b_copy ? n->b_copy : tdata(it, n->b), *y = tdata(it, n->out);
  if (n->igemm) {
    void *scratch = it->scratch + (size_t)t * it->scratch_stride;
    const lfrt_conv_params *p = n->kind == K_FC_Q ? &n->geom : &n->p.conv;
    lfrt_qs8_conv_igemm_run(p, n->kind == K_TCONV_Q, n->igemm, n->packed, n->igemm_zero, x, y, begin, end, scratch);
    return;
  }
  if (n->gemm) {
    void *scratch = it->scratch + (size_t)t * it->scratch_stride;
    if (n->kind == K_FC_Q) lfrt_qs8_conv_gemm_run(&n->geom, 0, n->gemm, n->packed, x, y, begin, end, scratch);
    else lfrt_qs8_conv_gemm_run(&n->p.conv, n->kind == K_TCONV_Q, n->gemm, n->packed, x, y, begin, end, scratch);
    return;
  }
  switch (n->kind) {
  case K_CONV_Q: case K_DW_Q: case K_TCONV_Q: n->fn.qs8_conv(&n->p.conv, x, w, b, y, begin, end); break;
  case K_CONV_F: case K_DW_F: case K_TCONV_F: n->fn.f32_conv(&n->p.conv, x, w, b, y, begin, end); break;
  case K_FC_Q: n->fn.qs8_fc(&n->p.fc, x, w, b, y, begin, end); break;
  case K_FC_F: n->fn.f32_fc(&n->p.fc, x, w, b, y, begin, end); break;
  case K_AVG_Q: case K_MAX_Q: n->fn.qs8_pool(&n->p.pool, x, y, begin, end); break;
  case K_AVG_F: case K_MAX_F: n->fn.f32_pool(&n->p.pool, x, y, begin, end); break;
  case K_MEAN_Q: n->fn.qs8_mean(&n->p.mean, x, y, begin, end); break;
  case K_MEAN_F: n->fn.f32_mean(&n->p.mean, x, y, begin, end); break;
  case K_ADD_Q: case K_MUL_Q: case K_ADD_TFL_Q: case K_MUL_TFL_Q: n->fn.qs8_binary(&n->p.bin, x, w, y, begin, end); break;
  case K_ADD_F: case K_MUL_F: n->fn.f32_binary(&n->p.bin, x, w, y, begin, end); break;
  case K_CONCAT: n->fn.concat(&n->p.concat, n->in_ptrs, y, begin, end); break;
  case K_PAD: n->fn.pad(&n->p.pad, x, y, begin, end); break;
  case K_COPY:
    if (begin < end && x != y) memmove(y, x, n->copy_bytes);
    break;
  case K_RNN_Q: case K_RBL11_Q: n->fn.qs8_resize(&n->p.resize, x, y, begin, end); break;
  case K_RNN_F: case K_RBL_F: n->fn.f32_resize(&n->p.resize, x, y, begin, end); break;
  case K_LUT_Q: n->fn.lut(n->lut, x, y, begin, end); break;
  case K_SOFTMAX_Q: n->fn.qs8_softmax(&n->p.softmax, x, y, begin, end); break;
  case K_SOFTMAX_F: n->fn.f32_softmax(&n->p.softmax, x, y, begin, end); break;
  case K_LOGISTIC_F: case K_CLAMP_F: case K_TANH_F: case K_EXP_F: case K_RSQRT_F: case K_LRELU_F: case K_HSWISH_F:
    n->fn.f32_unary(&n->p.un, x, y, begin, end);
    break;
  case K_SUB_F: case K_DIV_F: case K_MAXIMUM_F: case K_MINIMUM_F: case K_SQDIFF_F: case K_PRELU_F:
    n->fn.f32_binary(&n->p.bin, x, w, y, begin, end);
    break;
  case K_ARGMM_F: case K_ARGMM_S8: case K_ARGMM_U8: n->fn.arg_minmax(&n->p.argmm, x, y, begin, end); break; /* math ops */
  case K_SUB_Q: case K_MAXIMUM_Q: case K_MINIMUM_Q: case K_SUB_TFL_Q: n->fn.qs8_binary(&n->p.bin, x, w, y, begin, end); break;
  case K_L2NORM_F: n->fn.f32_l2norm(&n->p.l2norm, x, y, begin, end); break;
  case K_L2NORM_Q: n->fn.qs8_l2norm(&n->p.l2norm, x, y, begin, end); break;
  /* batch matmul etc. */
  case K_BMM_F: n->fn.f32_bmm(&n->p.bmm, x, w, y, begin, end); break;
  case K_BMM_Q: n->fn.qs8_bmm(&n->p.bmm, x, w, y, begin, end); break;
  case K_SQDIFF_Q: case K_PRELU_Q: n->fn.qs8_binary(&n->p.bin, x, w, y, begin, end); break;
  case K_QUANTIZE_F: n->fn.quantize(&n->p.un, x, y, begin, end); break;
  case K_DEQUANTIZE: n->fn.dequantize(&n->p.un, x, y, begin, end); break;
  case K_FOLDED: break; /* its output is a constant computed at load */
  /* shape ops */
  case K_MOVE:
    for (int k = 0; k < n->nmove; k++)
      n->fn.move(&n->moves[k], tdata(it, n->move_io[2 * k]), tdata(it, n->move_io[2 * k + 1]), begin, end);
    break;
  case K_GATHER: n->fn.gather(&n->p.gather, x, w, y, begin, end); break;
  /* movenet */
  case K_CAST: n->fn.cast(&n->p.cast, x, y, begin, end); break;
  case K_FLOORDIV_F: n->fn.f32_binary(&n->p.bin, x, w, y, begin, end); break;
  case K_FLOORDIV_S32: case K_ADD_S32: case K_SUB_S32: case K_MUL_S32: n->fn.s32_binary(&n->p.bin, x, w, y, begin, end); break;
  case K_SQRT_F: n->fn.f32_unary(&n->p.un, x, y, begin, end); break;
  case K_GATHER_ND: n->fn.gather_nd(&n->p.gnd, x, w, y, begin, end); break;
  /* uint8 */
  case K_U8: lfrt_qu8_run_node(n, x, w, b, y, begin, end); break;
  }
}

typedef struct {
  lfrt_interp *it;
  int node;
} job;

static void run_slice(void *ctx, int t, int nthreads) {
  job *j = ctx;
  int work = j->it->nodes[j->node].work;
  int begin = (int)((int64_t)work * t / nthreads), end = (int)((int64_t)work * (t + 1) / nthreads);
  if (begin < end) lfrt_interp_run_node(j->it, j->node, begin, end, t);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static lfrt_status invoke(lfrt_interp *it, double *seconds, lfrt_node_hook after, void *ctx, lfrt_error *err) {
  if (!it->arena) return lfrt_set_error(err, LFRT_EINVAL, "%s: invoke without an arena (call lfrt_interp_set_arena)", it->m->source_name);
  for (int i = 0; i < it->m->nops; i++) {
    double t0 = seconds ? now_s() : 0;
    lfrt_node *n = &it->nodes[i];
    if (n->kind == K_CONCAT)
      for (int k = 0; k < n->nin; k++) n->in_ptrs[k] = tdata(it, n->in_tensors[k]);
    if (n->kind == K_GATHER) { /* shape ops: indices computed at run time are checked first */
      lfrt_status st = lfrt_gather_check(it, i, tdata(it, n->w), err);
      if (st) return st;
    }
    if (n->kind == K_GATHER_ND || n->kind == K_FLOORDIV_F || n->kind == K_FLOORDIV_S32 || n->kind == K_CAST) { /* movenet */
      lfrt_status st = n->kind == K_GATHER_ND ? lfrt_gather_nd_check(it, i, tdata(it, n->w), err)
                       : n->kind == K_CAST    ? lfrt_cast_check(it, i, tdata(it, n->x), err)
                                              : lfrt_floor_div_check(it, i, tdata(it, n->w), err);
      if (st) return st;
    }
    if (it->pool && n->work > 1 && n->kind != K_COPY) {
      job j = {it, i};
      lfrt_pool_run(it->pool, run_slice, &j);
    } else {
      lfrt_interp_run_node(it, i, 0, n->work, 0);
    }
    if (seconds) seconds[i] += now_s() - t0;
    if (after) after(ctx, it, i);
  }
  return LFRT_OK;
}

lfrt_status lfrt_interp_invoke(lfrt_interp *it, lfrt_error *err) { return invoke(it, NULL, NULL, NULL, err); }
lfrt_status lfrt_interp_invoke_profile(lfrt_interp *it, double *seconds, lfrt_error *err) {
  return invoke(it, seconds, NULL, NULL, err);
}
lfrt_status lfrt_interp_invoke_hook(lfrt_interp *it, lfrt_node_hook after, void *ctx, lfrt_error *err) {
  return invoke(it, NULL, after, ctx, err);
}
const void *lfrt_interp_tensor_data(const lfrt_interp *it, int t) {
  return t >= 0 && t < it->m->ntensors ? tdata(it, t) : NULL;
}

const char *lfrt_interp_isa(const lfrt_interp *it) { return lfrt_isa_name(it->isa); }
const char *lfrt_interp_node_kernel(const lfrt_interp *it, int i) {
  return i >= 0 && i < it->m->nops ? it->nodes[i].kernel : NULL;
}
long long lfrt_interp_node_macs(const lfrt_interp *it, int i) {
  return i >= 0 && i < it->m->nops ? it->nodes[i].macs : 0;
}

/* ---- I/O -------------------------------------------------------------------------- */
int lfrt_interp_input_count(const lfrt_interp *it) { return it->m->ninputs; }
int lfrt_interp_output_count(const lfrt_interp *it) { return it->m->noutputs; }
const lfrt_tensor *lfrt_interp_input(const lfrt_interp *it, int i) {
  return i >= 0 && i < it->m->ninputs ? T(it->m->inputs[i]) : NULL;
}
const lfrt_tensor *lfrt_interp_output(const lfrt_interp *it, int i) {
  return i >= 0 && i < it->m->noutputs ? T(it->m->outputs[i]) : NULL;
}
void *lfrt_interp_input_data(lfrt_interp *it, int i) {
  if (i < 0 || i >= it->m->ninputs || T(it->m->inputs[i])->data) return NULL;
  return tdata(it, it->m->inputs[i]);
}
const void *lfrt_interp_output_data(const lfrt_interp *it, int i) {
  return i >= 0 && i < it->m->noutputs ? tdata(it, it->m->outputs[i]) : NULL;
}
int lfrt_interp_input_index(const lfrt_interp *it, const char *name) {
  for (int i = 0; i < it->m->ninputs; i++)
    if (name && !strcmp(T(it->m->inputs[i])->name, name)) return i;
  return -1;
}
int lfrt_interp_output_index(const lfrt_interp *it, const char *name) {
  for (int i = 0; i < it->m->noutputs; i++)
    if (name && !strcmp(T(it->m->outputs[i])->name, name)) return i;
  return -1;
}
lfrt_status lfrt_interp_set_input(lfrt_interp *it, int i, const void *data, size_t bytes, lfrt_error *err) {
  void *dst = lfrt_interp_input_data(it, i);
  if (!dst) return lfrt_set_error(err, LFRT_EINVAL, "%s: no writable input %d", it->m->source_name, i);
  const lfrt_tensor *t = lfrt_interp_input(it, i);
  if (bytes != t->bytes)
    return lfrt_set_error(err, LFRT_EINVAL, "%s: input %d '%s' takes %zu bytes, got %zu", it->m->source_name, i, t->name, t->bytes, bytes);
  memcpy(dst, data, bytes);
  return LFRT_OK;
}
lfrt_status lfrt_interp_get_output(const lfrt_interp *it, int i, void *data, size_t bytes, lfrt_error *err) {
  const void *src = lfrt_interp_output_data(it, i);
  if (!src) return lfrt_set_error(err, LFRT_EINVAL, "%s: no output %d", it->m->source_name, i);
  const lfrt_tensor *t = lfrt_interp_output(it, i);
  if (bytes != t->bytes)
    return lfrt_set_error(err, LFRT_EINVAL, "%s: output %d '%s' has %zu bytes, buffer %zu", it->m->source_name, i, t->name, t->bytes, bytes);
  memcpy(data, src, bytes);
  return LFRT_OK;
}

long lfrt_interp_tensor_offset(const lfrt_interp *it, int t) {
  return t >= 0 && t < it->m->ntensors ? it->offset[t] : -1;
}
void lfrt_interp_tensor_lifetime(const lfrt_interp *it, int t, int *first, int *last) {
  *first = *last = -2;
  if (t < 0 || t >= it->m->ntensors || it->offset[t] < 0) return;
  *first = it->first[t];
  *last = it->last[t];
}

lfrt_status lfrt_interp_plan_bytes(const lfrt_model *m, size_t *arena_bytes, lfrt_error *err) {
  lfrt_interp_options o = {.threads = 1, .external_arena = 1};
  lfrt_interp *it;
  lfrt_status st = lfrt_interp_create(m, &o, &it, err);
  if (st) return st;
  *arena_bytes = it->arena_bytes;
  lfrt_interp_free(it);
  return LFRT_OK;
}
