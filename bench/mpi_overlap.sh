#!/bin/sh
# The gradient all-reduce overlapped with the backward pass against the
# blocking one (LF_DIST_OVERLAP=0: every bucket after the backward), on 2
# ranks of this machine.
#   bench/mpi_overlap.sh                        UNet 80x112 and DenseNet-121 224, global batch 16
#   ARCHS=unet ROUNDS=5 STEPS=4 bench/mpi_overlap.sh
# Rounds alternate the two modes (a shared machine drifts); per mode it prints
# the median over rounds of: seconds per step (the slower rank, first step
# included), the seconds per step each rank waits after its backward for the
# sums (exposed communication, mean of the ranks) and in all collectives, and
# the MB all-reduced a step / started during the backward.
set -eu
L=${LEAPFROG:-build/leapfrog}
ARCHS=${ARCHS:-unet densenet121}
BATCH=${BATCH:-16}
STEPS=${STEPS:-3}
ROUNDS=${ROUNDS:-3}
CORES=${CORES:-$(nproc)}
PY=${LF_PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
th=$(( CORES / 2 )); [ $th -ge 1 ] || th=1
n=$(( BATCH * (STEPS + 2) ))
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for arch in $ARCHS; do
  if [ "$arch" = unet ]; then task=nerve size=${USIZE:-80x112}; else task=chestxray14 size=${DSIZE:-224}; fi
  [ -d "$T/$task" ] || "$L" synth $task --out "$T/$task" --n $((n * 2)) --size 128 --seed 1 >/dev/null
  r=1
  while [ $r -le "$ROUNDS" ]; do
    for mode in 0 1; do
      LF_DIST_OVERLAP=$mode mpirun --oversubscribe --bind-to none -np 2 "$L" train --task $task --arch "$arch" \
        --size "$size" --data "$T/$task" --split patient:90,10,0 --batch "$BATCH" --epochs 1 --max-steps "$STEPS" \
        --val-every 0 --threads $th --quiet --out "$T/o" > "$T/$arch.$mode.$r.txt"
      rm -rf "$T/o"
    done
    r=$((r + 1))
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$T" "$BATCH" "$ROUNDS" $ARCHS <<'PY'
import re, statistics, sys
d, B, R, archs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
step = re.compile(r"rank (\d+)/2: (\d+) steps, ([\d.]+) s in steps: [\d.]+ s compute, ([\d.]+) s communication")
grad = re.compile(r"rank (\d+)/2: gradient all-reduce ([\d.]+) MB a step in (\d+) buckets, ([\d.]+) MB started "
                  r"during the backward, ([\d.]+) s waited")
print("2 ranks, global batch %d, median of %d rounds" % (B, R))
print("arch         mode         s/step  exposed s/step  comm s/step  MB/step  MB in backward  buckets")
for a in archs:
    for mode, name in ((0, "blocking"), (1, "overlapped")):
        rows = []
        for r in range(1, R + 1):
            t = open("%s/%s.%d.%d.txt" % (d, a, mode, r)).read()
            s = [m.groups() for m in step.finditer(t)]
            g = [m.groups() for m in grad.finditer(t)]
            steps = int(s[0][1])
            rows.append((max(float(x[2]) for x in s) / steps, sum(float(x[4]) for x in g) / len(g) / steps,
                         sum(float(x[3]) for x in s) / len(s) / steps, float(g[0][1]), float(g[0][3]), int(g[0][2])))
        med = [statistics.median(c) for c in zip(*rows)]
        print("%-12s %-10s %8.3f  %14.3f  %11.3f  %7.1f  %14.1f  %7d" % (a, name, *med[:5], rows[0][5]))
PY
