#!/bin/sh
# Inference speed of leapfrog beside PyTorch and ONNX Runtime, measured back to back in one run.
#   sh bench/peers.sh [--runs N] [--rounds R] [--quick] [--only densenet|unet]
# Rows: DenseNet-121 (torchvision, 14 classes, 224x224x3) and the paper's UNet (80x112x1,
# include/leapfrog/lf_models.h), INT8 and FP32, batch 1 and 8, all with a sigmoid output.
# Runtimes (2 threads each):
#   leapfrog      `leapfrog bench MODEL --json` (or, with a CLI that has no bench yet,
#                 `leapfrog invoke --repeat N --json`, whose runs include the first one)
#   PyTorch       Debian's python3-torch: FP32 torch.jit.trace + freeze; INT8 FX graph mode
#                 post-training quantization on the onednn engine (x86/fbgemm/qnnpack if absent)
#   ONNX Runtime  npm onnxruntime-node (CPU), FP32 from torch.onnx.export; INT8 a QDQ model
#                 (bench/peers/onnx_qdq.py)
# Models: one seeded random init per architecture, built by PyTorch (bench/peers/torch_peer.py).
# leapfrog gets the same weights: the state_dict -> `leapfrog convert --arch A --fp32`, and
# `leapfrog ptq --method minmax` on the synthetic dataset -> `leapfrog convert` (fully int8);
# batch 8: the same with `convert --batch 8` (a converter without --batch: "n/a").
# Calibration: min/max over the same 8 synthetic images (`leapfrog synth`) for torch and ORT;
# leapfrog's ptq reads that dataset's training split itself. Weights and inputs are random /
# synthetic: this measures speed only.
# Models are cached in bench-out/peers-cache/ (rebuilt when bench/peers/* or the leapfrog
# binary is newer). Each round runs every row on every runtime, the runtime order rotating
# per round, so load noise hits all of them alike; a cell is the median of its round medians
# [min-max of all timed runs], in ms per image. x = peer ms / leapfrog ms (> 1: leapfrog faster).
# Writes the table and bench-out/peers.json. A missing peer prints "missing (why)"; the exit
# status is non-zero only when leapfrog (or building the models) fails.
# env: LF_BUILD (build), LF_PYTHON (/usr/bin/python3), THREADS (2), RUNS (5), ROUNDS (3), LF_BENCH_OUT (bench-out)
set -u
cd "$(dirname "$0")/.."
: "${LF_BUILD:=build}" "${THREADS:=2}" "${RUNS:=5}" "${ROUNDS:=3}" "${LF_BENCH_OUT:=bench-out}"
if [ -z "${LF_PYTHON:-}" ]; then if [ -x /usr/bin/python3 ]; then LF_PYTHON=/usr/bin/python3; else LF_PYTHON=python3; fi; fi
ONLY="densenet unet"
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --quick) RUNS=2; ROUNDS=1 ;;
    --only) ONLY=$2; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "peers.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
LF=$LF_BUILD/leapfrog
P=bench/peers
[ -x "$LF" ] || { echo "peers.sh: $LF not found: run make first" >&2; exit 1; }
mkdir -p "$LF_BENCH_OUT/peers-cache" || exit 1
CACHE=$(cd "$LF_BENCH_OUT/peers-cache" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lf-peers.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT INT TERM
RES=$WORK/results   # lines: arch prec batch runtime round med min max
: > "$RES"
echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); threads $THREADS, $RUNS timed runs x $ROUNDS rounds"

"$LF_PYTHON" -c "import torch, torchvision, PIL" 2>/dev/null ||
  { echo "peers.sh: $LF_PYTHON cannot import torch/torchvision/PIL: the models are built with them (scripts/install-deps.sh)" >&2; exit 1; }
TORCH_VER=$("$LF_PYTHON" -c "import torch; print(torch.__version__)")
ORT_WHY=""
command -v node >/dev/null || ORT_WHY="node not found"
[ -n "$ORT_WHY" ] || (cd $P && node -e "require('onnxruntime-node')" >/dev/null 2>&1) ||
  ORT_WHY="onnxruntime-node not installed in $P: scripts/install-deps.sh"
