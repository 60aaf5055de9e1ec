/* Minimal test harness shared by every C test (C99, no dependencies).
 *   LF_CHECK(cond)               records a failure with file:line, keeps going
 *   LF_CHECK_MSG(cond, fmt, ...) the same with a message
 *   LF_TEST(name) { ... }        defines a test; LF_RUN(name) runs it
 *   return lf_test_summary();    at the end of main: prints counts, 0 if all passed
 * Each binary exits 0 when every check passed, 1 otherwise; tests/run.sh counts binaries. */
#ifndef LF_TEST_H
#define LF_TEST_H
#include <stdio.h>

static int lf_test_checks, lf_test_failures;
static const char *lf_test_current = "";

#define LF_CHECK(cond) LF_CHECK_MSG(cond, "%s", #cond)
#define LF_CHECK_MSG(cond, ...)                                                  \
  do {                                                                           \
    lf_test_checks++;                                                            \
    if (!(cond)) {                                                               \
      lf_test_failures++;                                                        \
      if (lf_test_failures <= 50) {                                              \
        fprintf(stderr, "%s:%d: [%s] check failed: ", __FILE__, __LINE__,        \
                lf_test_current);                                                \
        fprintf(stderr, __VA_ARGS__);                                            \
        fputc('\n', stderr);                                                     \
      }                                                                          \
    }                                                                            \
  } while (0)

#define LF_TEST(name) static void name(void)
#define LF_RUN(name)                                                             \
  do {                                                                           \
    int before_ = lf_test_failures;                                              \
    lf_test_current = #name;                                                     \
    name();                                                                      \
    printf("%s %s\n", lf_test_failures == before_ ? "ok  " : "FAIL", #name);     \
  } while (0)

static int lf_test_summary(void) {
  printf("%d checks, %d failed\n", lf_test_checks, lf_test_failures);
  return lf_test_failures ? 1 : (lf_test_checks ? 0 : 1); /* a test that checks nothing fails */
}
#endif
