#include <stdio.h>

#include "cli.h"

int cmd_info_arch(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "leapfrog info --arch: not implemented yet\n");
  return 1;
}
