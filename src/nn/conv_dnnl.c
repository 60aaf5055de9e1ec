/* conv2d / transposed conv2d forward, backward-data and backward-weights
 * through oneDNN's C API (libdnnl, OpenMP build). Activations stay NHWC;
 * weights stay in leapfrog's layout in the graph and are reordered into the
 * blocked layout oneDNN prefers on each call (cheap next to the conv), and
 * weight gradients are reordered back with a sum post-op (+=). */
#include "nn/conv_dnnl.h"

#include <dlfcn.h>
#include <dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_tensor.h"

/* libdnnl is loaded at first use (dlopen), not linked: its OpenMP runtime
 * (libgomp) reads OMP_WAIT_POLICY when it loads, and its default (threads
 * spin for milliseconds after each parallel region) steals the cores from
 * the engine's own thread pool and the data loader between convs. Unless
 * the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT, it is set to passive
 * first. Without libdnnl.so.2 every conv runs the reference. */
#define LF_DNNL_FUNCS(X) \
  X(dnnl_dilated_convolution_backward_data_desc_init) \
  X(dnnl_dilated_convolution_backward_weights_desc_init) \
  X(dnnl_dilated_convolution_forward_desc_init) \
  X(dnnl_dilated_deconvolution_backward_data_desc_init) \
  X(dnnl_dilated_deconvolution_backward_weights_desc_init) \
  X(dnnl_dilated_deconvolution_forward_desc_init) \
  X(dnnl_engine_create) \
  X(dnnl_engine_destroy) \
  X(dnnl_memory_create) \
  X(dnnl_memory_desc_equal) \
  X(dnnl_memory_desc_get_size) \
  X(dnnl_memory_desc_init_by_strides) \
  X(dnnl_memory_desc_init_by_tag) \
  X(dnnl_memory_destroy) \
  X(dnnl_memory_set_data_handle) \
  X(dnnl_post_ops_append_sum) \
  X(dnnl_post_ops_create) \
  X(dnnl_post_ops_destroy) \
  X(dnnl_primitive_attr_create) \
  X(dnnl_primitive_attr_destroy) \
  X(dnnl_primitive_attr_set_post_ops) \
  X(dnnl_primitive_attr_set_scratchpad_mode) \
  X(dnnl_primitive_create) \
  X(dnnl_primitive_desc_create) \
  X(dnnl_primitive_desc_destroy) \
  X(dnnl_primitive_desc_query) \
  X(dnnl_primitive_desc_query_md) \
  X(dnnl_primitive_destroy) \
  X(dnnl_primitive_execute) \
  X(dnnl_reorder_primitive_desc_create) \
  X(dnnl_stream_create) \
  X(dnnl_stream_wait)
static struct {
#define X(f) __typeof__(&f) f;
  LF_DNNL_FUNCS(X)
#undef X
  int (*omp_get_max_threads)(void);
  void (*omp_set_num_threads)(int);
} api;

typedef struct {
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t p;
  dnnl_memory_t sp; /* its scratchpad (handle set at run) or NULL */
  size_t sp_bytes;
} prim_t;

enum { M_X, M_Y, M_W, M_B, M_WF, M_WD, M_DW, M_DWU, M_DB, M_DXS, M_DX, M_COUNT };

struct lf_conv_engine {
  lf_conv_shape s;
  int fwd_ready, bwd_ready;
  int unsupported; /* oneDNN refused s (the caller runs the reference) */
  dnnl_memory_desc_t x_md, y_md, w_md, b_md, wf_md, wd_md, dw_md, db_md;
  prim_t fwd, bwd_d, bwd_w, r_wf, r_wd, r_dw, r_dx;
  dnnl_memory_t mem[M_COUNT];
  char impl[192];
};

/* ---- process-wide state: engine, stream, shared buffers ------------------ */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t eng;
static dnnl_stream_t strm;
static int plain_weights = -1; /* LF_CONV_WEIGHTS=plain: no blocked weights (for measuring) */
enum { B_SCRATCH, B_WF, B_WD, B_DW, B_DB, B_DX, B_COUNT };
static void *buf[B_COUNT];
static size_t buf_cap[B_COUNT];
static int backend = -1;

