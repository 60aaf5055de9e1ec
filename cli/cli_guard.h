/* Output guards for the CLI: a command never writes over one of its own inputs. */
#ifndef LF_CLI_GUARD_H
#define LF_CLI_GUARD_H

typedef struct {
  const char *flag; /* "--out", "MODEL", ... as the user typed it */
  const char *path; /* NULL: not given, skipped */
} lf_cli_path;

/* Each output against every input file (same device+inode, or same path when
 * it does not exist yet), every other output, and every input folder (an
 * existing file inside it). Lists end with a {NULL, NULL} entry; ins and dirs
 * may be NULL. Prints "leapfrog CMD: ..." naming both and returns 2 (a usage
 * error), or returns 0. */
int lf_cli_guard_outputs(const char *cmd, const lf_cli_path *outs, const lf_cli_path *ins, const lf_cli_path *dirs);

#endif
