#!/bin/sh
# lfrt, the runtime-only static command, and `leapfrog bench`:
#  - `lfrt invoke` writes the same bytes as `leapfrog invoke` on every zoo model
#    (small DenseNet-121 and UNets, int8 and fp32; 1 and 3 threads), with the
#    same messages and exit codes on bad input;
#  - LFRT_ISA=ref gives the default ISA's bytes (int8 exactly; fp32 within 1e-5);
#  - `lfrt bench --json` and `leapfrog bench --json --profile` print one JSON
#    object with the documented fields, consistent with each other;
#  - an unknown ISA, or one this CPU lacks, is exit 2 with a message naming it;
#  - lfrt is statically linked (not in sanitizer builds).
: "${LF_BUILD:=build}" "${LEAPFROG:=$LF_BUILD/leapfrog}" "${LF_TMP:=/tmp}" "${LF_PYTHON:=/usr/bin/python3}"
LFRT="$LF_BUILD/lfrt"
d="$LF_TMP/lfrt"
rm -rf "$d" && mkdir -p "$d/zoo" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$LFRT" ] || fail "$LFRT is not built (make $LFRT)"

"$LF_BUILD/bench/bench_runtime" --write-models "$d/zoo" --small >/dev/null || fail "cannot write the zoo models"
n=0
while IFS="$(printf '\t')" read -r name model input class; do
  "$LEAPFROG" invoke "$model" --input "$input" --output "$d/$name.lf.bin" 2>"$d/$name.lf.err" || fail "leapfrog invoke $name: $(cat "$d/$name.lf.err")"
  "$LFRT" invoke "$model" --input "$input" --output "$d/$name.rt.bin" 2>"$d/$name.rt.err" || fail "lfrt invoke $name: $(cat "$d/$name.rt.err")"
  cmp -s "$d/$name.lf.bin" "$d/$name.rt.bin" || fail "$name: lfrt invoke and leapfrog invoke differ"
  "$LFRT" invoke "$model" --input "$input" --output "$d/$name.t3.bin" --threads 3 2>/dev/null || fail "lfrt invoke $name --threads 3"
  cmp -s "$d/$name.lf.bin" "$d/$name.t3.bin" || fail "$name: lfrt invoke depends on the thread count"
  LFRT_ISA=ref "$LFRT" invoke "$model" --input "$input" --output "$d/$name.ref.bin" 2>/dev/null || fail "LFRT_ISA=ref lfrt invoke $name"
  if [ "$class" = i8 ]; then
    cmp -s "$d/$name.rt.bin" "$d/$name.ref.bin" || fail "$name: LFRT_ISA=ref and the default ISA differ"
  else
    "$LF_PYTHON" - "$d/$name.rt.bin" "$d/$name.ref.bin" <<'PY' || fail "$name: LFRT_ISA=ref and the default ISA differ beyond 1e-5"
import sys, struct
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
assert len(a) == len(b) and len(a) % 4 == 0
x, y = (struct.unpack(f"<{len(a)//4}f", s) for s in (a, b))
bad = [i for i in range(len(x)) if abs(x[i] - y[i]) > 1e-5 * max(1.0, abs(y[i]))]
assert not bad, f"{len(bad)} values differ, first at {bad[0]}: {x[bad[0]]} vs {y[bad[0]]}"
PY
  fi
  n=$((n + 1))
  echo "$name ($class): lfrt == leapfrog invoke, 1 == 3 threads, default ISA == ref ($(wc -c <"$d/$name.rt.bin") bytes)"
done <"$d/zoo/models.tsv"
[ "$n" -ge 4 ] || fail "only $n zoo models"

