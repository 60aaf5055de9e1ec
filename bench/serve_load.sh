#!/bin/sh
# Loopback load test of `leapfrog serve`:  bench/serve_load.sh MODEL.tflite IMAGE [N] [CLIENTS]
# Starts the server (2 workers, queue = CLIENTS), sends N predict requests from
# CLIENTS threads (one connection per request), prints req/s, p50/p99 latency,
# peak RSS and the statuses (all 200 expected); then the same with 4x the
# clients against a queue of 1 (503 + Retry-After expected for the excess).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1 image=$2 n=${3:-400} c=${4:-8}
leapfrog=${LEAPFROG:-$root/build/leapfrog}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONPATH="$root/tests/serve" python3 - "$leapfrog" "$model" "$image" "$n" "$c" "$tmp" <<'PY'
import sys
from serve_util import Server, load, pct
lf, model, image, n, c, tmp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
body = open(image, "rb").read()
ctype = "image/png" if body[:4] == b"\x89PNG" else "image/jpeg" if body[:2] == b"\xff\xd8" else "application/octet-stream"
for clients, queue in ((c, c), (4 * c, 1)):
    s = Server(lf, [model], tmp, "--workers", "2", "--queue", str(queue), quiet=False)
    st, lat, secs = load(s, body, ctype, n, clients)
    print("clients %3d, queue %3d: %d requests in %.1f s = %.1f req/s; latency p50 %.1f ms, p99 %.1f ms; "
          "peak RSS %.1f MiB; ready in %s ms; statuses %s"
          % (clients, queue, n, secs, n / secs, 1e3 * pct(lat, 50), 1e3 * pct(lat, 99), s.rss_peak_kb() / 1024,
             s.ready_ms, {k: st.count(k) for k in sorted(set(st))}))
    s.stop()
PY
