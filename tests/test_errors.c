/* The error API keeps the reason: context is added in front of a callee's
 * message, never formatted from the buffer into itself. */
#include <string.h>

#include "leapfrog/lf_status.h"
#include "lf_test.h"

LF_TEST(error_with_its_own_message_as_argument) {
  lf_error(LF_EBADFILE, "arch 'zzz' is not one of densenet121, unet");
  /* the pattern every call site used to have: the old text must survive */
  LF_CHECK(lf_error(LF_EBADFILE, "m.safetensors: leapfrog.config: %s", lf_last_error()) == LF_EBADFILE);
  LF_CHECK_MSG(!strcmp(lf_last_error(), "m.safetensors: leapfrog.config: arch 'zzz' is not one of densenet121, unet"),
               "got '%s'", lf_last_error());
}

LF_TEST(prefix_keeps_the_reason) {
  lf_error(LF_EIO, "runs/a/last.safetensors: No such file or directory");
  LF_CHECK(lf_error_prefix(LF_EIO, "--resume: ") == LF_EIO);
  LF_CHECK_MSG(!strcmp(lf_last_error(), "--resume: runs/a/last.safetensors: No such file or directory"), "got '%s'",
               lf_last_error());
  /* twice: each layer adds its context once */
  lf_error_prefix(LF_EIO, "train: ");
  LF_CHECK(!strcmp(lf_last_error(), "train: --resume: runs/a/last.safetensors: No such file or directory"));
}

LF_TEST(prefix_without_a_message_names_the_status) {
  lf_clear_error();
  lf_error_prefix(LF_ENOMEM, "nn: %s: ", "features.conv0");
  LF_CHECK_MSG(!strcmp(lf_last_error(), "nn: features.conv0: out of memory"), "got '%s'", lf_last_error());
}

LF_TEST(long_messages_are_cut_not_overrun) {
  char big[3000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  lf_error(LF_EINVAL, "%s", big);
  lf_error_prefix(LF_EINVAL, "ctx: ");
  LF_CHECK(!strncmp(lf_last_error(), "ctx: xxx", 8));
  LF_CHECK(strlen(lf_last_error()) < sizeof big);
}

int main(void) {
  LF_RUN(error_with_its_own_message_as_argument);
  LF_RUN(prefix_keeps_the_reason);
  LF_RUN(prefix_without_a_message_names_the_status);
  LF_RUN(long_messages_are_cut_not_overrun);
  return lf_test_summary();
}
