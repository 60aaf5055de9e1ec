/* leapfrog-serve: the clinic's box. `leapfrog serve` alone (the HTTP
 * service, the runtime, image and DICOM decoding; no training, quantisation
 * or BLAS code), built by `make` next to leapfrog-predict for a Raspberry Pi
 * or an old laptop. Same options and answers as `leapfrog serve`. */
#include "cli.h"

int main(int argc, char **argv) { return cmd_serve(argc, argv); }