lf_conv_backend lf_conv_get_backend(void) {
  if (backend < 0) {
    const char *v = getenv("LF_CONV");
    backend = v && !strcmp(v, "ref") ? LF_CONV_REF : LF_CONV_DNNL;
  }
  return (lf_conv_backend)backend;
}
void lf_conv_set_backend(lf_conv_backend b) { backend = (int)b; }

static void *grow(int slot, size_t bytes) {
  if (bytes <= buf_cap[slot]) return buf[slot];
  size_t cap = (bytes + 4095) & ~(size_t)4095;
  void *p = NULL;
  if (posix_memalign(&p, 64, cap)) return NULL;
  free(buf[slot]);
  buf[slot] = p;
  buf_cap[slot] = cap;
  return p;
}

static lf_status load_api(void) {
  static int state; /* 0: not tried, 1: loaded, -1: unavailable */
  if (state) return state > 0 ? LF_OK : lf_error(LF_EUNSUPPORTED, "oneDNN unavailable");
  state = -1;
  if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) setenv("OMP_WAIT_POLICY", "passive", 0);
  void *h = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) return lf_error(LF_EUNSUPPORTED, "oneDNN: %s", dlerror());
#define X(f) if (!(api.f = (__typeof__(api.f))dlsym(h, #f))) return lf_error(LF_EUNSUPPORTED, "oneDNN: no %s", #f);
  LF_DNNL_FUNCS(X)
  X(omp_get_max_threads)
  X(omp_set_num_threads)
#undef X
  state = 1;
  return LF_OK;
}

static lf_status init_once(void) {
  if (eng) return LF_OK;
  lf_status ls = load_api();
  if (ls) return ls;
  if (api.dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success) {
    eng = NULL;
    return lf_error(LF_EUNSUPPORTED, "oneDNN: cannot create a CPU engine");
  }
  if (api.dnnl_stream_create(&strm, eng, dnnl_stream_default_flags) != dnnl_success) {
    api.dnnl_engine_destroy(eng);
    eng = NULL;
    return lf_error(LF_EUNSUPPORTED, "oneDNN: cannot create a stream");
  }
  const char *v = getenv("LF_CONV_WEIGHTS");
  plain_weights = v && !strcmp(v, "plain");
  return LF_OK;
}

static const char *dnnl_msg(dnnl_status_t st) {
  switch (st) {
    case dnnl_out_of_memory: return "out of memory";
    case dnnl_invalid_arguments: return "invalid arguments";
    case dnnl_unimplemented: return "no implementation for this shape";
    case dnnl_runtime_error: return "runtime error";
    default: return "error";
  }
}

/* oneDNN status -> lf_status: refusals become LF_EUNSUPPORTED (reference). */
static lf_status fail(dnnl_status_t st, const char *name, const char *what) {
  lf_status s = st == dnnl_out_of_memory ? LF_ENOMEM
                : st == dnnl_unimplemented || st == dnnl_invalid_arguments ? LF_EUNSUPPORTED
                                                                          : LF_EINVAL;
  return lf_error(s, "nn: %s: oneDNN %s: %s", name, what, dnnl_msg(st));
}

/* ---- descriptors ----------------------------------------------------------- */
static dnnl_status_t md_nhwc(dnnl_memory_desc_t *md, int n, int h, int w, int c) {
  dnnl_dims_t d = {n, c, h, w}, st = {(dnnl_dim_t)h * w * c, 1, (dnnl_dim_t)w * c, c};
  return api.dnnl_memory_desc_init_by_strides(md, 4, d, dnnl_f32, st);
}

/* oneDNN's logical weight dims: conv {O, C, kh, kw}; deconv {O, C, kh, kw}
 * too (O = its output); grouped: {G, O/G, C/G, kh, kw}. */
static int w_dims(const lf_conv_shape *s, dnnl_dims_t d) {
  int G = s->groups;
  if (G == 1) {
    d[0] = s->o, d[1] = s->c, d[2] = s->kh, d[3] = s->kw;
    return 4;
  }
  d[0] = G, d[1] = s->o / G, d[2] = s->c / G, d[3] = s->kh, d[4] = s->kw;
  return 5;
}

