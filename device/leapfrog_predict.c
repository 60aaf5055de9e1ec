/* leapfrog-predict: the device binary. `leapfrog predict` alone (the runtime,
 * image decoding, predictions writers; no training code), built for the
 * board: `make` natively (build/leapfrog-predict), `make cross-predict ARCH=aarch64|armv7`
 * with Debian's multiarch libraries. Same options and output bytes as
 * `leapfrog predict`. */
#include "cli.h"

int main(int argc, char **argv) { return cmd_predict(argc, argv); }
