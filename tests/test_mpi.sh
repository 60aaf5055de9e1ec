#!/bin/sh
# Data-parallel training over Open MPI (mpirun -np N leapfrog train/qat) on one
# machine, tiny DenseNet on `leapfrog synth` data, SGD (whose update is linear
# in the gradient, so float differences are not amplified as Adam's 1/sqrt(v)
# does for near-zero gradients):
#  1. --sync-bn: weights, BN buffers and momentum after 3 steps on 2 and on 3
#     ranks equal one process at the same global batch within 1e-5 absolute
#     (measured: 1.2e-7; without --sync-bn the difference is ~5e-2);
#  1b. the gradient all-reduce overlapped with the backward equals the
#     blocking one (LF_DIST_OVERLAP=0) byte for byte, on 2 and 3 ranks with
#     many small buckets (LF_DIST_BUCKET);
#  2. without --sync-bn (per-rank BN statistics, running statistics averaged):
#     two runs give the same bytes, and 2 and 3 ranks equal one process with
#     --bn-shards 2 / 3 (ghost batch norm: the batch cut as the ranks cut it)
#     within 1e-5 (measured: 2.4e-7; the plain one process differs by 5e-2);
#  2b. dropout: a UNet with dropout 0.5 (BCE loss), -np 2 --sync-bn equals one
#     process within 1e-5 (measured 1.3e-6; before the masks were numbered by
#     global image, every rank drew the same mask for its slice: 4.7e-2);
#  2c. a UNet with --loss dice and bce+dice (the Dice over the whole batch):
#     -np 2 --sync-bn equals one process (weights within 1e-5, train loss
#     within 1e-6): the ranks sum the Dice's three sums before using them;
#  2d. validation split across 3 ranks (each a contiguous share, results
#     gathered on every rank): the same per-finding AUCs as one process and the
#     validation loss within 1e-6 (before, a rank validated its slice of every
#     global batch, and each rank took its own best checkpoint / LR decisions);
#  3. qat -np 2 --sync-bn: the observer ranges and weights equal one process's
#     within the same bound;
#  4. kill -9 of one rank mid-run: mpirun stops the whole job (no hang), the
#     last checkpoint is intact, and --resume on 3 ranks ends within 1e-5 of one
#     process resumed from the same checkpoint;
#  5. one rank failing (an error, not a crash) stops the others with its message;
#  6. sharded predict: -np 2 and -np 3 write the bytes of one process, for a
#     dataset split (chest: predictions JSON; nerve: submission CSV masks) and
#     for image files; a rank failing on a corrupt image (--strict) stops the
#     job with its message, and --resume on the same ranks (each rank's
#     journal) ends with the bytes of one uninterrupted process; and so does a
#     --resume on another number of processes (3 -> 2, 2 -> 1, 1 -> 3: every
#     earlier journal merged).
# Skips (77) when mpirun is absent or the build has no MPI.
set -u
: "${LEAPFROG:=build/leapfrog}" "${LF_TMP:=/tmp}" "${LF_PYTHON:=/usr/bin/python3}" "${LF_BUILD:=build}"
L=$LEAPFROG
command -v mpirun >/dev/null 2>&1 || { echo "skip: no mpirun"; exit 77; }
$L --version | grep -q "multi-process: none" && { echo "skip: leapfrog built without MPI"; exit 77; }
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none # containers without CMA (ptrace) support
# sanitizer builds: no leak check here. Open MPI's components are dlclosed at
# MPI_Finalize, so what they keep until exit shows as leaks from <unknown module>
# that no suppression can name; address and UB errors are still fatal
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
T=$LF_TMP/mpi_sh.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
MPI="mpirun --oversubscribe --bind-to none"
run() { timeout 120 "$@" >"$T/log" 2>&1 || { echo "FAIL: $*"; tail -n 20 "$T/log"; exit 1; }; }
# max |a - b| over every tensor of two checkpoints (weights, buffers, optimiser state)
maxdiff() {
  "$LF_PYTHON" - "$1" "$2" <<'PY'
import json, struct, sys
def load(p):
    b = open(p, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    fmt = {'F32': 'f', 'F64': 'd', 'I64': 'q'}
    out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        s, e = v['data_offsets']; f = fmt[v['dtype']]
        out[k] = struct.unpack('<%d%s' % ((e - s) // struct.calcsize(f), f), b[8 + n + s:8 + n + e])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys(), set(a) ^ set(b)
print('%.3g' % max(max((abs(x - y) for x, y in zip(a[k], b[k])), default=0) for k in a))
PY
}
close() { # close A B TOL NAME
  d=$(maxdiff "$1" "$2") || fail "$4: cannot compare"
  echo "$4: max |diff| $d"
  "$LF_PYTHON" -c "import sys; sys.exit(0 if $d <= $3 else 1)" || fail "$4: $d > $3"
}

run "$L" synth chestxray14 --out "$T/D" --n 80 --size 32 --seed 3
M="--task chestxray14 --data $T/D --split patient:80,20,0 --arch densenet121 --growth 4 --blocks 2,2 \
 --init-features 8 --size 16 --batch 12 --optim sgd --lr 0.1 --threads 1 --quiet --val-every 0"

# 1. sync BN: 2 and 3 ranks = one process at the same global batch
run "$L" train $M --epochs 1 --max-steps 3 --out "$T/one"
run $MPI -np 2 "$L" train $M --epochs 1 --max-steps 3 --sync-bn --out "$T/two"
run $MPI -np 3 "$L" train $M --epochs 1 --max-steps 3 --sync-bn --out "$T/three"
close "$T/one/last.safetensors" "$T/two/last.safetensors" 1e-5 "np 2 --sync-bn vs 1 process"
close "$T/one/last.safetensors" "$T/three/last.safetensors" 1e-5 "np 3 --sync-bn vs 1 process"
grep -q "rank 1/3: 3 steps" "$T/log" || fail "no per-rank timing line: $(cat "$T/log")"

# 1b. the gradient all-reduce overlapped with the backward (buckets started as
# the backward finishes them) gives the bytes of the blocking one (all buckets
# after the backward, LF_DIST_OVERLAP=0): small buckets so that there are many.
# (Both are MPI_Iallreduce; Open MPI's blocking MPI_Allreduce adds 3 ranks in
# another order: the same to 1.5e-8 after 3 steps, not the same bytes)
for np in 2 3; do
  bn=--sync-bn; [ $np = 3 ] && bn=
  LF_DIST_BUCKET=3000 LF_DIST_OVERLAP=0 run $MPI -np $np "$L" train $M --epochs 1 --max-steps 3 $bn --out "$T/b$np"
  LF_DIST_BUCKET=3000 run $MPI -np $np "$L" train $M --epochs 1 --max-steps 3 $bn --out "$T/o$np"
  ov=$(sed -n 's/^rank 0.*in \([0-9]*\) buckets, \([0-9.]*\) MB started during the backward.*/\1 \2/p' "$T/log")
  echo "np $np $bn: overlapped all-reduce (buckets, MB started in the backward: $ov) vs blocking"
  case "$ov" in "" | *" 0.000") fail "np $np: no bucket started during the backward: $(cat "$T/log")" ;; esac
  cmp "$T/b$np/last.safetensors" "$T/o$np/last.safetensors" || fail "np $np: overlapped all-reduce differs from blocking"
done
LF_DIST_OVERLAP=0 run $MPI -np 2 "$L" train $M --epochs 1 --max-steps 3 --sync-bn --out "$T/b1"
cmp "$T/two/last.safetensors" "$T/b1/last.safetensors" || fail "np 2: overlapped all-reduce differs from blocking (1 bucket)"

# 2. per-rank BN: not the single process's result (the test above can tell), but deterministic
run $MPI -np 2 "$L" train $M --epochs 1 --max-steps 3 --out "$T/p1"
run $MPI -np 2 "$L" train $M --epochs 1 --max-steps 3 --out "$T/p2"
cmp "$T/p1/last.safetensors" "$T/p2/last.safetensors" || fail "per-rank BN runs differ"
d=$(maxdiff "$T/one/last.safetensors" "$T/p1/last.safetensors")
"$LF_PYTHON" -c "import sys; sys.exit(0 if $d > 1e-3 else 1)" || fail "per-rank BN equals sync BN ($d): the test cannot tell"
run "$L" train $M --epochs 1 --max-steps 3 --bn-shards 2 --out "$T/g2"
close "$T/g2/last.safetensors" "$T/p1/last.safetensors" 1e-5 "np 2 per-rank BN vs 1 process --bn-shards 2"
run $MPI -np 3 "$L" train $M --epochs 1 --max-steps 3 --out "$T/p3"
run "$L" train $M --epochs 1 --max-steps 3 --bn-shards 3 --out "$T/g3"
close "$T/g3/last.safetensors" "$T/p3/last.safetensors" 1e-5 "np 3 per-rank BN vs 1 process --bn-shards 3"
timeout 60 "$L" train $M --epochs 1 --max-steps 1 --bn-shards 5 --out "$T/bad" >"$T/log" 2>&1 && fail "--bn-shards 5 of a batch of 12 accepted"
grep -q "not a multiple of --bn-shards 5" "$T/log" || fail "no message: $(tail -n 5 "$T/log")"

# 2b. dropout masks: each rank draws its part of one process's masks
run "$L" synth nerve --out "$T/N" --n 40 --seed 3
UD="--task nerve --data $T/N --split patient:80,20,0 --arch unet --width 4 --depth 2 --dropout 0.5 --size 16x24 \
 --batch 4 --loss bce --optim sgd --lr 0.1 --threads 1 --quiet --val-every 0 --epochs 1 --max-steps 3"
run "$L" train $UD --out "$T/u1"
run $MPI -np 2 "$L" train $UD --sync-bn --out "$T/u2"
close "$T/u1/last.safetensors" "$T/u2/last.safetensors" 1e-5 "unet dropout 0.5: np 2 --sync-bn vs 1 process"

# 2c. a Dice loss over the batch: each rank takes the Dice's sums (sum p*t,
# sum p, sum t) over the global batch, so loss and weights are one process's
for loss in dice bce+dice; do
  UL="--task nerve --data $T/N --split patient:80,20,0 --arch unet --width 4 --depth 2 --size 16x24 --batch 4 \
 --loss $loss --optim sgd --lr 0.1 --threads 1 --quiet --val-every 0 --epochs 1 --max-batches 3"
  run "$L" train $UL --out "$T/d1"
  run $MPI -np 2 "$L" train $UL --sync-bn --out "$T/d2"
  close "$T/d1/last.safetensors" "$T/d2/last.safetensors" 1e-5 "unet --loss $loss: np 2 --sync-bn vs 1 process"
  "$LF_PYTHON" - "$T/d1/train_log.jsonl" "$T/d2/train_log.jsonl" "$loss" <<'PY' || fail "--loss $loss: np 2 train loss differs from 1 process"
import json, sys
a, b = (json.loads(open(p).readline())["train_loss"] for p in sys.argv[1:3])
print("unet --loss %s: train loss np 2 %r vs 1 process %r" % (sys.argv[3], b, a))
assert abs(a - b) <= 1e-6
PY
  rm -rf "$T/d1" "$T/d2"
done

# 2d. validation across ranks: one process's metrics
V="--task chestxray14 --data $T/D --split patient:70,30,0 --arch densenet121 --growth 4 --blocks 2,2 \
 --init-features 8 --size 16 --batch 12 --optim sgd --lr 0.1 --threads 1 --quiet --val-every 1 --epochs 1"
run "$L" train $V --out "$T/v1"
run $MPI -np 3 "$L" train $V --sync-bn --out "$T/v3"
"$LF_PYTHON" - "$T/v1/train_log.jsonl" "$T/v3/train_log.jsonl" <<'PY' || fail "validation on 3 ranks differs from 1 process"
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:])
print("validation np 3 vs 1 process: mean AUC %r vs %r, loss %r vs %r" % (a["val_mean_auc"], b["val_mean_auc"], a["val_loss"], b["val_loss"]))
assert a["val_auc"] == b["val_auc"] and abs(a["val_loss"] - b["val_loss"]) <= 1e-6
PY