/* leapfrog's weights as strides over those dims:
 * conv [G][Og][kh][kw][Cg], transposed [G][Cg][kh][kw][Og]. */
static dnnl_status_t md_w_user(dnnl_memory_desc_t *md, const lf_conv_shape *s) {
  dnnl_dims_t d, st;
  int nd = w_dims(s, d), G = s->groups;
  dnnl_dim_t og = s->o / G, cg = s->c / G, kh = s->kh, kw = s->kw;
  dnnl_dim_t so, sc, sh, sw, sg;
  if (!s->transposed) {
    sc = 1, sw = cg, sh = kw * cg, so = kh * kw * cg, sg = og * so;
  } else {
    so = 1, sw = og, sh = kw * og, sc = kh * kw * og, sg = cg * sc;
  }
  if (nd == 4) {
    st[0] = so, st[1] = sc, st[2] = sh, st[3] = sw;
  } else {
    st[0] = sg, st[1] = so, st[2] = sc, st[3] = sh, st[4] = sw;
  }
  return api.dnnl_memory_desc_init_by_strides(md, nd, d, dnnl_f32, st);
}

static dnnl_status_t md_w_any(dnnl_memory_desc_t *md, const lf_conv_shape *s) {
  if (plain_weights) return md_w_user(md, s);
  dnnl_dims_t d;
  int nd = w_dims(s, d);
  return api.dnnl_memory_desc_init_by_tag(md, nd, d, dnnl_f32, dnnl_format_tag_any);
}

/* ---- primitives ------------------------------------------------------------ */
static void prim_free(prim_t *p) {
  if (p->p) api.dnnl_primitive_destroy(p->p);
  if (p->pd) api.dnnl_primitive_desc_destroy(p->pd);
  if (p->sp) api.dnnl_memory_destroy(p->sp);
  memset(p, 0, sizeof *p);
}

static dnnl_status_t user_scratch_attr(dnnl_primitive_attr_t *a, int sum) {
  dnnl_status_t st = api.dnnl_primitive_attr_create(a);
  if (st == dnnl_success) st = api.dnnl_primitive_attr_set_scratchpad_mode(*a, dnnl_scratchpad_mode_user);
  if (st == dnnl_success && sum) {
    dnnl_post_ops_t po;
    st = api.dnnl_post_ops_create(&po);
    if (st == dnnl_success) {
      st = api.dnnl_post_ops_append_sum(po, 1.0f);
      if (st == dnnl_success) st = api.dnnl_primitive_attr_set_post_ops(*a, po);
      api.dnnl_post_ops_destroy(po);
    }
  }
  return st;
}

/* Creates the primitive of p->pd and its scratchpad memory. */
static dnnl_status_t prim_finish(prim_t *p) {
  dnnl_status_t st = api.dnnl_primitive_create(&p->p, p->pd);
  if (st != dnnl_success) return st;
  const dnnl_memory_desc_t *spd = api.dnnl_primitive_desc_query_md(p->pd, dnnl_query_scratchpad_md, 0);
  p->sp_bytes = spd ? api.dnnl_memory_desc_get_size(spd) : 0;
  if (p->sp_bytes) return api.dnnl_memory_create(&p->sp, spd, eng, DNNL_MEMORY_NONE);
  return dnnl_success;
}

static dnnl_status_t op_pd(prim_t *p, const_dnnl_op_desc_t desc, const_dnnl_primitive_desc_t hint) {
  dnnl_primitive_attr_t a;
  dnnl_status_t st = user_scratch_attr(&a, 0);
  if (st != dnnl_success) return st;
  st = api.dnnl_primitive_desc_create(&p->pd, desc, a, eng, hint);
  api.dnnl_primitive_attr_destroy(a);
  if (st != dnnl_success) {
    p->pd = NULL;
    return st;
  }
  return prim_finish(p);
}

