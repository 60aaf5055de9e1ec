/* CPU feature detection (once) and ISA names (see lfrt_isa.h).
 * x86-64: cpuid + xgetbv (the OS must save the YMM/ZMM/tile state), AMX also
 * needs the tile-data permission from the kernel (arch_prctl). ARM: the
 * kernel's hwcaps (getauxval). Elsewhere only the reference kernels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_isa.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif
#define LFRT_X86 1
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define LFRT_A64 1
#elif defined(__arm__) && defined(__linux__)
#include <sys/auxv.h>
#define LFRT_A32 1
#endif

static const char *const names[LFRT_ISA_COUNT] = {"ref", "avx2", "avxvnni", "avx512vnni", "amx", "neon", "neondot"};

/* Which ISAs this build compiled kernels for (the Makefile compiles
 * runtime/kernels/x86 on x86-64 and runtime/kernels/arm on ARM). */
static int compiled(lfrt_isa isa) {
  switch (isa) {
  case LFRT_ISA_REF: return 1;
#if defined(LFRT_X86)
  case LFRT_ISA_AVX2: case LFRT_ISA_AVXVNNI: case LFRT_ISA_AVX512VNNI: return 1;
#endif
#if defined(LFRT_A64) || (defined(LFRT_A32) && !defined(LFRT_NO_NEON))
  case LFRT_ISA_NEON: return 1;
#endif
#if defined(LFRT_A64)
  case LFRT_ISA_NEONDOT: return 1;
#endif
  default: return 0;
  }
}

#if defined(LFRT_X86)
static unsigned long long xgetbv0(void) {
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}

static unsigned detect(void) {
  unsigned a, b, c, d, mask = 1u << LFRT_ISA_REF;
  if (!__get_cpuid_count(1, 0, &a, &b, &c, &d)) return mask;
  int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1;
  if (!osxsave) return mask;
  unsigned long long xcr0 = xgetbv0();
  int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
  unsigned b7 = 0, c7 = 0, d7 = 0, a71 = 0, b71, c71, d71;
  if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d7) && a >= 1) __get_cpuid_count(7, 1, &a71, &b71, &c71, &d71);
  int avx2 = (b7 >> 5) & 1, avx512f = (b7 >> 16) & 1, avx512bw = (b7 >> 30) & 1, avx512vl = (b7 >> 31) & 1;
  int avx512dq = (b7 >> 17) & 1, vnni512 = (c7 >> 11) & 1, avxvnni = (a71 >> 4) & 1;
  int amx_tile = (d7 >> 24) & 1, amx_int8 = (d7 >> 25) & 1;
  if (ymm && avx2 && fma) mask |= 1u << LFRT_ISA_AVX2;
  if (ymm && avx2 && fma && avxvnni) mask |= 1u << LFRT_ISA_AVXVNNI;
  if (zmm && avx512f && avx512bw && avx512vl && avx512dq && vnni512 && avx2 && fma) mask |= 1u << LFRT_ISA_AVX512VNNI;
#if defined(__linux__) && defined(SYS_arch_prctl)
  /* AMX tile data must be enabled by the OS in XCR0 (bits 17, 18) and granted
   * to this process (ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18). */
  if (amx_tile && amx_int8 && (mask & (1u << LFRT_ISA_AVX512VNNI)) && (xcr0 & 0x60000) == 0x60000 &&
      syscall(SYS_arch_prctl, 0x1023, 18) == 0)
    mask |= 1u << LFRT_ISA_AMX;
#else
  (void)amx_tile; (void)amx_int8;
