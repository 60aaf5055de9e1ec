# leapfrog build.  `make` builds the CLI, libraries and tests; `make test` runs them.
#   make test            all tests (C unit tests, CLI tests, oracle tests)
#   make asan-test       the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make cross-test ARCH=aarch64|armv7   runtime tests cross-built and run under qemu-user
#   make cross-predict ARCH=aarch64|armv7  the device binary (leapfrog-predict) under qemu-user
#   make fuzz            libFuzzer targets (clang); FUZZ_SECONDS=N to run each
#   make fuzz-long       every target FUZZ_MINUTES=N minutes (default 10) from fuzz/seeds/
#   make demo            install dependencies, build, run the end-to-end demo
# Sources are found by wildcard: a new file in runtime/src, runtime/kernels/*,
# src/*/, cli/, tests/ or fuzz/ is built without touching this file.

BUILD   ?= build
CC      ?= cc
OPT     ?= -O2
SAN     ?=
ARCH    ?= native

WARN     = -Wall -Wextra -Werror
CPPFLAGS = -Iruntime/include -Iruntime/src -Iinclude -Isrc -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
ifneq ($(SAN),)
  SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif
CFLAGS_RT = -std=c99 $(OPT) -g $(WARN) $(SANFLAGS) $(EXTRA_CFLAGS) -pthread
CFLAGS    = -std=c11 $(OPT) -g $(WARN) $(SANFLAGS) $(EXTRA_CFLAGS) -pthread
LDFLAGS  += $(SANFLAGS) -pthread
LIBS      = -lpng -ltiff -ljpeg -lz -lcjson -lopenblas -ldl -lm
LIBS     += -lmicrohttpd -lgnutls
LIBS     += -lprotobuf-c
# DICOM through DCMTK (src/data/image_dicom.cc, the toolkit's one C++ file);
# LF_DICOM=0 builds without it (DICOM files are then refused with a message).
CXX      ?= g++
LF_DICOM ?= 1
# (no UBSan vptr check: it needs the C++ runtime at link, which cc does not add)
CXXFLAGS  = -std=c++17 $(OPT) -g $(WARN) $(SANFLAGS) $(if $(SAN),-fno-sanitize=vptr) $(EXTRA_CFLAGS) -pthread -ffp-contract=off
ifneq ($(LF_DICOM),0)
  CPPFLAGS += -DLF_HAVE_DICOM
  LIBS     += -ldcmjpls -ldcmjpeg -ldcmimage -ldcmimgle -ldcmdata -loflog -lofstd -lstdc++
endif
# LeakSanitizer's tracer crashes scanning the dynamic TLS of a dlopen'ed
# libdnnl (src/nn/conv_dnnl.c), so sanitizer builds link it up front
# (OpenMP then keeps its default wait policy there).
ifneq ($(SAN),)
  LIBS   += -Wl,--no-as-needed -ldnnl -Wl,--as-needed
endif

