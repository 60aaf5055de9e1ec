/* Checkpoints: safetensors files a PyTorch user can load as a state_dict.
 *
 * Tensors:
 *   <torch name>              every parameter and buffer of the model, torch
 *                             layouts: conv weight OIHW [out][in][kh][kw],
 *                             transposed conv [in][out][kh][kw], Linear
 *                             [out][in]; F32, num_batches_tracked I64 scalar.
 *   optim.<param>.<slot>      optimiser state (lf_optim.h slots: exp_avg,
 *                             exp_avg_sq, momentum_buffer), same layout as the param.
 *   qat.* / ext.*             free for extensions (QAT ranges...): ignored by
 *                             lf_ckpt_load_model.
 * __metadata__ (strings):
 *   format            "pt"
 *   leapfrog.arch     "densenet121" | "unet"
 *   leapfrog.config   model config JSON (lf_model_config_to_json)
 *   leapfrog.optim    {"kind":"adam","lr":..,"steps":..,...} (when saved with an optimiser)
 *   leapfrog.train    trainer state JSON (epoch, step, RNG, best metric, schedule; lf_trainer.h)
 *   any other key     extensions (e.g. "leapfrog.qat"), kept verbatim.
 * A file with ONLY a torchvision state_dict (no metadata) loads when the
 * caller supplies the config (--arch ...). */
#ifndef LF_CHECKPOINT_H
#define LF_CHECKPOINT_H
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_optim.h"
#include "leapfrog/lf_safetensors.h"

/* Writer side, for callers that add their own tensors/metadata before
 * lf_st_writer_save (QAT: call these, then lf_st_writer_add "qat.*" and
 * lf_st_writer_meta "leapfrog.qat", then save). */
lf_status lf_ckpt_add_model(lf_st_writer *w, lf_model *m);
lf_status lf_ckpt_add_optim(lf_st_writer *w, lf_optim *o);
lf_status lf_ckpt_add_config(lf_st_writer *w, const lf_model_config *c);

/* Extension hook called before the file is written. */
typedef lf_status (*lf_ckpt_hook)(void *ctx, lf_st_writer *w);

/* Model + config (+ optimiser if o) (+ "leapfrog.train" if train_json) (+ hook),
 * written atomically. */
lf_status lf_ckpt_save(const char *path, lf_model *m, lf_optim *o, const char *train_json,
                       lf_ckpt_hook hook, void *hook_ctx);

/* Reader side (f from lf_st_open). LF_ENOTFOUND if the file has no
 * leapfrog.config metadata (a bare torch state_dict). */
lf_status lf_ckpt_read_config(const lf_st_file *f, lf_model_config *c);
/* Copies every parameter and buffer of m from f (converting layouts). Every
 * one must be present with its torch shape; a model-looking tensor the graph
 * does not have is an error too (wrong config); optim./qat./ext. tensors are
 * skipped. Messages name the file and tensor. */
lf_status lf_ckpt_load_model(const lf_st_file *f, lf_model *m);
/* Restores optimiser state tensors, step count and learning rate
 * (LF_ENOTFOUND when the file has no optimiser state). */
lf_status lf_ckpt_load_optim(const lf_st_file *f, lf_optim *o);

/* The metadata schema, checked before anything is built from a file:
 * leapfrog.config (known arch, whole numbers in range, lf_model_config_check),
 * leapfrog.arch (known, agrees with the config), leapfrog.quant (bn_lowering
 * "depthwise" or "mul-add", method "qat"/"ptq", finite numbers),
 * leapfrog.qranges (finite, min < max, within +-1e6), leapfrog.optim (kind
 * sgd/adam/adamw, hyper-parameters in range), leapfrog.train (counts >= 0,
 * finite rates). Absent keys are fine; a bad one is LF_EBADFILE naming the
 * file, the key and the field. lf_ckpt_load runs it; tensors are checked as
 * they load (floating dtype for weights, integral for counters, all finite). */
lf_status lf_ckpt_check_meta(const lf_st_file *f);

/* Opens `path`, takes the config from its metadata (or `fallback` when it has
 * none; fallback NULL then fails), builds the model (seed 0) and loads it.
 * If f is not NULL the opened file is handed back (lf_st_close it). */
lf_status lf_ckpt_load(const char *path, const lf_model_config *fallback, lf_model *m, lf_st_file *f);

#endif
