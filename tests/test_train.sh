#!/bin/sh
# leapfrog train end to end on `leapfrog synth` data:
#  1. a small DenseNet learns the synthetic chest findings (train loss falls,
#     validation mean AUC rises), log/checkpoints written; a small UNet learns
#     the synthetic nerve masks (validation Dice rises);
#  2. exact resume: a run stopped by --max-steps mid-epoch, and a run killed
#     with SIGKILL, both resumed, end with the same bytes as an uninterrupted run;
#  3. the checkpoint holds torch names/layouts + metadata, info --arch counts;
#  4. usage errors exit 2, failures exit 1.
set -e
: "${LEAPFROG:=build/leapfrog}" "${LF_TMP:=/tmp}" "${LF_PYTHON:=/usr/bin/python3}"
L=$LEAPFROG
d=$LF_TMP/train_sh; rm -rf "$d"; mkdir -p "$d"
fail() { echo "FAIL: $*"; exit 1; }

$L synth chestxray14 --out "$d/chest" --n 300 --size 128 --seed 3 >/dev/null
M="--task chestxray14 --data $d/chest --split patient:60,20,20 --arch densenet121 --growth 8 --blocks 2,2,2 --init-features 16 --size 64 --batch 16 --lr 3e-3 --threads 2 --quiet"

# 1. learning
# 8 epochs: with ~40 validation images, 4 epochs left the mean AUC at 0.5-0.8 depending on
# which patients the split drew
$L train $M --epochs 8 --out "$d/a" > "$d/a.txt"
for f in last.safetensors best.safetensors train_log.jsonl; do [ -s "$d/a/$f" ] || fail "missing $f"; done
"$LF_PYTHON" - "$d/a/train_log.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["epoch"] for r in rows] == list(range(1, 9)), rows
l0, l1 = rows[0]["train_loss"], rows[-1]["train_loss"]
a0, a1 = rows[0]["val_mean_auc"], rows[-1]["val_mean_auc"]
print("train loss %.4f -> %.4f, val mean AUC %.4f -> %.4f" % (l0, l1, a0, a1))
assert l1 < 0.7 * l0, "loss did not fall"
assert a1 > a0 + 0.05 and a1 > 0.7, "AUC did not rise"
assert len(rows[-1]["val_auc"]) >= 5, rows[-1]["val_auc"]
PY

# 1b. a small UNet learns the synthetic nerve masks (BCE+Dice; Kaggle Dice, empty/empty = 1)
# (seed 5: the hashed patient split puts a subject in val on which 6 epochs reach Dice ~0.8)
$L synth nerve --out "$d/nerve" --n 120 --size 116 --seed 5 >/dev/null
$L train --task nerve --data "$d/nerve" --width 8 --depth 3 --size 40x56 --epochs 6 --batch 8 --lr 3e-3 \
  --loss bce+dice --threads 2 --quiet --out "$d/n" > /dev/null
"$LF_PYTHON" - "$d/n/train_log.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
l0, l1 = rows[0]["train_loss"], rows[-1]["train_loss"]
d0, d1 = rows[0]["val_dice"], max(r["val_dice"] for r in rows[-2:])
print("unet: train loss %.4f -> %.4f, val dice %.4f -> %.4f" % (l0, l1, d0, d1))
assert l1 < 0.85 * l0, "loss did not fall"
assert d1 > 0.7 and d1 > d0 + 0.3, "dice did not rise"
PY

# 2a. --max-steps stop mid-epoch (epoch 2 of 11 batches), then resume
$L train $M --epochs 2 --out "$d/b" --max-steps 15 > /dev/null
$L train $M --epochs 2 --out "$d/b" --resume > /dev/null
$L train $M --epochs 2 --out "$d/ref" > /dev/null
cmp "$d/ref/last.safetensors" "$d/b/last.safetensors" || fail "resume after --max-steps differs"
cmp "$d/ref/train_log.jsonl" "$d/b/train_log.jsonl" >/dev/null 2>&1 || \
  "$LF_PYTHON" -c "