# ---- runtime (C99, libc + libm only) -------------------------------------
RT_SRC  = $(wildcard runtime/src/*.c runtime/kernels/ref/*.c)
# ISA-specific kernels compile with their own flags (dispatch picks at run time).
RT_X86_SRC   = $(wildcard runtime/kernels/x86/*.c)
RT_ARM_SRC   = $(wildcard runtime/kernels/arm/*.c)
RT_A64_SRC   = $(wildcard runtime/kernels/arm64/*.c)
MACHINE := $(shell $(CC) -dumpmachine)
ifneq ($(findstring x86_64,$(MACHINE)),)
  RT_SRC += $(RT_X86_SRC)
endif
# runtime/kernels/arm: NEON for armv7 and aarch64; runtime/kernels/arm64: aarch64 only
ifneq ($(findstring aarch64,$(MACHINE))$(findstring arm,$(MACHINE)),)
  RT_SRC += $(RT_ARM_SRC)
endif
ifneq ($(findstring aarch64,$(MACHINE)),)
  RT_SRC += $(RT_A64_SRC)
endif
RT_OBJ  = $(RT_SRC:%.c=$(BUILD)/obj/%.o)
RT_LIB  = $(BUILD)/lib/libleapfrog-rt.a

# ---- MPI (optional) --------------------------------------------------------
# src/dist/dist_mpi.c when mpicc is found (Debian: libopenmpi-dev), else the
# one-process twin src/dist/dist_none.c; `make DIST=none` forces the latter.
# Only the toolkit and the leapfrog CLI link MPI; the runtime and lfrt never do.
ifeq ($(origin DIST),undefined)
  DIST := $(if $(shell command -v mpicc 2>/dev/null),mpi,none)
endif
ifeq ($(DIST),mpi)
  MPI_CFLAGS := $(shell mpicc --showme:compile)
  MPI_LIBS   := $(shell mpicc --showme:link)
  LIBS       += $(MPI_LIBS)
endif
DIST_OFF = $(filter-out src/dist/dist_$(DIST).c,$(wildcard src/dist/dist_*.c))

# ---- toolkit (C11) ---------------------------------------------------------
LF_SRC  = $(filter-out $(DIST_OFF),$(wildcard src/*/*.c))
LF_OBJ  = $(LF_SRC:%.c=$(BUILD)/obj/%.o)
# ONNX import (src/onnx): the C bindings of ONNX's own onnx.proto (Debian's
# python3-onnx ships it) are generated at build time by protoc-c.
ONNX_PROTO ?= /usr/lib/python3/dist-packages/onnx/onnx.proto
ONNX_GEN    = $(BUILD)/gen/onnx
LF_OBJ     += $(BUILD)/obj/gen/onnx.pb-c.o
ifneq ($(LF_DICOM),0)
  LF_OBJ += $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard src/*/*.cc))
endif
LF_LIB  = $(BUILD)/lib/libleapfrog.a
# leapfrog serve's page (src/serve/page.html) built in as a C string
LF_OBJ += $(BUILD)/obj/gen/serve_page.o

CLI_SRC = $(wildcard cli/*.c)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
CLI     = $(BUILD)/leapfrog

# ---- leapfrog-predict: the device binary (issue 10) ----------------------
# `leapfrog predict` alone: the runtime, image decoding and the prediction
# writers (src/core, src/data, src/eval; the linker keeps only what predict
# reaches: no training, quantisation or BLAS code). `make cross-predict
# ARCH=aarch64|armv7` builds it with Debian's multiarch libraries
# (libpng-dev:arm64 ...; scripts/install-deps.sh installs them for tests).
# (src/eval: predict, its file formats and the model metadata only; scoring uses __int128, which armv7 lacks)
DEV_SRC     = $(wildcard src/core/*.c src/data/*.c src/eval/predict*.c src/eval/model_meta.c src/eval/model_oppoints.c)
DEV_SRC    += src/dist/dist_none.c # one process: predict's shards (lf_dist.h) without MPI
DEV_OBJ     = $(DEV_SRC:%.c=$(BUILD)/obj/%.o)
DEV_LIB     = $(BUILD)/lib/libleapfrog-device.a
DEVICE      = $(BUILD)/leapfrog-predict
# leapfrog-serve: `leapfrog serve` alone for the clinic's box (issue 12), the same
# device library plus the HTTP service (libmicrohttpd, GnuTLS); no training code
SERVE_DEV   = $(BUILD)/leapfrog-serve
SERVE_OBJ   = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/serve/*.c)) $(BUILD)/obj/gen/serve_page.o
DEVICE_LIBS = -lpng -ltiff -ljpeg -lz -lcjson -lm
ifneq ($(LF_DICOM),0)
  DEV_OBJ     += $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard src/*/*.cc))
  DEVICE_LIBS += -ldcmjpls -ldcmjpeg -ldcmimage -ldcmimgle -ldcmdata -loflog -lofstd -lstdc++
endif

