/* Reports from the metrics JSON: Markdown, or one self-contained HTML page
 * with inline SVG ROC curves. */
#include <math.h>
#include <string.h>

#include "eval/score_internal.h"
#include "leapfrog/lf_fileio.h"

lf_status lf_score_write_report(const char *path, const cJSON *m) {
  (void)m;
  return lf_error(LF_EUNSUPPORTED, "%s: reports are not written yet", path);
}
