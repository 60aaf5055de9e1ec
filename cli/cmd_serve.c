/* leapfrog serve: the offline web service and page (src/serve/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leapfrog/lf_serve.h"
#include "serve/serve_parse.h"

static void serve_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog serve --model [NAME=]MODEL.tflite [--model ...] [options]\n"
          "Serves the models over HTTP for a clinic's local network: a page at / to pick an image and see\n"
          "the findings (or the mask) and a heatmap, and a JSON API:\n"
          "  POST /api/v1/predict[?model=NAME][&explain=FINDING|top]  body: image/png, image/jpeg,\n"
          "       application/dicom, or a multipart/form-data upload -> findings, flags, timings\n"
          "  GET /api/v1/models, GET /healthz, GET /metrics (Prometheus text)\n"
          "  --model [NAME=]PATH  a .tflite to serve (repeatable, at most %d); NAME defaults to the file stem\n"
          "  --listen ADDR:PORT   default 127.0.0.1:8080 (this machine only); 0.0.0.0:8080 for the network\n"
          "  --workers N          worker threads, each with its own interpreter per model (default 2)\n"
          "  --threads N          runtime threads per interpreter (default 1)\n"
          "  --queue N            requests that may wait for a worker; more get 503 + Retry-After (default 16)\n"
          "  --max-upload BYTES   larger uploads get 413 (default 33554432)\n"
          "  --max-pixels N       images with more pixels (from the header, before decoding) get 413\n"
          "                       (default and most 33554432, what the image readers decode)\n"
          "  --timeout S          a request's whole life: upload, wait and run (default 30)\n"
          "  --idle-timeout S     a connection silent this long is closed (default 10)\n"
          "  --max-connections N  open connections (default 64; half of them per client address)\n"
          "  --threshold P        operating point for findings the model's metadata gives none (default 0.5;\n"
          "                       `leapfrog convert --operating-points` records them, chosen on validation data)\n"
          "  --explain-grid N     occlusion cells per side for ?explain (default 8: 64 extra model runs)\n"
          "  --token-file FILE    require 'Authorization: Bearer TOKEN' (FILE's one line) on the API and /metrics\n"
          "  --tls-cert PEM --tls-key PEM   serve HTTPS (libmicrohttpd + GnuTLS)\n"
          "  --keep DIR           keep every upload and its answer in DIR (default: nothing is written or logged)\n"
          "  --port-file FILE     write the bound port there once listening (with --listen ADDR:0)\n"
          "  --quiet              no startup line\n"
          "SIGTERM or SIGINT: stop accepting, finish the requests in flight, exit 0.\n",
          LF_SERVE_MAX_MODELS);
}

static int num(const char *opt, const char *v, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double d = v ? strtod(v, &end) : 0;
  if (!v || errno || end == v || *end || !(d >= lo && d <= hi)) {
    fprintf(stderr, "leapfrog serve: %s '%s': want a number in [%g, %g]\n", opt, v ? v : "", lo, hi);
    return -1;
  }
  *out = d;
  return 0;
}

int cmd_serve(int argc, char **argv) {
  lf_serve_opts o;
  lf_serve_opts_default(&o);
  static char names[LF_SERVE_MAX_MODELS][64];
  double d;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      serve_usage(stdout);
      return 0;
    }
    if (!strcmp(a, "--quiet")) {
      o.quiet = 1;
      continue;
    }
    if (!v) {
      fprintf(stderr, "leapfrog serve: %s needs a value (or is unknown)\n", a);
      return 2;
    }
    i++;
    if (!strcmp(a, "--model")) {
      if (o.n_models == LF_SERVE_MAX_MODELS) {
        fprintf(stderr, "leapfrog serve: at most %d models\n", LF_SERVE_MAX_MODELS);
        return 2;
      }
      if (lf_serve_model_arg(v, names[o.n_models], sizeof names[0], &o.paths[o.n_models])) {
        fprintf(stderr, "leapfrog serve: --model '%s': the name must be 1-63 of A-Z a-z 0-9 . _ - (NAME=PATH)\n", v);
        return 2;
      }
      o.names[o.n_models] = names[o.n_models];
      o.n_models++;
    } else if (!strcmp(a, "--listen")) o.listen = v;
    else if (!strcmp(a, "--keep")) o.keep_dir = v;
    else if (!strcmp(a, "--token-file")) o.token_file = v;
    else if (!strcmp(a, "--tls-cert")) o.tls_cert = v;
    else if (!strcmp(a, "--tls-key")) o.tls_key = v;
    else if (!strcmp(a, "--port-file")) o.port_file = v;
    else if (!strcmp(a, "--workers")) { if (num(a, v, 1, 256, &d)) return 2; o.workers = (int)d; }
    else if (!strcmp(a, "--threads")) { if (num(a, v, 1, 64, &d)) return 2; o.threads = (int)d; }
    else if (!strcmp(a, "--queue")) { if (num(a, v, 0, 100000, &d)) return 2; o.queue = (int)d; }
    else if (!strcmp(a, "--max-upload")) { if (num(a, v, 1, 1 << 30, &d)) return 2; o.max_upload = (size_t)d; }
    else if (!strcmp(a, "--max-pixels")) { if (num(a, v, 1, 1 << 25, &d)) return 2; o.max_pixels = (unsigned long)d; }
    else if (!strcmp(a, "--timeout")) { if (num(a, v, 1, 3600, &d)) return 2; o.timeout_s = (int)d; }
    else if (!strcmp(a, "--idle-timeout")) { if (num(a, v, 1, 3600, &d)) return 2; o.idle_timeout_s = (int)d; }
    else if (!strcmp(a, "--max-connections")) { if (num(a, v, 1, 10000, &d)) return 2; o.max_connections = (int)d; }
    else if (!strcmp(a, "--threshold")) { if (num(a, v, 1e-6, 1 - 1e-6, &d)) return 2; o.threshold = d; }
    else if (!strcmp(a, "--explain-grid")) { if (num(a, v, 1, 64, &d)) return 2; o.explain_grid = (int)d; }
    else {
      fprintf(stderr, "leapfrog serve: unknown option %s\n", a);
      serve_usage(stderr);
      return 2;
    }
  }
  if (!o.n_models) {
    serve_usage(stderr);
    return 2;
  }
  if (!o.tls_cert != !o.tls_key) {
    fprintf(stderr, "leapfrog serve: --tls-cert and --tls-key go together\n");
    return 2;
  }
  lf_status st = lf_serve_run(&o);
  if (st) {
    fprintf(stderr, "leapfrog serve: %s\n", lf_last_error());
    return 1;
  }
  return 0;
}