import json,sys
a=[json.loads(l) for l in open('$d/ref/train_log.jsonl')]; b=[json.loads(l) for l in open('$d/b/train_log.jsonl')]
k=lambda r: {x: r[x] for x in r if x not in ('images_per_s','seconds')}
assert list(map(k,a)) == list(map(k,b)), 'logs differ'"
echo "resume after --max-steps: identical checkpoint"

# 2b. SIGKILL during a run (mid-epoch checkpoints every 4 steps), then resume
$L train $M --epochs 2 --out "$d/c" --save-every 4 > /dev/null 2>&1 &
pid=$!
i=0
while [ ! -s "$d/c/last.safetensors" ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i+1)); done
sleep 0.3
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
ls "$d/c"/*.tmp.* >/dev/null 2>&1 && echo "(a temp file was left by the kill; the checkpoint itself is whole)"
$L train $M --epochs 2 --out "$d/c" --resume > /dev/null
cmp "$d/ref/last.safetensors" "$d/c/last.safetensors" || fail "resume after kill -9 differs"
echo "resume after kill -9: identical checkpoint"

# 2c. early stopping: with a learning rate too small to move the metric, the
# run stops after --early-stop validations without gain (sgd, cosine schedule)
$L train $M --epochs 6 --lr 1e-12 --optim sgd --schedule cosine --early-stop 1 --out "$d/es" > "$d/es.txt"
grep -q "stopped early" "$d/es.txt" || fail "early stopping did not trigger: $(cat "$d/es.txt")"
[ "$(wc -l < "$d/es/train_log.jsonl")" -lt 6 ] || fail "early stopping ran every epoch"

# 3. checkpoint content (numpy parses it as a torch-style state_dict)
"$LF_PYTHON" - "$d/a/best.safetensors" <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
m = h.pop("__metadata__")
assert m["leapfrog.arch"] == "densenet121" and json.loads(m["leapfrog.config"])["growth"] == 8
t = json.loads(m["leapfrog.train"]); assert t["epoch"] >= 1
assert json.loads(m["leapfrog.optim"])["kind"] == "adam"
assert h["features.conv0.weight"]["shape"] == [16, 3, 7, 7], h["features.conv0.weight"]
assert h["features.norm0.num_batches_tracked"]["dtype"] == "I64" and h["features.norm0.num_batches_tracked"]["shape"] == []
assert h["optim.features.conv0.weight.exp_avg"]["shape"] == [16, 3, 7, 7]
# init 16 -> block1 +16 = 32 -> /2 = 16 -> +16 = 32 -> 16 -> +16 = 32 features
assert h["classifier.weight"]["shape"] == [14, 32], h["classifier.weight"]
print("checkpoint: torch names and layouts, metadata ok")
PY
p=$($L info --arch densenet121 --json | "$LF_PYTHON" -c "import json,sys; j=json.load(sys.stdin); print(j['params'], j['macs'] > 2.8e9)")
[ "$p" = "6968206 True" ] || fail "info --arch densenet121: $p"
$L info --arch unet --layers | grep -q "dec1.conv2" || fail "unet layer table"

# 4. errors
set +e
$L train --task chestxray14 > /dev/null 2>&1; [ $? = 2 ] || fail "missing --data should exit 2"
$L train $M --epochs x > /dev/null 2>&1; [ $? = 2 ] || fail "bad --epochs should exit 2"
$L train $M --optim rmsprop > /dev/null 2>&1; [ $? = 2 ] || fail "bad --optim should exit 2"
$L train --task nerve --data "$d/chest" --arch densenet121 > /dev/null 2>&1; [ $? = 2 ] || fail "task/arch mismatch should exit 2"
$L train --task chestxray14 --data "$d/nope" --out "$d/e" --quiet > /dev/null 2> "$d/err.txt"; [ $? = 1 ] || fail "missing data dir should exit 1"
$L train $M --epochs 3 --out "$d/a" --resume --growth 12 > /dev/null 2> "$d/err2.txt"; [ $? = 1 ] || fail "resume with another config should exit 1"
grep -q "config" "$d/err2.txt" || fail "resume error should name the config: $(cat "$d/err2.txt")"
$L info --arch vgg > /dev/null 2>&1; [ $? = 2 ] || fail "unknown arch should exit 2"
$L train --help | grep -q -- "--resume" || fail "help"
echo "ok"