/* from -> to, to += from if sum; nothing (p->p NULL) if equal and !sum. */
static dnnl_status_t reorder(prim_t *p, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, int sum) {
  if (!sum && api.dnnl_memory_desc_equal(from, to)) return dnnl_success;
  dnnl_primitive_attr_t a;
  dnnl_status_t st = user_scratch_attr(&a, sum);
  if (st != dnnl_success) return st;
  st = api.dnnl_reorder_primitive_desc_create(&p->pd, from, eng, to, eng, a);
  api.dnnl_primitive_attr_destroy(a);
  if (st != dnnl_success) {
    p->pd = NULL;
    return st;
  }
  return prim_finish(p);
}

static dnnl_status_t mem_make(lf_conv_engine *e, int slot, const dnnl_memory_desc_t *md) {
  if (e->mem[slot]) return dnnl_success;
  return api.dnnl_memory_create(&e->mem[slot], md, eng, DNNL_MEMORY_NONE);
}

static void release(lf_conv_engine *e) {
  prim_t *ps[] = {&e->fwd, &e->bwd_d, &e->bwd_w, &e->r_wf, &e->r_wd, &e->r_dw, &e->r_dx};
  for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) prim_free(ps[i]);
  for (int i = 0; i < M_COUNT; i++)
    if (e->mem[i]) api.dnnl_memory_destroy(e->mem[i]), e->mem[i] = NULL;
  e->fwd_ready = e->bwd_ready = e->unsupported = 0;
  e->impl[0] = 0;
}

void lf_conv_engine_free(lf_conv_engine **e) {
  if (!e || !*e) return;
  pthread_mutex_lock(&mu);
  release(*e);
  pthread_mutex_unlock(&mu);
  free(*e);
  *e = NULL;
}

const char *lf_conv_engine_impl(const lf_conv_engine *e) { return e ? e->impl : ""; }

static void impl_append(lf_conv_engine *e, const prim_t *p) {
  const char *str = NULL;
  if (api.dnnl_primitive_desc_query(p->pd, dnnl_query_impl_info_str, 0, &str) != dnnl_success || !str) str = "?";
  size_t l = strlen(e->impl);
  snprintf(e->impl + l, sizeof e->impl - l, "%s%s", l ? " / " : "", str);
}

static int same_shape(const lf_conv_shape *a, const lf_conv_shape *b) { return !memcmp(a, b, sizeof *a); }

static lf_status build_fwd(lf_conv_engine *e, const char *name) {
  const lf_conv_shape *s = &e->s;
  dnnl_dims_t strides = {s->sh, s->sw}, dil = {s->dh - 1, s->dw - 1}, pl = {s->pt, s->pl}, pr = {s->pb, s->pr};
  dnnl_memory_desc_t wa;
  dnnl_dims_t bd = {s->o};
  dnnl_status_t st = md_nhwc(&e->x_md, s->n, s->h, s->w, s->c);
  if (st == dnnl_success) st = md_nhwc(&e->y_md, s->n, s->oh, s->ow, s->o);
  if (st == dnnl_success) st = md_w_user(&e->w_md, s);
  if (st == dnnl_success) st = md_w_any(&wa, s);
  if (st == dnnl_success) st = api.dnnl_memory_desc_init_by_tag(&e->b_md, 1, bd, dnnl_f32, dnnl_x);
  if (st != dnnl_success) return fail(st, name, "memory descriptors");
  const dnnl_memory_desc_t *bmd = s->bias ? &e->b_md : NULL;
  if (!s->transposed) {
    dnnl_convolution_desc_t d;
    st = api.dnnl_dilated_convolution_forward_desc_init(&d, dnnl_forward_training, dnnl_convolution_direct, &e->x_md,
                                                    &wa, bmd, &e->y_md, strides, dil, pl, pr);
    if (st == dnnl_success) st = op_pd(&e->fwd, &d, NULL);
  } else {
    dnnl_deconvolution_desc_t d;
    st = api.dnnl_dilated_deconvolution_forward_desc_init(&d, dnnl_forward_training, dnnl_deconvolution_direct,
                                                      &e->x_md, &wa, bmd, &e->y_md, strides, dil, pl, pr);
    if (st == dnnl_success) st = op_pd(&e->fwd, &d, NULL);
  }
  if (st != dnnl_success) return fail(st, name, "forward primitive");
  e->wf_md = *api.dnnl_primitive_desc_query_md(e->fwd.pd, dnnl_query_weights_md, 0);
  st = reorder(&e->r_wf, &e->w_md, &e->wf_md, 0);
  if (st == dnnl_success) st = mem_make(e, M_X, &e->x_md);
  if (st == dnnl_success) st = mem_make(e, M_Y, &e->y_md);
  if (st == dnnl_success) st = mem_make(e, M_W, &e->w_md);
  if (st == dnnl_success) st = mem_make(e, M_B, &e->b_md);
  if (st == dnnl_success) st = mem_make(e, M_WF, &e->wf_md);
  if (st != dnnl_success) return fail(st, name, "weight reorder");
  impl_append(e, &e->fwd);
  e->fwd_ready = 1;
  return LF_OK;
}