ORT_VER=""
[ -n "$ORT_WHY" ] || ORT_VER=$(cd $P && node -e "console.log(require('onnxruntime-node').env.versions.node)")
ONNX_WHY=""
"$LF_PYTHON" -c "import onnx" 2>/dev/null || ONNX_WHY="python3-onnx not installed: scripts/install-deps.sh"
if "$LF" bench --help >/dev/null 2>&1; then LF_HOW=bench; else LF_HOW=invoke; fi
LF_B8=""; "$LF" convert --help 2>&1 | grep -q -- '--batch' && LF_B8=yes

# --- models -------------------------------------------------------------------------------
# a stamp missing, or older than a peer script
newer() { [ ! -e "$1" ] || [ -n "$(find $P -name node_modules -prune -o -newer "$1" -type f -print 2>/dev/null | head -n 1)" ]; }
fail_note() { echo "$2" > "$1"; }  # a model that could not be built: the reason, for its cells

prepare() {  # arch
  a=$1; d=$CACHE/$a
  if [ "$a" = densenet ]; then task=chestxray14 arch=densenet121 classes=14; else task=nerve arch=unet classes=1; fi
  if newer "$d/.peers"; then
    echo "peers.sh: building the $a models in $d"
    rm -rf "$d"; mkdir -p "$d"
    if [ "$a" = densenet ]; then "$LF" synth chestxray14 --out "$d/data" --n 32 --size 256 >/dev/null 2>&1
    else "$LF" synth nerve --out "$d/data" --n 32 --size 116 >/dev/null 2>&1; fi || return 1
    "$LF_PYTHON" $P/torch_peer.py prepare --arch "$a" --data "$d/data" --out "$d" --threads "$THREADS" > "$d/torch.log" 2>&1 ||
      { tail -n 5 "$d/torch.log" >&2; return 1; }
    if [ -n "$ORT_WHY" ]; then fail_note "$d/ort_int8.why" "$ORT_WHY"
    elif [ -n "$ONNX_WHY" ]; then fail_note "$d/ort_int8.why" "$ONNX_WHY"
    elif ! { "$LF_PYTHON" $P/onnx_qdq.py expose "$d/fp32.onnx" -o "$d/calib.onnx" &&
             (cd $P && node ort_peer.mjs calib "$d/calib.onnx" "$d/calib.f32" "$d/calib.json" "$d/ranges.json") &&
             "$LF_PYTHON" $P/onnx_qdq.py build "$d/fp32.onnx" "$d/ranges.json" -o "$d/int8.onnx"; } > "$d/qdq.log" 2>&1; then
      fail_note "$d/ort_int8.why" "QDQ build failed: $d/qdq.log"
    fi
    rm -f "$d/calib.onnx"
    touch "$d/.peers"
  fi
  if [ ! -e "$d/.leapfrog" ] || [ "$LF" -nt "$d/.leapfrog" ] || [ "$d/.peers" -nt "$d/.leapfrog" ]; then
    rm -f "$d"/lf_*.tflite "$d/.leapfrog"
    { "$LF" convert --arch $arch --classes $classes "$d/weights.safetensors" --fp32 -o "$d/lf_fp32.tflite" &&
      "$LF" ptq --from "$d/weights.safetensors" --arch $arch --classes $classes --task $task --data "$d/data" \
                --calib 8 --method minmax --threads "$THREADS" -o "$d/ptq.safetensors" &&
      "$LF" convert "$d/ptq.safetensors" -o "$d/lf_int8.tflite" &&
      if [ -n "$LF_B8" ]; then  # a converter that can write batch-8 models
        "$LF" convert --arch $arch --classes $classes "$d/weights.safetensors" --fp32 --batch 8 -o "$d/lf_fp32_b8.tflite" &&
        "$LF" convert "$d/ptq.safetensors" --batch 8 -o "$d/lf_int8_b8.tflite"
      fi; } > "$d/leapfrog.log" 2>&1 ||
      { tail -n 5 "$d/leapfrog.log" >&2; return 1; }
    touch "$d/.leapfrog"
  fi
}