# ---- tests -----------------------------------------------------------------
# tests/rt/test_*.c link only the runtime (they also run cross-built under qemu);
# tests/test_*.c link the toolkit.  tests/test_*.sh are run by tests/run.sh.
RT_TESTS = $(patsubst tests/rt/%.c,$(BUILD)/tests/rt/%,$(wildcard tests/rt/test_*.c))
LF_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TEST_UTIL_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/util/*.c))

BENCH_SRC = $(wildcard bench/bench_*.c)
BENCHES   = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

# lfrt: the runtime alone as one command (invoke, bench, isa), linked statically
# so one file copies onto a board (not under sanitizers, which cannot be static).
LFRT        = $(BUILD)/lfrt
LFRT_STATIC = $(if $(SAN),,-static)
LFRT_GIT    = $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

.PHONY: all test asan-test cross-test cross-predict rt-tests fuzz fuzz-long demo deps clean bench
all: $(CLI) $(LFRT) $(DEVICE) $(SERVE_DEV) $(RT_TESTS) $(LF_TESTS) $(BENCHES)

$(BUILD)/obj/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RT) $(RT_ISA_FLAGS_$(call rt_isa,$<)) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@
# the optimiser's sqrtf vectorizes only without errno (the values are the same)
$(BUILD)/obj/src/nn/optim.o: CFLAGS += -fno-math-errno
$(BUILD)/obj/src/dist/dist_mpi.o: CPPFLAGS += $(MPI_CFLAGS)
$(BUILD)/obj/cli/leapfrog.o: CPPFLAGS += -DLF_GIT_VERSION='"$(LFRT_GIT)"'

$(BUILD)/gen/serve_page.c: src/serve/page.html scripts/embed_text.sh
	@mkdir -p $(dir $@)
	sh scripts/embed_text.sh $< lf_serve_page_html > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/gen/serve_page.o: $(BUILD)/gen/serve_page.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
$(ONNX_GEN)/onnx.pb-c.c $(ONNX_GEN)/onnx.pb-c.h: $(ONNX_PROTO)
	@mkdir -p $(ONNX_GEN)
	protoc-c --proto_path=$(dir $(ONNX_PROTO)) --c_out=$(ONNX_GEN) $(ONNX_PROTO)
$(BUILD)/obj/gen/onnx.pb-c.o: $(ONNX_GEN)/onnx.pb-c.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 $(OPT) -g $(SANFLAGS) $(EXTRA_CFLAGS) -c $< -o $@
$(BUILD)/obj/src/onnx/%.o: CPPFLAGS += -I$(ONNX_GEN)
$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/onnx/*.c)): | $(ONNX_GEN)/onnx.pb-c.h

$(RT_LIB): $(RT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LF_LIB): $(LF_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# the report's model card names the source commit the toolkit was built from
$(BUILD)/obj/src/eval/report.o: CPPFLAGS += -DLF_GIT_VERSION='"$(LFRT_GIT)"'

$(CLI): $(CLI_OBJ) $(LF_LIB) $(RT_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LF_LIB) $(RT_LIB) $(LIBS)

$(DEV_LIB): $(DEV_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(DEVICE): device/leapfrog_predict.c $(BUILD)/obj/cli/cmd_predict.o $(BUILD)/obj/cli/out_guard.o $(DEV_LIB) $(RT_LIB)
	$(CC) $(CPPFLAGS) -Icli $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/obj/cli/cmd_predict.o $(BUILD)/obj/cli/out_guard.o \
	  $(DEV_LIB) $(RT_LIB) $(DEVICE_LIBS)

$(SERVE_DEV): device/leapfrog_serve.c $(BUILD)/obj/cli/cmd_serve.o $(SERVE_OBJ) $(DEV_LIB) $(RT_LIB)
	$(CC) $(CPPFLAGS) -Icli $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/obj/cli/cmd_serve.o $(SERVE_OBJ) \
	  $(DEV_LIB) $(RT_LIB) -lmicrohttpd -lgnutls $(DEVICE_LIBS)

$(LFRT): runtime/tools/lfrt.c $(RT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RT) -DLFRT_GIT_VERSION='"$(LFRT_GIT)"' $(LDFLAGS) $(LFRT_STATIC) -o $@ $< $(RT_LIB) -lm

$(BUILD)/tests/rt/%: tests/rt/%.c $(RT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS_RT) $(LDFLAGS) -o $@ $< $(RT_LIB) -lm

$(BUILD)/tests/%: tests/%.c $(TEST_UTIL_OBJ) $(LF_LIB) $(RT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_UTIL_OBJ) $(LF_LIB) $(RT_LIB) $(LIBS)

$(BUILD)/bench/%: bench/%.c $(TEST_UTIL_OBJ) $(LF_LIB) $(RT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_UTIL_OBJ) $(LF_LIB) $(RT_LIB) $(LIBS)

# Per-file ISA flags for runtime kernels, chosen by the name's suffix after
# "__" (runtime/kernels/x86/qs8_gemm_8x32c4__avx512vnni.c gets
# RT_ISA_FLAGS_avx512vnni): an AVX2 kernel is never compiled with AVX-512
# enabled, so it cannot fault on an AVX2-only laptop. Files without a suffix
# get none.
rt_isa = $(lastword $(subst __, ,$(basename $(notdir $1))))
RT_ISA_FLAGS_avx2       = -mavx2 -mfma
RT_ISA_FLAGS_avxvnni    = -mavx2 -mfma -mavxvnni
RT_ISA_FLAGS_avx512vnni = -mavx2 -mfma -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni
RT_ISA_FLAGS_amx        = $(RT_ISA_FLAGS_avx512vnni) -mamx-tile -mamx-int8
ifneq ($(findstring aarch64,$(MACHINE)),)
  RT_ISA_FLAGS_neondot  = -march=armv8.2-a+dotprod
else
  RT_ISA_FLAGS_neon     = -mfpu=neon
endif

test: all
	LF_BUILD=$(BUILD) tests/run.sh

asan-test:
	$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 test

# Cross-built runtime tests under qemu-user (the runtime only: no toolkit deps).
CROSS_CC_aarch64 = aarch64-linux-gnu-gcc
CROSS_CC_armv7   = arm-linux-gnueabihf-gcc
# The cross toolchain's glibc first: with Debian's multiarch libc6:arm64/armhf also installed
# (cross-predict needs their image libraries), a threaded test loaded the cross ld.so with the
# multiarch libc and hung in pthreads under qemu.
QEMU_aarch64     = qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib
QEMU_armv7       = qemu-arm -L /usr/arm-linux-gnueabihf -E LD_LIBRARY_PATH=/usr/arm-linux-gnueabihf/lib
rt-tests: $(RT_TESTS)
cross-test:
	$(MAKE) BUILD=build-$(ARCH) CC=$(CROSS_CC_$(ARCH)) rt-tests
	LF_BUILD=build-$(ARCH) LF_QEMU="$(QEMU_$(ARCH))" tests/run.sh rt

# The device binary cross-built, run under qemu-user against the native bytes (without
# DICOM: DCMTK is not installed for the ARM architectures, so DICOM files are refused there
# with a message).
cross-predict:
	$(MAKE) BUILD=build-$(ARCH) CC=$(CROSS_CC_$(ARCH)) LF_DICOM=0 build-$(ARCH)/leapfrog-predict
	tests/cross_predict.sh $(BUILD) build-$(ARCH) "$(QEMU_$(ARCH))"

FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN = $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 0
fuzz:
	$(MAKE) BUILD=build-fuzz DIST=none CC=clang CXX=clang++ SAN=1 OPT=-O1 EXTRA_CFLAGS=-fsanitize=fuzzer-no-link build-fuzz/lib/libleapfrog-rt.a build-fuzz/lib/libleapfrog.a
	$(MAKE) BUILD=build-fuzz DIST=none CC=clang CXX=clang++ SAN=1 OPT=-O1 $(FUZZ_BIN)
	@if [ "$(FUZZ_SECONDS)" != 0 ]; then for f in $(FUZZ_BIN); do \
	  n=$$(basename $$f); mkdir -p fuzz/corpus-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 fuzz/corpus-$$n $$( [ -d fuzz/seeds/$$n ] && echo fuzz/seeds/$$n ) > build-fuzz/$$n.log 2>&1; rc=$$?; \
	  grep -E "stat::number_of_executed_units|ERROR|SUMMARY" build-fuzz/$$n.log; \
	  [ $$rc = 0 ] || { echo "$$n failed (exit $$rc): build-fuzz/$$n.log"; tail -n 40 build-fuzz/$$n.log; exit 1; }; \
	done; fi
# every target for FUZZ_MINUTES minutes each (default 10), starting from the
# seeds kept in fuzz/seeds/<target>/; what it learns stays in fuzz/corpus-<target>/
# (not committed). CI runs the short smoke above (make fuzz FUZZ_SECONDS=15).
FUZZ_MINUTES ?= 10
fuzz-long:
	$(MAKE) fuzz FUZZ_SECONDS=$$(( $(FUZZ_MINUTES) * 60 ))

build-fuzz/fuzz_%: fuzz/fuzz_%.c build-fuzz/lib/libleapfrog.a build-fuzz/lib/libleapfrog-rt.a
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< build-fuzz/lib/libleapfrog.a build-fuzz/lib/libleapfrog-rt.a $(LIBS)

bench: all
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

deps:
	scripts/install-deps.sh

demo:
	scripts/install-deps.sh
	$(MAKE) $(CLI)
	LEAPFROG=$(CLI) scripts/demo.sh

clean:
	rm -rf build build-asan build-aarch64 build-armv7 build-fuzz build-nompi

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