static lf_status build_bwd(lf_conv_engine *e, const char *name) {
  const lf_conv_shape *s = &e->s;
  dnnl_dims_t strides = {s->sh, s->sw}, dil = {s->dh - 1, s->dw - 1}, pl = {s->pt, s->pl}, pr = {s->pb, s->pr};
  dnnl_memory_desc_t wa;
  dnnl_status_t st = md_w_any(&wa, s);
  const dnnl_memory_desc_t *bmd = s->bias ? &e->b_md : NULL;
  if (st == dnnl_success && !s->transposed) {
    dnnl_convolution_desc_t dd, dw;
    st = api.dnnl_dilated_convolution_backward_data_desc_init(&dd, dnnl_convolution_direct, &e->x_md, &wa, &e->y_md,
                                                          strides, dil, pl, pr);
    if (st == dnnl_success) st = op_pd(&e->bwd_d, &dd, e->fwd.pd);
    if (st == dnnl_success)
      st = api.dnnl_dilated_convolution_backward_weights_desc_init(&dw, dnnl_convolution_direct, &e->x_md, &wa, bmd,
                                                               &e->y_md, strides, dil, pl, pr);
    if (st == dnnl_success) st = op_pd(&e->bwd_w, &dw, e->fwd.pd);
  } else if (st == dnnl_success) {
    dnnl_deconvolution_desc_t dd, dw;
    st = api.dnnl_dilated_deconvolution_backward_data_desc_init(&dd, dnnl_deconvolution_direct, &e->x_md, &wa,
                                                            &e->y_md, strides, dil, pl, pr);
    if (st == dnnl_success) st = op_pd(&e->bwd_d, &dd, e->fwd.pd);
    if (st == dnnl_success)
      st = api.dnnl_dilated_deconvolution_backward_weights_desc_init(&dw, dnnl_deconvolution_direct, &e->x_md, &wa,
                                                                 bmd, &e->y_md, strides, dil, pl, pr);
    if (st == dnnl_success) st = op_pd(&e->bwd_w, &dw, e->fwd.pd);
  }
  if (st != dnnl_success) return fail(st, name, "backward primitives");
  e->wd_md = *api.dnnl_primitive_desc_query_md(e->bwd_d.pd, dnnl_query_weights_md, 0);
  e->dw_md = *api.dnnl_primitive_desc_query_md(e->bwd_w.pd, dnnl_query_diff_weights_md, 0);
  if (s->bias) e->db_md = *api.dnnl_primitive_desc_query_md(e->bwd_w.pd, dnnl_query_diff_weights_md, 1);
  st = reorder(&e->r_wd, &e->w_md, &e->wd_md, 0);
  if (st == dnnl_success) st = reorder(&e->r_dw, &e->dw_md, &e->w_md, 1);
  if (st == dnnl_success) st = reorder(&e->r_dx, &e->x_md, &e->x_md, 1);
  if (st == dnnl_success) st = mem_make(e, M_WD, &e->wd_md);
  if (st == dnnl_success) st = mem_make(e, M_DW, &e->dw_md);
  if (st == dnnl_success) st = mem_make(e, M_DWU, &e->w_md);
  if (st == dnnl_success && s->bias) st = mem_make(e, M_DB, &e->db_md);
  if (st == dnnl_success) st = mem_make(e, M_DXS, &e->x_md);
  if (st == dnnl_success) st = mem_make(e, M_DX, &e->x_md);
  if (st != dnnl_success) return fail(st, name, "backward reorders");
  impl_append(e, &e->bwd_d);
  impl_append(e, &e->bwd_w);
  e->bwd_ready = 1;
  return LF_OK;
}

