#include <stdio.h>

#include "cli.h"

int cmd_score(int argc, char **argv) {
  (void)argc;
  fprintf(stderr, "leapfrog %s: not implemented yet\n", argv[0]);
  return 1;
}