status=0
for a in $ONLY; do
  prepare "$a" || { echo "peers.sh: building the $a models failed" >&2; status=1; ONLY=$(echo " $ONLY " | sed "s/ $a / /"); }
done

# --- one measurement: prints "med min max" (ms/image) or "missing (why)" --------------------
shape() { if [ "$1" = densenet ]; then echo 3,224,224; else echo 1,80,112; fi; }
nums() {  # JSON with ms_per_image_{median,min,max} -> "med min max"
  tr -d ' \n' | sed -n 's/.*"ms_per_image_median":\([-0-9.eE+]*\).*"ms_per_image_min":\([-0-9.eE+]*\).*"ms_per_image_max":\([-0-9.eE+]*\).*/\1 \2 \3/p'
}
run_leapfrog() {  # arch prec batch
  d=$CACHE/$1 m=$CACHE/$1/lf_$2.tflite
  if [ "$3" != 1 ]; then
    m=$CACHE/$1/lf_$2_b$3.tflite
    [ -e "$m" ] || { echo "n/a (batch 1 model only)"; return; }
  fi
  if [ $LF_HOW = bench ]; then
    out=$("$LF" bench "$m" --threads "$THREADS" --runs "$RUNS" --json 2>"$WORK/lf.err") && v=$(echo "$out" | nums)
  else
    out=$("$LF" invoke "$m" --input "$d/lf_in_$2_b$3.bin" --output "$WORK/out.bin" --repeat "$RUNS" \
          --threads "$THREADS" --json 2>"$WORK/lf.err") &&
      v=$(echo "$out" | tr -d ' \n' | sed -n 's/.*"ms":{"median":\([-0-9.eE+]*\),"min":\([-0-9.eE+]*\),"max":\([-0-9.eE+]*\)}.*/\1 \2 \3/p' |
          awk -v b="$3" '{print $1 / b, $2 / b, $3 / b}')
  fi
  [ -n "${v:-}" ] && echo "$v" || { echo "FAILED ($(tail -n 1 "$WORK/lf.err"))"; return 1; }
}
run_torch() {
  f=$CACHE/$1/torch_$2.pt
  [ -e "$f" ] || { echo "missing ($(cat "$CACHE/$1/torch_$2.why" 2>/dev/null || echo "no $f"))"; return; }
  v=$("$LF_PYTHON" $P/torch_peer.py time "$f" --shape "$(shape "$1")" --batch "$3" --runs "$RUNS" --threads "$THREADS" 2>"$WORK/pt.err" | nums)
  [ -n "$v" ] && echo "$v" || echo "missing (failed: $(tail -n 1 "$WORK/pt.err"))"
}
run_ort() {
  [ -z "$ORT_WHY" ] || { echo "missing ($ORT_WHY)"; return; }
  f=$CACHE/$1/$2.onnx
  [ -e "$f" ] || { echo "missing ($(cat "$CACHE/$1/ort_$2.why" 2>/dev/null || echo "no $f"))"; return; }
  v=$(cd $P && node ort_peer.mjs time "$f" --shape "$(shape "$1")" --batch "$3" --runs "$RUNS" --threads "$THREADS" 2>"$WORK/ort.err" | nums)
  [ -n "$v" ] && echo "$v" || echo "missing (failed: $(tail -n 1 "$WORK/ort.err"))"
}

# --- rounds: every row on every runtime, the order rotating per round ------------------------
r=1
while [ "$r" -le "$ROUNDS" ]; do
  case $((r % 3)) in 1) order="leapfrog torch ort" ;; 2) order="torch ort leapfrog" ;; *) order="ort leapfrog torch" ;; esac
  for a in $ONLY; do for p in int8 fp32; do for b in 1 8; do
    for rt in $order; do
      res=$(run_$rt "$a" "$p" "$b") || status=1
      echo "$a $p $b $rt $r $res" >> "$RES"
    done
  done; done; done
  echo "round $r/$ROUNDS done ($(cut -d' ' -f1-3 /proc/loadavg))"
  r=$((r + 1))
