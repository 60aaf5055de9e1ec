#!/bin/sh
# Installs everything leapfrog needs to build, test and run its demo on Debian 12.
# Idempotent: packages already present are skipped quickly by apt.
#   scripts/install-deps.sh          build + test + cross + oracle dependencies
#   LF_DEPS=build scripts/install-deps.sh   only what building the CLI needs
#   LF_DEPS=cross scripts/install-deps.sh   the ARM libraries of the device binary (adds the
#                 arm64 and armhf architectures to dpkg; used by .ci/run's cross step only)
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

build_pkgs="build-essential pkg-config zlib1g-dev libpng-dev libtiff-dev libjpeg62-turbo-dev \
 libcjson-dev libopenblas-dev libdnnl-dev \
 libmicrohttpd-dev libgnutls28-dev"
# MPI for data-parallel train/qat/predict (optional: the build detects mpicc)
build_pkgs="$build_pkgs libopenmpi-dev"
build_pkgs="$build_pkgs libdcmtk-dev"   # DICOM (src/data/image_dicom.cc)
test_pkgs="clang libclang-rt-14-dev gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
 libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user python3 python3-numpy python3-torch \
 python3-torchvision python3-sklearn python3-pil python3-onnx nodejs npm"
# leapfrog report's test renders the page headless (tests/test_report.sh)
test_pkgs="$test_pkgs chromium"
# test_serve.sh makes a TLS certificate
test_pkgs="$test_pkgs openssl"
# mpirun for the data-parallel tests (tests/test_mpi.sh)
test_pkgs="$test_pkgs openmpi-bin"
test_pkgs="$test_pkgs dcmtk python3-pydicom"   # DICOM tests (tests/dicom_make.py)

# ONNX import: protoc-c compiles python3-onnx's onnx.proto at build time
build_pkgs="$build_pkgs libprotobuf-c-dev protobuf-c-compiler python3-onnx"
pkgs="$build_pkgs"
[ "${LF_DEPS:-all}" = build ] || pkgs="$pkgs $test_pkgs"
# leapfrog-predict cross-built (make cross-predict): the image libraries of each ARM
# architecture from Debian's multiarch archive, beside the host's
if [ "${LF_DEPS:-all}" = cross ]; then
  pkgs=""
  for a in arm64 armhf; do
    dpkg --print-foreign-architectures | grep -qx $a || { $SUDO dpkg --add-architecture $a; added=1; }
    for p in libpng-dev libjpeg62-turbo-dev libtiff-dev zlib1g-dev libcjson-dev; do pkgs="$pkgs $p:$a"; done
  done
  [ -z "${added:-}" ] || $SUDO apt-get update -qq
fi

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
[ "${LF_DEPS:-all}" = cross ] && { echo "install-deps: ok (cross)"; exit 0; }
if [ "${LF_DEPS:-all}" != build ] && [ ! -d "$here/tests/oracles/tflite/node_modules/@litertjs" ]; then
  echo "install-deps: npm install (tflite oracle)"
  (cd "$here/tests/oracles/tflite" && npm install --no-audit --no-fund --loglevel=error)
fi
# Public MediaPipe models (the .tflite files inside MediaPipe's npm packages) for
# tests/test_mediapipe.sh; tests only, never committed.
if [ "${LF_DEPS:-all}" != build ] && [ ! -d "$here/tests/oracles/mediapipe/node_modules/@mediapipe/objectron" ]; then
  echo "install-deps: npm install (MediaPipe models)"
  (cd "$here/tests/oracles/mediapipe" && npm install --no-audit --no-fund --loglevel=error)
fi
# ONNX Runtime for bench/peers.sh (its CPU library ships inside the npm package; the postinstall
# would fetch CUDA providers from NuGet: skipped, here and in bench/peers/.npmrc); benchmarks only.
if [ "${LF_DEPS:-all}" != build ] && [ ! -d "$here/bench/peers/node_modules/onnxruntime-node" ]; then
  echo "install-deps: npm install (onnxruntime-node, bench peers)"
  (cd "$here/bench/peers" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error) ||
    echo "install-deps: warning: onnxruntime-node not installed; bench/peers.sh will show ONNX Runtime missing"
fi
echo "install-deps: ok"
