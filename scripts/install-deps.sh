#!/bin/sh
# Installs everything leapfrog needs to build, test and run its demo on Debian 12.
# Idempotent: packages already present are skipped quickly by apt.
#   scripts/install-deps.sh          build + test + cross + oracle dependencies
#   LF_DEPS=build scripts/install-deps.sh   only what building the CLI needs
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

build_pkgs="build-essential pkg-config zlib1g-dev libpng-dev libtiff-dev libjpeg62-turbo-dev \
 libcjson-dev libopenblas-dev libdnnl-dev"
test_pkgs="clang libclang-rt-14-dev gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
 libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user python3 python3-numpy python3-torch \
 python3-torchvision python3-sklearn python3-pil python3-onnx nodejs npm"

pkgs="$build_pkgs"
[ "${LF_DEPS:-all}" = build ] || pkgs="$pkgs $test_pkgs"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm may come with a node that is not Debian's; accept any working npm.
case " $missing " in *" npm "*) command -v npm >/dev/null && missing=$(echo "$missing" | sed 's/ npm//');; esac
case " $missing " in *" nodejs "*) command -v node >/dev/null && missing=$(echo "$missing" | sed 's/ nodejs//');; esac

if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# The TFLite oracle (Google's LiteRT compiled to wasm, from npm); tests only.
if [ "${LF_DEPS:-all}" != build ] && [ ! -d "$here/tests/oracles/tflite/node_modules/@litertjs" ]; then
  echo "install-deps: npm install (tflite oracle)"
  (cd "$here/tests/oracles/tflite" && npm install --no-audit --no-fund --loglevel=error)
fi
# ONNX Runtime for bench/peers.sh (its CPU library ships inside the npm package; the postinstall
# would fetch CUDA providers from NuGet: skipped, here and in bench/peers/.npmrc); benchmarks only.
if [ "${LF_DEPS:-all}" != build ] && [ ! -d "$here/bench/peers/node_modules/onnxruntime-node" ]; then
  echo "install-deps: npm install (onnxruntime-node, bench peers)"
  (cd "$here/bench/peers" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error) ||
    echo "install-deps: warning: onnxruntime-node not installed; bench/peers.sh will show ONNX Runtime missing"
fi
echo "install-deps: ok"