# the same --json line (but the times), messages and exit codes as leapfrog invoke
m="$d/zoo/unet_i8.tflite"; in="$d/zoo/unet_i8.in.bin"
"$LEAPFROG" invoke "$m" --input "$in" --output "$d/j.bin" --json >"$d/lf.json" 2>/dev/null || fail "leapfrog invoke --json"
"$LFRT" invoke "$m" --input "$in" --output "$d/j.bin" --json >"$d/rt.json" 2>/dev/null || fail "lfrt invoke --json"
"$LF_PYTHON" - "$d/lf.json" "$d/rt.json" <<'PY' || fail "invoke --json differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("ms"); b.pop("ms")
assert a == b, (a, b)
PY
head -c 100 "$in" >"$d/short.bin"
lfrt_abs="$(cd "$(dirname "$LFRT")" && pwd)/lfrt"
for cmd in "$LEAPFROG invoke" "$lfrt_abs invoke"; do
  $cmd "$m" --input "$d/short.bin" --output "$d/x" 2>"$d/e1"; [ $? = 1 ] || fail "$cmd short input: want exit 1"
  $cmd "$m" --input "$in,$in" --output "$d/x" 2>"$d/e2"; [ $? = 2 ] || fail "$cmd two inputs: want exit 2"
  $cmd "$d/missing.tflite" --input "$in" --output "$d/x" 2>"$d/e3"; [ $? = 1 ] || fail "$cmd missing model: want exit 1"
  $cmd "$m" --input "$in" --output "$d/x" --threads 0 2>/dev/null; [ $? = 2 ] || fail "$cmd --threads 0: want exit 2"
  $cmd >/dev/null 2>&1; [ $? = 2 ] || fail "$cmd without arguments: want exit 2"
  cp "$m" "$d/m.copy"   # the output never replaces the model; "-" is stdout
  $cmd "$m" --input "$in" --output "$m" 2>"$d/e4"; [ $? = 2 ] || fail "$cmd --output MODEL: want exit 2"
  cmp -s "$m" "$d/m.copy" || fail "$cmd --output MODEL changed the model"
  (cd "$d" && $cmd "$m" --input "$in" --output - 2>/dev/null >"$d/stdout.bin") || fail "$cmd --output -"
  [ ! -e "$d/-" ] && cmp -s "$d/stdout.bin" "$d/j.bin" || fail "$cmd --output - did not write stdout"
  cat "$d/e1" "$d/e2" "$d/e3" "$d/e4" | sed 's/^leapfrog invoke: //; s/^lfrt invoke: //' >"$d/msgs.$(basename "${cmd% *}")"
done
cmp -s "$d/msgs.leapfrog" "$d/msgs.lfrt" || fail "lfrt invoke's messages differ: $(diff "$d/msgs.leapfrog" "$d/msgs.lfrt")"
grep -q "expected $(wc -c <"$in") bytes" "$d/msgs.lfrt" || fail "short input message: $(cat "$d/msgs.lfrt")"

# bench: one JSON object with the fields, the same from both commands
"$LFRT" bench "$m" --runs 3 --warmup 1 --json >"$d/rt_bench.json" 2>"$d/rt_bench.err" || fail "lfrt bench: $(cat "$d/rt_bench.err")"
"$LEAPFROG" bench "$d/zoo/densenet121_i8.tflite" --runs 2 --threads 2 --json --profile --peak-gmacs 100 \
  >"$d/lf_bench.json" 2>"$d/lf_bench.err" || fail "leapfrog bench: $(cat "$d/lf_bench.err")"
"$LF_PYTHON" - "$d/rt_bench.json" "$d/lf_bench.json" <<'PY' || fail "bench JSON"
import json, sys
rt, lf = (json.load(open(p)) for p in sys.argv[1:3])
need = ["ms_per_image_median", "ms_per_image_min", "ms_per_image_max", "ms_per_invoke_median", "batch",
        "threads", "isa", "gmacs", "arena_bytes", "peak_rss_bytes", "model_bytes"]
for j in (rt, lf):
    missing = [k for k in need if k not in j]
    assert not missing, missing
    assert j["batch"] == 1 and j["arena_bytes"] > 0 and j["model_bytes"] > 0 and j["peak_rss_bytes"] > 0, j
    assert 0 < j["ms_per_image_min"] <= j["ms_per_image_median"] <= j["ms_per_image_max"], j
    assert abs(j["ms_per_invoke_median"] - j["ms_per_image_median"] * j["batch"]) < 1e-3, j
    assert j["gmacs"] > 0 and j["macs_per_invoke"] > 0, j
