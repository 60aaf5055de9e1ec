/* leapfrog invoke MODEL.tflite --input IN.bin[,IN2.bin] --output OUT.bin
 * [--repeat N] [--threads N] [--isa NAME] [--json]
 * The runtime's invoke command (runtime/include/lfrt_invoke.h), the same as
 * `lfrt invoke`, with the toolkit's file access: the bounded reader, the
 * atomic writer (temp names that fit NAME_MAX, stale temp files removed) and
 * the output guard of every other command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_fileio.h"
#include "lfrt_invoke.h"

static int read_file(const char *path, unsigned char **data, size_t *len, char *msg, size_t msg_len) {
  if (lf_read_file(path, 0, data, len) == LF_OK) return 0;
  snprintf(msg, msg_len, "%s", lf_last_error());
  return -1;
}

static int write_file(const char *path, const void *data, size_t len, char *msg, size_t msg_len) {
  if (lf_write_file_atomic(path, data, len) == LF_OK) return 0;
  snprintf(msg, msg_len, "%s", lf_last_error());
  return -1;
}

static int guard(const char *prog, const char *output, const char *model, const char *inputs) {
  (void)prog; /* lf_cli_guard_outputs names the command itself */
  char *list = strdup(inputs);
  lf_cli_path ins[66] = {{"MODEL", model}};
  int n = 1;
  for (char *save = NULL, *tok = list ? strtok_r(list, ",", &save) : NULL; tok && n < 65;
       tok = strtok_r(NULL, ",", &save))
    ins[n++] = (lf_cli_path){"--input", tok};
  ins[n] = (lf_cli_path){NULL, NULL};
  const lf_cli_path outs[] = {{"--output", output}, {NULL, NULL}};
  int g = lf_cli_guard_outputs("invoke", outs, ins, NULL);
  free(list);
  return g;
}

int cmd_invoke(int argc, char **argv) {
  static const lfrt_invoke_io io = {read_file, write_file, guard};
  return lfrt_invoke_main("leapfrog invoke", argc, argv, &io);
}
