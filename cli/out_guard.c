/* lf_cli_guard_outputs: the CLI's use of lf_guard_output (lf_fileio.h). */
#include <stdio.h>
#include <string.h>

#include "cli_guard.h"
#include "leapfrog/lf_fileio.h"

int lf_cli_guard_outputs(const char *cmd, const lf_cli_path *outs, const lf_cli_path *ins, const lf_cli_path *dirs) {
  for (const lf_cli_path *o = outs; o && o->flag; o++) {
    if (!o->path) continue;
    lf_status st = LF_OK;
    for (const lf_cli_path *i = ins; !st && i && i->flag; i++) st = lf_guard_output(o->flag, o->path, i->flag, i->path);
    for (const lf_cli_path *p = outs; !st && p < o; p++)
      if (p->path && (lf_same_file(o->path, p->path) || (!strcmp(o->path, "-") && !strcmp(p->path, "-"))))
        st = lf_error(LF_EINVAL, "%s %s is the same file as %s: each output needs its own path", o->flag, o->path,
                      p->flag);
    for (const lf_cli_path *d = dirs; !st && d && d->flag; d++)
      st = lf_guard_output_dir(o->flag, o->path, d->flag, d->path);
    if (st) {
      fprintf(stderr, "leapfrog %s: %s\n", cmd, lf_last_error());
      return 2;
    }
  }
  return 0;
}
