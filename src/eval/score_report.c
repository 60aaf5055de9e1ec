/* `leapfrog score --report`: the study report's renderer (report_write.c) on
 * one model's metrics, with its --compare as the one comparison. */
#include <string.h>
#include <time.h>

#include "eval/report_internal.h"
#include "eval/score_internal.h"
#include "lfrt_isa.h"

lf_status lf_score_write_report(const char *path, const cJSON *m) {
  lf_report r;
  memset(&r, 0, sizeof r);
  r.min_positives = 10;
  time_t now = time(NULL);
  strftime(r.created, sizeof r.created, "%Y-%m-%d %H:%M UTC", gmtime(&now));
  r.isa = lfrt_isa_name(lfrt_isa_best());
  int chest = !strcmp(lf_rj_str(m, "task"), "chestxray14");
  lf_report_task *t = chest ? &r.chest : &r.nerve;
  t->present = 1;
  t->n_models = 1;
  lf_report_model *md = &t->model[0];
  md->name = lf_rj_str(m, "predictions");
  md->color = "#c0392b";
  md->m = (cJSON *)m;
  md->stats = lf_rj_get(m, "latency");
  md->model_bytes = lf_rj_num(md->stats, "model_bytes");
  const cJSON *cmp = lf_rj_get(m, "compare");
  if (cmp) {
    t->n_cmp = 1;
    t->cmp[0].title = "Compared with a second model on the same images";
    t->cmp[0].why = "Paired differences: this model minus the other (--compare).";
    t->cmp[0].other = lf_rj_str(cmp, "predictions");
    t->cmp[0].m = (cJSON *)m;
  }
  return lf_report_write(path, &r);
}
