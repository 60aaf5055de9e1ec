#!/bin/sh
# Data-parallel training throughput over Open MPI on this machine, and a model
# of the scaling to more machines.
#   bench/mpi_scaling.sh                 DenseNet-121 at 224x224, global batch 16, 1 2 4 ranks
#   ARCH=unet SIZE=80x112 bench/mpi_scaling.sh
#   RANKS="1 2" STEPS=3 BATCH=16 SIZE=224 CORES=2 bench/mpi_scaling.sh
#   STEP_S=1.86 FRACS="0.02 0.04 0.10 0.17 0.23 0.42 1.00" bench/mpi_scaling.sh
#                                        only the model, from a given 1-rank step time and the
#                                        buckets' start times (no runs)
# Each rank runs --threads max(1, CORES/N): past CORES ranks the machine is
# oversubscribed, so the images/s of 4 ranks on 2 cores says little; what the
# run does measure is each rank's compute time and its time inside MPI
# collectives (the gradient all-reduce of every step), which the model below
# combines with the parameter bytes for 8 and 32 machines on 1 and 10 GbE.
# Step times include the first step (allocation); the machine may be shared.
# The model is given twice: the all-reduce after the backward (blocking,
# LF_DIST_OVERLAP=0) and overlapped with it as train does: the buckets start
# when the runs here saw them start (train's "buckets started at" line, as
# fractions of the backward; or FRACS), the backward taken as the last 2/3 of
# the step, and the link all-reduces one bucket after the other.
set -eu
L=${LEAPFROG:-build/leapfrog}
ARCH=${ARCH:-densenet121}
SIZE=${SIZE:-224}
BATCH=${BATCH:-16}
STEPS=${STEPS:-4}
RANKS=${RANKS:-1 2 4}
CORES=${CORES:-$(nproc)}
PY=${LF_PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none LF_DIST_TIMING=1
if [ "$ARCH" = unet ]; then task=nerve; else task=chestxray14; fi
params=$("$L" info --arch "$ARCH" | sed -n 's/^parameters: \([0-9]*\) trainable.*/\1/p')
if [ -n "${STEP_S:-}" ]; then RANKS=; fi
n=$(( BATCH * (STEPS + 2) ))
[ -z "$RANKS" ] || "$L" synth $task --out "$T/D" --n $((n * 2)) --size 128 --seed 1 >/dev/null
for np in $RANKS; do
  th=$(( CORES / np )); [ $th -ge 1 ] || th=1
  mpirun --oversubscribe --bind-to none -np "$np" "$L" train --task $task --arch "$ARCH" --size "$SIZE" \
    --data "$T/D" --split patient:90,10,0 --batch "$BATCH" --epochs 1 --max-steps "$STEPS" --val-every 0 \
    --threads $th --quiet --out "$T/r$np" > "$T/out$np.txt"
done
STEP_S=${STEP_S:-} FRACS=${FRACS:-} "$PY" - "$T" "$BATCH" "$params" "$ARCH" "$SIZE" "$CORES" $RANKS <<'PY'
import os, re, sys
d, B, P, arch, size, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
ranks = [int(x) for x in sys.argv[7:]]
pat = re.compile(r"rank (\d+)/(\d+): (\d+) steps, ([\d.]+) s in steps: ([\d.]+) s compute, ([\d.]+) s communication")
print("%s %s, global batch %d, %d cores, %.2fM parameters = %.1f MB of gradients per all-reduce"
      % (arch, size, B, cores, P / 1e6, 4 * P / 1e6))
one = None
fr = re.compile(r"rank 0/\d+: buckets started at \(fraction of the backward\):([\d. ]*)")
fracs = [float(x) for x in os.environ.get("FRACS", "").split()]
if ranks:
    print("ranks  images/s  step s  compute s/step (per rank)  comm s/step (per rank)")
for n in ranks:
    rows = [tuple(map(float, m.groups()[2:])) for m in pat.finditer(open("%s/out%d.txt" % (d, n)).read())]
    steps = rows[0][0]
    step = max(r[1] for r in rows) / steps
    comp = sum(r[2] for r in rows) / len(rows) / steps
    comm = sum(r[3] for r in rows) / len(rows) / steps
    m = fr.search(open("%s/out%d.txt" % (d, n)).read())
    if m and not os.environ.get("FRACS"): fracs = [float(x) for x in m.group(1).split()]
    print("%5d  %8.2f  %6.3f  %25.3f  %22.3f" % (n, B / step, step, comp, comm))
    if n == 1: one = comp
if os.environ.get("STEP_S"): one = float(os.environ["STEP_S"])
if one is None: sys.exit(0)
# Model: M machines like this one, each a rank with batch B (global batch M*B);
# per step each computes its B images (the 1-rank compute time measured above)
# and all-reduces the gradients (ring: 2(M-1)/M of the bytes through each link,
# 2(M-1) latency steps per bucket). Blocking: all of it after the compute.
# Overlapped: bucket i (in start order: the last layers' first, 4 MiB each
# but that one) starts at fracs[i] of the backward; the link takes them in
# turn; what is left after the backward is exposed.
nbytes = 4.0 * P
nb = -(-P // (1 << 20))
sizes = [4.0 * (P - (nb - 1) * (1 << 20))] + [4.0 * (1 << 20)] * (nb - 1)
if len(fracs) != nb: fracs = [1.0] * nb  # unknown: all after the backward
print("model: %d images per machine per step, compute %.3f s/step (%s, 1 rank); %d buckets, started at %s of the "
      "backward (the last 2/3 of the step)" % (B, one, "given" if os.environ.get("STEP_S") else "measured", nb,
                                               " ".join("%.2f" % f for f in fracs)))
print("machines  link    blocking: comm s/step  efficiency   overlapped: exposed s/step  efficiency")
for M in (8, 32):
    for name, bw, lat in (("1GbE", 117e6, 50e-6), ("10GbE", 1170e6, 20e-6)):
        ring = 2.0 * (M - 1) / M
        cost = [ring * b / bw + 2 * (M - 1) * lat for b in sizes]
        comm = sum(cost)
        t = 0.0
        for f, c in zip(fracs, cost):
            t = max(t, one / 3 + f * 2.0 / 3 * one) + c
        exposed = max(0.0, t - one)
        print("%8d  %-6s %22.3f  %9.1f%%  %26.3f  %9.1f%%" % (M, name, comm, 100 * one / (one + comm), exposed,
                                                             100 * one / (one + exposed)))
PY