done

# --- table and JSON --------------------------------------------------------------------------
mkdir -p "$LF_BENCH_OUT"
awk -v host="$(nproc) CPUs" -v threads="$THREADS" -v runs="$RUNS" -v rounds="$ROUNDS" -v json="$LF_BENCH_OUT/peers.json" \
    -v torch="$TORCH_VER" -v engine="$(cat "$CACHE"/*/torch_info.json 2>/dev/null | sed -n 's/.*"engine": *"\([^"]*\)".*/\1/p' | head -n 1)" \
    -v ort="$ORT_VER" -v lfhow="$LF_HOW" '
function median(s,   n, a, i, j, t) {
  n = split(s, a, " ")
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j] + 0 < a[j - 1] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
{
  k = $1 " " $2 " " $3 " " $4
  if (!(($1 " " $2 " " $3) in seen)) { seen[$1 " " $2 " " $3] = 1; rows[++nr] = $1 " " $2 " " $3 }
  if ($6 ~ /^[-0-9.]/) {
    meds[k] = meds[k] " " $6
    if (!(k in mn) || $7 + 0 < mn[k]) mn[k] = $7 + 0
    if (!(k in mx) || $8 + 0 > mx[k]) mx[k] = $8 + 0
  } else if (!(k in why)) { why[k] = $6; for (i = 7; i <= NF; i++) why[k] = why[k] " " $i }
}
END {
  name["densenet"] = "DenseNet-121 224x224x3"; name["unet"] = "UNet 80x112x1"
  split("leapfrog torch ort", rt, " ")
  title["leapfrog"] = "leapfrog"; title["torch"] = "PyTorch " torch " (" engine ")"; title["ort"] = "ONNX Runtime " ort
  printf "\n%-23s %-5s %-5s | %-28s | %-34s | %-34s\n", "model", "prec", "batch", title["leapfrog"] " (" lfhow ")", title["torch"] "  x", title["ort"] "  x"
  printf "{\"host\":%s,\"threads\":%d,\"runs\":%d,\"rounds\":%d,\"leapfrog_via\":%s,\"torch\":%s,\"torch_engine\":%s,\"onnxruntime\":%s,\"rows\":[", \
    jstr(host), threads, runs, rounds, jstr(lfhow), jstr(torch), jstr(engine), jstr(ort) > json
  for (i = 1; i <= nr; i++) {
    split(rows[i], f, " ")
    line = sprintf("%-23s %-5s %-5s", name[f[1]], toupper(f[2]), f[3])
    js = sprintf("%s{\"model\":%s,\"precision\":%s,\"batch\":%d", i > 1 ? "," : "", jstr(name[f[1]]), jstr(toupper(f[2])), f[3])
    lk = rows[i] " leapfrog"; lmed = (lk in meds) ? median(meds[lk]) : ""
    for (j = 1; j <= 3; j++) {
      k = rows[i] " " rt[j]
      if (k in meds) {
        m = median(meds[k]); cell = sprintf("%.1f [%.1f-%.1f]", m, mn[k], mx[k])
        js = js sprintf(",\"%s\":{\"ms_per_image_median\":%.4f,\"ms_per_image_min\":%.4f,\"ms_per_image_max\":%.4f", rt[j], m, mn[k], mx[k])
        if (j > 1 && lmed != "" && lmed > 0) { cell = cell sprintf("  %.2fx", m / lmed); js = js sprintf(",\"speedup\":%.4f", m / lmed) }
        js = js "}"
      } else {
        cell = why[k]; js = js sprintf(",\"%s\":{\"note\":%s}", rt[j], jstr(why[k]))
      }
      line = line sprintf(" | %-" (j == 1 ? 28 : 34) "s", cell)
    }
    print line
    printf "%s}", js > json
  }
  print "]}" > json
  print "ms/image: median of the round medians [min-max over all runs]; x = peer ms / leapfrog ms (> 1: leapfrog faster)"
}' "$RES"
echo "json: $LF_BENCH_OUT/peers.json"
exit $status