/* Gets *pe ready for shape s (forward, and backward if bwd). */
static lf_status prepare(lf_conv_engine **pe, const char *name, const lf_conv_shape *s, int bwd) {
  lf_status rs = init_once();
  if (rs) return rs;
  if (!*pe) {
    *pe = calloc(1, sizeof **pe);
    if (!*pe) return lf_error(LF_ENOMEM, "nn: %s: no memory for the conv engine", name);
  }
  lf_conv_engine *e = *pe;
  if (!same_shape(&e->s, s)) {
    release(e);
    e->s = *s;
  }
  if (e->unsupported) return lf_error(LF_EUNSUPPORTED, "nn: %s: oneDNN has no implementation", name);
  if (!e->fwd_ready) rs = build_fwd(e, name);
  if (!rs && bwd && !e->bwd_ready) rs = build_bwd(e, name);
  if (rs) { /* start clean next time; a refusal is remembered for this shape */
    release(e);
    e->unsupported = rs == LF_EUNSUPPORTED;
  }
  return rs;
}

static void set_threads(void) {
  int n = lf_get_threads();
  if (api.omp_get_max_threads() != n) api.omp_set_num_threads(n);
}

static lf_status run(prim_t *p, const char *name, int nargs, dnnl_exec_arg_t *args) {
  if (p->sp) {
    void *sp = grow(B_SCRATCH, p->sp_bytes);
    if (!sp) return lf_error(LF_ENOMEM, "nn: %s: no memory for a %zu-byte oneDNN scratchpad", name, p->sp_bytes);
    api.dnnl_memory_set_data_handle(p->sp, sp);
    args[nargs].arg = DNNL_ARG_SCRATCHPAD;
    args[nargs++].memory = p->sp;
  }
  dnnl_status_t st = api.dnnl_primitive_execute(p->p, strm, nargs, args);
  if (st == dnnl_success) st = api.dnnl_stream_wait(strm);
  return st == dnnl_success ? LF_OK : fail(st, name, "execution");
}

static lf_status run2(prim_t *p, const char *name, dnnl_memory_t from, dnnl_memory_t to) {
  dnnl_exec_arg_t a[3] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  return run(p, name, 2, a);
}

/* Points memory `slot` at ptr (a shared buffer when ptr is NULL and buf_slot >= 0). */
static lf_status bind(lf_conv_engine *e, const char *name, int slot, const void *ptr, int buf_slot,
                      const dnnl_memory_desc_t *md) {
  void *p = (void *)ptr;
  if (!p) {
    p = grow(buf_slot, api.dnnl_memory_desc_get_size(md));
    if (!p) return lf_error(LF_ENOMEM, "nn: %s: no memory for oneDNN buffers", name);
  }
  return api.dnnl_memory_set_data_handle(e->mem[slot], p) == dnnl_success ? LF_OK
                                                                        : lf_error(LF_EINVAL, "nn: %s: oneDNN handle", name);
}