#endif
  return mask;
}
#elif defined(LFRT_A64)
static unsigned detect(void) {
  unsigned long hw = getauxval(AT_HWCAP);
  unsigned mask = (1u << LFRT_ISA_REF) | (1u << LFRT_ISA_NEON); /* ASIMD is mandatory on aarch64 */
  if (hw & (1ul << 20)) mask |= 1u << LFRT_ISA_NEONDOT;       /* HWCAP_ASIMDDP */
  return mask;
}
#elif defined(LFRT_A32)
static unsigned detect(void) {
  unsigned long hw = getauxval(AT_HWCAP);
  unsigned mask = 1u << LFRT_ISA_REF;
  if (hw & (1ul << 12)) mask |= 1u << LFRT_ISA_NEON; /* HWCAP_NEON */
  return mask;
}
#else
static unsigned detect(void) { return 1u << LFRT_ISA_REF; }
#endif

/* Detection is idempotent, so a benign race between threads is harmless;
 * the volatile keeps each thread's read whole. */
static volatile unsigned cached;

static unsigned available_mask(void) {
  unsigned m = cached;
  if (!m) {
    m = detect();
    for (int i = 0; i < LFRT_ISA_COUNT; i++)
      if (!compiled((lfrt_isa)i)) m &= ~(1u << i);
    cached = m;
  }
  return m;
}

const char *lfrt_isa_name(lfrt_isa isa) {
  return (unsigned)isa < LFRT_ISA_COUNT ? names[isa] : "?";
}

int lfrt_isa_from_name(const char *name) {
  for (int i = 0; name && i < LFRT_ISA_COUNT; i++)
    if (!strcmp(name, names[i])) return i;
  return -1;
}

int lfrt_isa_available(lfrt_isa isa) {
  return (unsigned)isa < LFRT_ISA_COUNT && ((available_mask() >> isa) & 1);
}

int lfrt_isa_implies(lfrt_isa chosen, lfrt_isa have) {
  if (have == LFRT_ISA_REF || have == chosen) return 1;
  switch (chosen) {
  case LFRT_ISA_AVXVNNI: return have == LFRT_ISA_AVX2;
  case LFRT_ISA_AVX512VNNI: return have == LFRT_ISA_AVX2;
  case LFRT_ISA_AMX: return have == LFRT_ISA_AVX512VNNI || have == LFRT_ISA_AVX2;
  case LFRT_ISA_NEONDOT: return have == LFRT_ISA_NEON;
  default: return 0;
  }
}

lfrt_isa lfrt_isa_best(void) {
  static const lfrt_isa order[] = {LFRT_ISA_AMX, LFRT_ISA_AVX512VNNI, LFRT_ISA_AVXVNNI, LFRT_ISA_AVX2,
                                   LFRT_ISA_NEONDOT, LFRT_ISA_NEON};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (lfrt_isa_available(order[i])) return order[i];
  return LFRT_ISA_REF;
}

const char *lfrt_isa_list(void) {
  static char buf[96];
  if (!buf[0]) {
    char tmp[96] = "";
    for (int i = 0; i < LFRT_ISA_COUNT; i++)
      if (lfrt_isa_available((lfrt_isa)i)) {
        if (tmp[0]) strcat(tmp, " ");
        strcat(tmp, names[i]);
      }
    memcpy(buf, tmp, sizeof buf);
  }
  return buf;
}

lfrt_status lfrt_isa_resolve(const char *name, lfrt_isa *out, lfrt_error *err) {
  const char *src = "requested";
  if (!name || !name[0] || !strcmp(name, "auto")) {
    name = getenv("LFRT_ISA");
    src = "LFRT_ISA";
    if (!name || !name[0] || !strcmp(name, "auto")) {
      *out = lfrt_isa_best();
      return LFRT_OK;
    }
  }
  int i = lfrt_isa_from_name(name);
  if (i < 0)
    return lfrt_set_error(err, LFRT_EINVAL, "%s ISA '%s' is unknown (one of: ref avx2 avxvnni avx512vnni amx neon neondot)",
                          src, name);
  if (!lfrt_isa_available((lfrt_isa)i))
    return lfrt_set_error(err, LFRT_EUNSUPPORTED, "%s ISA '%s' is not available on this CPU/build (available: %s)", src,
                          name, lfrt_isa_list());
  *out = (lfrt_isa)i;
  return LFRT_OK;
}
