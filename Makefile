# leapfrog build.  `make` builds the CLI, libraries and tests; `make test` runs them.
#   make test            all tests (C unit tests, CLI tests, oracle tests)
#   make asan-test       the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make cross-test ARCH=aarch64|armv7   runtime tests cross-built and run under qemu-user
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
CPPFLAGS = -Iruntime/include -Iruntime/src -Iinclude -Isrc -D_GNU_SOURCE
ifneq ($(SAN),)
  SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif
CFLAGS_RT = -std=c99 $(OPT) -g $(WARN) $(SANFLAGS) $(EXTRA_CFLAGS) -pthread
CFLAGS    = -std=c11 $(OPT) -g $(WARN) $(SANFLAGS) $(EXTRA_CFLAGS) -pthread
LDFLAGS  += $(SANFLAGS) -pthread
LIBS      = -lpng -ltiff -ljpeg -lz -lcjson -lopenblas -ldl -lm
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

# ---- toolkit (C11) ---------------------------------------------------------
LF_SRC  = $(wildcard src/*/*.c)
LF_OBJ  = $(LF_SRC:%.c=$(BUILD)/obj/%.o)
LF_LIB  = $(BUILD)/lib/libleapfrog.a

CLI_SRC = $(wildcard cli/*.c)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
CLI     = $(BUILD)/leapfrog

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

.PHONY: all test asan-test cross-test rt-tests fuzz fuzz-long demo deps clean bench
all: $(CLI) $(LFRT) $(RT_TESTS) $(LF_TESTS) $(BENCHES)

$(BUILD)/obj/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RT) $(RT_ISA_FLAGS_$(call rt_isa,$<)) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
# the optimiser's sqrtf vectorizes only without errno (the values are the same)
$(BUILD)/obj/src/nn/optim.o: CFLAGS += -fno-math-errno

$(RT_LIB): $(RT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LF_LIB): $(LF_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LF_LIB) $(RT_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LF_LIB) $(RT_LIB) $(LIBS)

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
QEMU_aarch64     = qemu-aarch64 -L /usr/aarch64-linux-gnu
QEMU_armv7       = qemu-arm -L /usr/arm-linux-gnueabihf
rt-tests: $(RT_TESTS)
cross-test:
	$(MAKE) BUILD=build-$(ARCH) CC=$(CROSS_CC_$(ARCH)) rt-tests
	LF_BUILD=build-$(ARCH) LF_QEMU="$(QEMU_$(ARCH))" tests/run.sh rt

FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN = $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 0
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SAN=1 OPT=-O1 EXTRA_CFLAGS=-fsanitize=fuzzer-no-link build-fuzz/lib/libleapfrog-rt.a build-fuzz/lib/libleapfrog.a
	$(MAKE) BUILD=build-fuzz CC=clang SAN=1 OPT=-O1 $(FUZZ_BIN)
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
	rm -rf build build-asan build-aarch64 build-armv7 build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