lf_status lf_conv_dnnl_forward(lf_conv_engine **pe, const char *name, const lf_conv_shape *s, const float *x,
                               const float *w, const float *b, float *y) {
  if (lf_conv_get_backend() != LF_CONV_DNNL) return LF_EUNSUPPORTED;
  pthread_mutex_lock(&mu);
  lf_status rs = prepare(pe, name, s, 0);
  lf_conv_engine *e = *pe;
  if (!rs) {
    set_threads();
    rs = bind(e, name, M_X, x, -1, NULL);
    if (!rs) rs = bind(e, name, M_Y, y, -1, NULL);
    if (!rs) rs = bind(e, name, M_W, w, -1, NULL);
    if (!rs && s->bias) rs = bind(e, name, M_B, b, -1, NULL);
    dnnl_memory_t wm = e->mem[M_W];
    if (!rs && e->r_wf.p) {
      rs = bind(e, name, M_WF, NULL, B_WF, &e->wf_md);
      if (!rs) rs = run2(&e->r_wf, name, e->mem[M_W], e->mem[M_WF]);
      wm = e->mem[M_WF];
    }
    dnnl_exec_arg_t a[5] = {{DNNL_ARG_SRC, e->mem[M_X]}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, e->mem[M_Y]}};
    int na = 3;
    if (s->bias) a[na].arg = DNNL_ARG_BIAS, a[na++].memory = e->mem[M_B];
    if (!rs) rs = run(&e->fwd, name, na, a);
  }
  pthread_mutex_unlock(&mu);
  return rs;
}

lf_status lf_conv_dnnl_backward(lf_conv_engine **pe, const char *name, const lf_conv_shape *s, const float *x,
                                const float *w, const float *dy, float *dx, int dx_add, float *dw, float *db) {
  if (lf_conv_get_backend() != LF_CONV_DNNL) return LF_EUNSUPPORTED;
  pthread_mutex_lock(&mu);
  lf_status rs = prepare(pe, name, s, 1);
  lf_conv_engine *e = *pe;
  if (!rs) {
    set_threads();
    /* dL/dw into oneDNN's layout, then added into dw by the reorder */
    rs = bind(e, name, M_X, x, -1, NULL);
    if (!rs) rs = bind(e, name, M_Y, dy, -1, NULL);
    if (!rs) rs = bind(e, name, M_DW, NULL, B_DW, &e->dw_md);
    if (!rs) rs = bind(e, name, M_DWU, dw, -1, NULL);
    float *dbs = NULL;
    if (!rs && s->bias) {
      rs = bind(e, name, M_DB, NULL, B_DB, &e->db_md);
      dbs = buf[B_DB];
    }
    dnnl_exec_arg_t a[6] = {{DNNL_ARG_SRC, e->mem[M_X]}, {DNNL_ARG_DIFF_DST, e->mem[M_Y]},
                            {DNNL_ARG_DIFF_WEIGHTS, e->mem[M_DW]}};
    int na = 3;
    if (s->bias) a[na].arg = DNNL_ARG_DIFF_BIAS, a[na++].memory = e->mem[M_DB];
    if (!rs) rs = run(&e->bwd_w, name, na, a);
    if (!rs) rs = run2(&e->r_dw, name, e->mem[M_DW], e->mem[M_DWU]);
    if (!rs && s->bias && db)
      for (int k = 0; k < s->o; k++) db[k] += dbs[k];
    if (!rs && dx) {
      rs = bind(e, name, M_W, w, -1, NULL);
      dnnl_memory_t wm = e->mem[M_W];
      if (!rs && e->r_wd.p) {
        rs = bind(e, name, M_WD, NULL, B_WD, &e->wd_md);
        if (!rs) rs = run2(&e->r_wd, name, e->mem[M_W], e->mem[M_WD]);
        wm = e->mem[M_WD];
      }
      if (!rs) rs = bind(e, name, M_DX, dx, -1, NULL);
      if (!rs && dx_add) rs = bind(e, name, M_DXS, NULL, B_DX, &e->x_md);
      dnnl_exec_arg_t d[4] = {{DNNL_ARG_DIFF_DST, e->mem[M_Y]}, {DNNL_ARG_WEIGHTS, wm},
                              {DNNL_ARG_DIFF_SRC, e->mem[dx_add ? M_DXS : M_DX]}};
      if (!rs) rs = run(&e->bwd_d, name, 3, d);
      if (!rs && dx_add) rs = run2(&e->r_dx, name, e->mem[M_DXS], e->mem[M_DX]);
    }
  }
  pthread_mutex_unlock(&mu);
  return rs;
}