# 3. QAT: observers and BN synchronised
Q="--data $T/D --split patient:80,20,0 --batch 12 --optim sgd --lr 0.01 --threads 1 --quiet --val-every 0 --epochs 1 --max-steps 3"
run "$L" qat --from "$T/one/last.safetensors" $Q --out "$T/q1"
run $MPI -np 2 "$L" qat --from "$T/one/last.safetensors" $Q --sync-bn --out "$T/q2"
close "$T/q1/last.safetensors" "$T/q2/last.safetensors" 1e-5 "qat np 2 --sync-bn vs 1 process"

# 4. kill -9 of one rank: the job stops, the checkpoint survives, resume on 3 ranks continues
$MPI -np 2 "$L" train $M --epochs 200 --save-every 1 --sync-bn --out "$T/k" >"$T/k.log" 2>&1 &
mp=$!
i=0
while [ ! -s "$T/k/last.safetensors" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/k/last.safetensors" ] || fail "no checkpoint from the 2-rank run: $(tail -n 5 "$T/k.log")"
victim=$(pgrep -P $mp | tail -n 1)
[ -n "$victim" ] || fail "no rank process under mpirun $mp"
kill -9 "$victim"
i=0
while kill -0 $mp 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $mp 2>/dev/null && { kill -9 $mp; fail "mpirun still running 30 s after a rank was killed"; }
wait $mp && fail "mpirun exited 0 after a rank was killed"
grep -qi "signal 9\|killed" "$T/k.log" || fail "no message naming the killed rank: $(tail -n 5 "$T/k.log")"
step=$("$LF_PYTHON" -c "
import json,struct,sys
b=open(sys.argv[1],'rb').read(); n=struct.unpack('<Q',b[:8])[0]
print(json.loads(json.loads(b[8:8+n])['__metadata__']['leapfrog.train'])['step'])" "$T/k/last.safetensors") ||
  fail "the checkpoint left by the killed run is not readable"
end=$((step + 4))
# the reference resumes one process from the same checkpoint: a run of 1 process
# from scratch drifts from the 2-rank run by float summation order (1e-7 a
# step), which lr 0.1 grows past any tolerance over tens of steps
mkdir -p "$T/kref" && cp "$T/k/last.safetensors" "$T/kref/last.safetensors"
run $MPI -np 3 "$L" train $M --epochs 200 --sync-bn --resume --max-steps $end --out "$T/k"
run "$L" train $M --epochs 200 --resume --max-steps $end --out "$T/kref"
close "$T/kref/last.safetensors" "$T/k/last.safetensors" 1e-5 "killed at step $step, resumed on 3 ranks to $end vs 1 process from the same checkpoint"

# 5. an error on the ranks (a batch not divisible by the ranks) ends the job with the message
timeout 60 $MPI -np 3 "$L" train $M --batch 16 --epochs 1 --out "$T/bad" >"$T/log" 2>&1 && fail "batch 16 on 3 ranks accepted"
grep -q "not a multiple of the 3 processes" "$T/log" || fail "no message: $(tail -n 5 "$T/log")"

# 6. sharded predict (small int8 zoo models: DenseNet-shaped 14 outputs, UNet-shaped masks)
mkdir -p "$T/m" && "$LF_BUILD/bench/bench_runtime" --write-models "$T/m" --small >/dev/null || fail "cannot write the zoo models"
run "$L" synth nerve --out "$T/NP" --n 16 --seed 4
C="$T/m/densenet121_i8.tflite --task chestxray14 --data $T/D --split all --quiet"
U="$T/m/unet_i8.tflite --task nerve --data $T/NP --split train --quiet"
run "$L" predict $C --out "$T/c1.json"
run "$L" predict $U --out "$T/u1.csv"
for np in 2 3; do
  run $MPI -np $np "$L" predict $C --out "$T/c$np.json"
  cmp "$T/c1.json" "$T/c$np.json" || fail "predict -np $np: predictions JSON differs from 1 process"
  run $MPI -np $np "$L" predict $U --out "$T/u$np.csv"
  cmp "$T/u1.csv" "$T/u$np.csv" || fail "predict -np $np: submission CSV differs from 1 process"
done
echo "predict -np 2, -np 3: chest JSON and nerve CSV identical to 1 process"
# image files: the first one of rank 2's share corrupt fails that rank at once; the
# others still finish and journal their shares (the job stops only then); fixed,
# --resume finishes
mkdir -p "$T/I" && cp "$T/D/images/"* "$T/I/"
n=$(ls "$T/I" | wc -l)
last=$(LC_ALL=C ls "$T/I" | tail -n 1)
bad=$(LC_ALL=C ls "$T/I" | sed -n "$((n / 3 * 2 + n % 3 * 2 / 3 + 1))p")
head -c 100 "$T/D/images/$bad" >"$T/I/$bad"
IM="$T/m/densenet121_i8.tflite --task chestxray14 --norm unit $T/I --strict --quiet"
timeout 60 $MPI -np 3 "$L" predict $IM --out "$T/i3.json" >"$T/log" 2>&1 && fail "a corrupt image with --strict accepted"
grep -q -- "--strict: $T/I/$bad" "$T/log" || fail "no message naming the corrupt image: $(tail -n 5 "$T/log")"
[ -e "$T/i3.json" ] && fail "an output was written by a failed job"
for r in 0 1; do # the journal: a header, then result lines and a "done" line per finished image
  share=$(( n / 3 * (r + 1) + n % 3 * (r + 1) / 3 - n / 3 * r - n % 3 * r / 3 ))
  j="$T/i3.json.partial.$((r + 1))of3"
  [ -e "$j" ] || fail "rank $r: no journal after the failed job"
  done_n=$(grep -c '"done"' "$j")
  [ "$done_n" = $share ] || fail "rank $r journaled $done_n of its $share images before the job stopped"
done
echo "predict -np 3, rank 2 failing on its first image: ranks 0 and 1 journaled their whole shares"
cp "$T/D/images/$bad" "$T/I/$bad"
run $MPI -np 3 "$L" predict $IM --resume --out "$T/i3.json"
run "$L" predict $IM --out "$T/i1.json"
cmp "$T/i1.json" "$T/i3.json" || fail "predict -np 3 --resume on image files differs from 1 process"
ls "$T/i3.json.partial"* >/dev/null 2>&1 && fail "journals left after a finished run"
echo "predict -np 3 on image files: a failing rank stops the job; --resume gives the 1-process bytes"
# --resume with another number of processes: the journals of any earlier count are merged
for pair in "3 2" "2 1" "1 3"; do
  set -- $pair
  head -c 100 "$T/D/images/$last" >"$T/I/$last"
  if [ $1 = 1 ]; then P1="$L"; else P1="$MPI -np $1 $L"; fi
  if [ $2 = 1 ]; then P2="$L"; else P2="$MPI -np $2 $L"; fi
  rm -f "$T/r.json"
  timeout 60 $P1 predict $IM --out "$T/r.json" >"$T/log" 2>&1 && fail "a corrupt image with --strict accepted"
  ls "$T/r.json.partial"* >/dev/null 2>&1 || fail "no journal after the failed $1-process job"
  cp "$T/D/images/$last" "$T/I/$last"
  run $P2 predict ${IM% --quiet} --resume --out "$T/r.json" # not quiet: it says what it resumed
  grep -q "resuming from [1-9][0-9]* journals* of $T/r.json: [1-9]" "$T/log" || fail "$1 -> $2: nothing resumed: $(cat "$T/log")"
  cmp "$T/i1.json" "$T/r.json" || fail "predict killed on $1 processes, resumed on $2: output differs from 1 process"
  ls "$T/r.json.partial"* >/dev/null 2>&1 && fail "$1 -> $2: journals left after a finished run: $(ls "$T"/r.json.partial*)"
  echo "predict failed on $1 process(es), --resume on $2: $(grep -o "resuming from .*" "$T/log" | head -n 1); the 1-process bytes"
done
echo "mpi: ok"
