#include <stdio.h>
#include <string.h>

#include "cli.h"

/* `leapfrog info --arch NAME` describes a built-in architecture (cmd_info_arch.c);
 * `leapfrog info MODEL.tflite` describes a model file. */
int cmd_info(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--arch") || !strncmp(argv[i], "--arch=", 7)) return cmd_info_arch(argc, argv);
  fprintf(stderr, "leapfrog info MODEL.tflite: not implemented yet\n");
  return 1;
}