assert rt["runs"] == 3 and rt["threads"] == 1 and "profile" not in rt and rt["peak_share"] is None, rt
assert lf["runs"] == 2 and lf["threads"] == 2 and lf["peak_gmacs"] == 100, lf
assert abs(lf["peak_share"] - lf["gmacs"] / 100) < 1e-6, lf
p = lf["profile"]
ops = {g["op"] for g in p["by_op"]}
assert {"CONV_2D", "CONCATENATION", "FULLY_CONNECTED"} <= ops, ops
assert sum(g["nodes"] for g in p["by_op"]) == lf["nodes"] == sum(g["nodes"] for g in p["by_kernel"]), p
assert abs(sum(g["share"] for g in p["by_op"]) - 1) < 1e-3, p["by_op"]
assert sum(g["macs"] for g in p["by_op"]) == lf["macs_per_invoke"], p["by_op"]
s = p["slowest_nodes"]
assert len(s) == 10 and all(s[i]["ms"] >= s[i + 1]["ms"] for i in range(9)), s
assert all(n["kernel"] and n["op"] and 0 <= n["node"] < lf["nodes"] for n in s), s
print("bench json ok:", rt["ms_per_image_median"], "ms/image (unet_i8),", lf["ms_per_image_median"], "ms/image (densenet121_i8),",
      lf["isa"], len(p["by_op"]), "op types,", len(p["by_kernel"]), "kernels")
PY
"$LFRT" bench "$m" --runs 1 --profile >"$d/rt_bench.txt" 2>&1 || fail "lfrt bench (text)"
for w in "per image" "per invoke" "GMAC/s" "arena" "peak RSS" "by op type" "by kernel" "slowest nodes"; do
  grep -q "$w" "$d/rt_bench.txt" || fail "lfrt bench text lacks '$w': $(cat "$d/rt_bench.txt")"
done
"$LEAPFROG" bench --help | grep -q "usage: leapfrog bench" || fail "leapfrog bench --help"
"$LFRT" bench --help | grep -q "usage: lfrt bench" || fail "lfrt bench --help"
"$LFRT" invoke --help | grep -q "usage: lfrt invoke" || fail "lfrt invoke --help"

# ISAs: unknown, or known but not on this CPU: exit 2 with a message naming it
"$LFRT" isa | grep -qw ref || fail "lfrt isa lacks ref: $("$LFRT" isa)"
"$LFRT" --version | grep -q "^lfrt " || fail "lfrt --version"
lacking=""
for i in ref avx2 avxvnni avx512vnni amx neon neondot; do
  "$LFRT" isa | grep -qw "$i" || { lacking=$i; break; }
done
for cmd in "$LFRT bench $m" "$LEAPFROG bench $m" "$LFRT invoke $m --input $in --output $d/x" "$LEAPFROG invoke $m --input $in --output $d/x"; do
  $cmd --isa bogus >/dev/null 2>"$d/isa.err"; [ $? = 2 ] || fail "$cmd --isa bogus: want exit 2"
  grep -q "'bogus' is unknown" "$d/isa.err" || fail "$cmd --isa bogus message: $(cat "$d/isa.err")"
  LFRT_ISA=bogus $cmd >/dev/null 2>"$d/isa.err"; [ $? = 2 ] || fail "LFRT_ISA=bogus $cmd: want exit 2"
  grep -q "LFRT_ISA" "$d/isa.err" || fail "LFRT_ISA=bogus message: $(cat "$d/isa.err")"
  if [ -n "$lacking" ]; then
    $cmd --isa "$lacking" >/dev/null 2>"$d/isa.err"; [ $? = 2 ] || fail "$cmd --isa $lacking (not on this CPU): want exit 2"
    grep -q "'$lacking' is not available" "$d/isa.err" || fail "--isa $lacking message: $(cat "$d/isa.err")"
  fi
done

# one static file to copy onto a board (sanitizer builds cannot be static)
if [ -z "${LF_SANITIZED:-}" ] && command -v readelf >/dev/null 2>&1; then
  readelf -l "$LFRT" | grep -q "Requesting program interpreter" && fail "$LFRT is dynamically linked"
  echo "lfrt is static ($(wc -c <"$LFRT") bytes)"
fi
echo "ok"
