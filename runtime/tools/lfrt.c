/* lfrt: the runtime alone as one static command, for the device itself (copy
 * one file onto a Raspberry Pi or a Coral board's CPU).
 *
 *   lfrt invoke MODEL --input IN.bin[,IN2.bin] --output OUT.bin [--repeat N] [--threads N] [--isa NAME] [--json]
 *   lfrt bench MODEL [--threads N] [--isa NAME] [--runs N] [--warmup N] [--peak-gmacs X] [--json] [--profile]
 *   lfrt isa           the ISAs this CPU and build can run (space-separated)
 *   lfrt --version
 *
 * `lfrt invoke` is `leapfrog invoke` (cli/cmd_invoke.c): the same options,
 * files, messages, exit codes and bytes; `lfrt bench` is `leapfrog bench`
 * (both run lfrt_bench_main). Built from runtime/ only (C99, libc, libm). */
#include <stdio.h>
#include <string.h>

#include "lfrt.h"
#include "lfrt_bench.h"
#include "lfrt_invoke.h"
#include "lfrt_isa.h"

#ifndef LFRT_GIT_VERSION
#define LFRT_GIT_VERSION "unknown"
#endif
#if defined(__aarch64__)
#define LFRT_TARGET "aarch64"
#elif defined(__arm__)
#define LFRT_TARGET "armv7"
#elif defined(__x86_64__)
#define LFRT_TARGET "x86-64"
#else
#define LFRT_TARGET "unknown"
#endif

static void usage(FILE *f) {
  fprintf(f,
          "usage: lfrt COMMAND [ARGS]   (lfrt COMMAND --help for details)\n\n"
          "  invoke    run a .tflite model on raw input tensors (as leapfrog invoke)\n"
          "  bench     time a .tflite model: ms/image, GMAC/s, memory, per-op profile\n"
          "  isa       list the instruction sets this CPU can run kernels for\n"
          "  --version the build and this CPU's best ISA\n");
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("lfrt (libleapfrog-rt) git %s, %s; best ISA here: %s (available: %s)\n", LFRT_GIT_VERSION,
           LFRT_TARGET, lfrt_isa_name(lfrt_isa_best()), lfrt_isa_list());
    return 0;
  }
  if (!strcmp(argv[1], "isa")) {
    if (argc > 2) {
      fprintf(stderr, "usage: lfrt isa   (prints the ISAs this CPU can run, space-separated)\n");
      return 2;
    }
    printf("%s\n", lfrt_isa_list());
    return 0;
  }
  if (!strcmp(argv[1], "invoke")) return lfrt_invoke_main("lfrt invoke", argc - 1, argv + 1, NULL);
  if (!strcmp(argv[1], "bench")) return lfrt_bench_main("lfrt bench", argc - 1, argv + 1);
  fprintf(stderr, "lfrt: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
