#!/bin/sh
# Training throughput (images/s of forward + backward + Adam step, random data,
# loader excluded) of leapfrog beside PyTorch CPU with the same threads and
# batch, measured in the same run, one after the other:
#   DenseNet-121 at 224x224 (batch 8) and the paper's UNet at 80x112 (batch 16).
# env: LF_BUILD (build), THREADS (2), ITERS (3 timed steps after 1 warm-up), LF_CONV=ref
#      (im2col + OpenBLAS convs instead of oneDNN),
#      DN_BATCH (8), UNET_BATCH (16), LF_PYTHON (/usr/bin/python3)
# Run it on a quiet machine: the numbers are wall-clock.
set -e
cd "$(dirname "$0")/.."
: "${LF_BUILD:=build}" "${THREADS:=2}" "${ITERS:=3}" "${DN_BATCH:=8}" "${UNET_BATCH:=16}" "${LF_PYTHON:=/usr/bin/python3}"
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
print("torch %s %dx%d batch %d threads %d: %.2f img/s (mean of %d steps; best step %.2f img/s; torch %s)" % (
    arch, h, w, batch, threads, batch * iters / sum(times), iters, batch / min(times), torch.__version__))
PY
}

ratio() { "$LF_PYTHON" -c "import sys; a=float(sys.argv[1]); b=float(sys.argv[2]); print('%s: leapfrog / torch = %.2f' % (sys.argv[3], a / b))" "$@"; }
rate() { sed -n 's/.*: \([0-9.]*\) img\/s.*/\1/p'; }

lf=$("$bin" densenet --batch "$DN_BATCH" --threads "$THREADS" --iters "$ITERS"); echo "$lf"
pt=$(torch_run densenet "$DN_BATCH" 224 224); echo "$pt"
ratio "$(echo "$lf" | rate)" "$(echo "$pt" | rate)" "densenet121 224x224 batch $DN_BATCH"

lf=$("$bin" unet --batch "$UNET_BATCH" --threads "$THREADS" --iters "$ITERS"); echo "$lf"
pt=$(torch_run unet "$UNET_BATCH" 80 112); echo "$pt"
ratio "$(echo "$lf" | rate)" "$(echo "$pt" | rate)" "unet 80x112 batch $UNET_BATCH"
