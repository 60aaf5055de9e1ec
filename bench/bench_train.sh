#!/bin/sh
# Training throughput (images/s of forward + backward + Adam step, random data,
# loader excluded) of leapfrog beside PyTorch CPU with the same threads and
# batch, measured in the same run, alternating leapfrog and PyTorch ROUNDS times:
#   DenseNet-121 at 224x224 (batch 8) and the paper's UNet at 80x112 (batch 16).
# Each line: ms/image median [min-max] over the steps, img/s, MB; then per model the
# speed ratio leapfrog / PyTorch (> 1: leapfrog faster) of the pooled medians.
# env: LF_BUILD (build), THREADS (2), ITERS (5 timed steps after 1 warm-up), ROUNDS (2), LF_CONV=ref
#      (im2col + OpenBLAS convs instead of oneDNN),
#      DN_BATCH (8), UNET_BATCH (16), LF_PYTHON (/usr/bin/python3)
# Run it on a quiet machine: the numbers are wall-clock.
set -e
cd "$(dirname "$0")/.."
: "${LF_BUILD:=build}" "${THREADS:=2}" "${ITERS:=5}" "${ROUNDS:=2}" "${DN_BATCH:=8}" "${UNET_BATCH:=16}" "${LF_PYTHON:=/usr/bin/python3}"
bin=$LF_BUILD/bench/bench_train
[ -x "$bin" ] || { echo "build first: make BUILD=$LF_BUILD $bin"; exit 1; }
echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); threads $THREADS, $ITERS timed steps"

torch_run() {  # arch batch h w
  "$LF_PYTHON" - "$@" "$THREADS" "$ITERS" <<'PY'
import sys, time
sys.path.insert(0, "tests/oracles")
import torch, torch.nn.functional as F
arch, batch, h, w, threads, iters = sys.argv[1], *map(int, sys.argv[2:])
torch.set_num_threads(threads)
torch.manual_seed(0)
if arch == "densenet":
    import torchvision
    model, cin, classes = torchvision.models.densenet121(num_classes=14), 3, 14
else:
    from torch_densenet import UNet
    model, cin, classes = UNet(), 1, 1
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
x = torch.randn(batch, cin, h, w)
t = (torch.rand(batch, classes) if arch == "densenet" else torch.rand(batch, 1, h, w)) < 0.3
t = t.float()
times = []
for it in range(iters + 1):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = F.binary_cross_entropy_with_logits(model(x), t)
    loss.backward()
    opt.step()
    if it: times.append(time.perf_counter() - t0)
import resource, statistics
med = statistics.median(times)
print("torch %s %dx%d batch %d threads %d: %.1f ms/image median [%.1f-%.1f] over %d steps, %.2f img/s, %.0f MB peak RSS (torch %s)" % (
    arch, h, w, batch, threads, 1e3 * med / batch, 1e3 * min(times) / batch, 1e3 * max(times) / batch, iters,
    batch / med, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, torch.__version__))
PY
}

ms() { sed -n 's/.*: \([0-9.]*\) ms\/image median.*/\1/p'; }
# median of a list of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

compare() {  # arch lf-name batch h w
  lfs=""; pts=""
  r=1
  while [ "$r" -le "$ROUNDS" ]; do
    lf=$("$bin" "$1" --batch "$3" --threads "$THREADS" --iters "$ITERS"); echo "$lf"
    pt=$(torch_run "$1" "$3" "$4" "$5"); echo "$pt"
    lfs="$lfs $(echo "$lf" | ms)"; pts="$pts $(echo "$pt" | ms)"
    r=$((r + 1))
  done
  a=$(echo $lfs | tr ' ' '\n' | median); b=$(echo $pts | tr ' ' '\n' | median)
  awk -v a="$a" -v b="$b" -v n="$2 $4x$5 batch $3" 'BEGIN {printf "%s: leapfrog %.1f ms/image, PyTorch %.1f ms/image (median of the run medians): leapfrog / PyTorch speed = %.2fx\n", n, a, b, b / a}'
}

compare densenet densenet121 "$DN_BATCH" 224 224
compare unet unet "$UNET_BATCH" 80 112
