/* leapfrog bench MODEL.tflite [--threads N] [--isa NAME] [--runs N] [--warmup N]
 * [--peak-gmacs X] [--json] [--profile]
 * The runtime's bench command (runtime/include/lfrt_bench.h), the same as
 * `lfrt bench`: ms per image and per invoke, GMAC/s, arena, peak RSS, and
 * with --profile the time per op type, per kernel and the slowest nodes. */
#include "cli.h"
#include "lfrt_bench.h"

int cmd_bench(int argc, char **argv) { return lfrt_bench_main("leapfrog bench", argc, argv); }
