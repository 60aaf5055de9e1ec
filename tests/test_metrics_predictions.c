/* Predictions JSON and Kaggle submission CSV: both accepted shapes, refusals
 * with clear messages (NaN, out of range, duplicates, malformed), atomic
 * writers that read back identically. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_predictions.h"
#include "lf_test.h"

static lf_status pj(const char *s, lf_predictions *p) { return lf_predictions_parse_json(s, strlen(s), "p.json", p); }
static lf_status pc(const char *s, lf_submission *p) { return lf_submission_parse_csv(s, strlen(s), "sub.csv", p); }
#define HAS(sub) (strstr(lf_last_error(), sub) != NULL)

LF_TEST(json_named_and_array) {
  lf_predictions p;
  LF_CHECK(pj("{\"a/1.png\": {\"X\": 0.25, \"Y\": 1}, \"2.png\": {\"Y\": 0, \"X\": 0.5}}", &p) == LF_OK);
  LF_CHECK(p.n == 2 && p.k == 2 && p.labels && !strcmp(p.labels[0], "X") && !strcmp(p.labels[1], "Y"));
  LF_CHECK(!strcmp(p.keys[0], "a/1.png") && p.scores[0] == 0.25 && p.scores[1] == 1);
  LF_CHECK(p.scores[2] == 0.5 && p.scores[3] == 0); /* reordered by name */
  lf_predictions_free(&p);
  LF_CHECK(pj("\xEF\xBB\xBF{\"a\": [[0.1, 0.2, 0.3]], \"b\": [0, 1e-3, 1.0]}\n", &p) == LF_OK);
  LF_CHECK(p.n == 2 && p.k == 3 && p.labels == NULL && p.scores[4] == 1e-3);
  lf_predictions_free(&p);
}

LF_TEST(json_refusals) {
  lf_predictions p;
  LF_CHECK(pj("{\"a\": {\"X\": NaN}}", &p) == LF_EBADFILE);
  LF_CHECK_MSG(HAS("NaN") && HAS("p.json:1"), "%s", lf_last_error());
  LF_CHECK(pj("{\"a\": [[0.1]],\n \"b\": [[Infinity]]}", &p) == LF_EBADFILE);
  LF_CHECK_MSG(HAS("NaN/Infinity") && HAS("p.json:2"), "%s", lf_last_error());
  LF_CHECK(pj("{\"a\": {\"X\": 1.5}}", &p) == LF_EBADFILE);
  LF_CHECK_MSG(HAS("\"a\"") && HAS("\"X\"") && HAS("[0, 1]"), "%s", lf_last_error());
  LF_CHECK(pj("{\"a\": {\"X\": -0.1}}", &p) == LF_EBADFILE);
  LF_CHECK(pj("{\"a\": {\"X\": 1e999}}", &p) == LF_EBADFILE);
  LF_CHECK(pj("{\"a\": {\"X\": \"0.5\"}}", &p) == LF_EBADFILE && HAS("not a number"));
  LF_CHECK(pj("{\"a\": {\"X\": null}}", &p) == LF_EBADFILE);
  LF_CHECK(pj("{\"a\": {\"X\": 0.1}, \"a\": {\"X\": 0.2}}", &p) == LF_EBADFILE);
  LF_CHECK_MSG(HAS("\"a\" appears more than once"), "%s", lf_last_error());
  LF_CHECK(pj("{\"a\": {\"X\": 0.1}, \"b\": {\"Y\": 0.2}}", &p) == LF_EBADFILE);
  LF_CHECK_MSG(HAS("\"b\"") && HAS("\"X\" is missing"), "%s", lf_last_error());
  LF_CHECK(pj("{\"a\": {\"X\": 0.1}, \"b\": {\"X\": 0.2, \"Y\": 0.3}}", &p) == LF_EBADFILE && HAS("\"b\""));
  LF_CHECK(pj("{\"a\": {\"X\": 0.1, \"X\": 0.3}}", &p) == LF_EBADFILE && HAS("twice"));
  LF_CHECK(pj("{\"a\": [0.1, 0.2], \"b\": [0.3]}", &p) == LF_EBADFILE && HAS("\"b\""));
  LF_CHECK(pj("{\"a\": [0.1], \"b\": {\"X\": 0.3}}", &p) == LF_EBADFILE);
  LF_CHECK(pj("{\"a\": {\"X\": 0.1}", &p) == LF_EBADFILE && HAS("malformed"));
  LF_CHECK(pj("{\"a\": {\"X\": 0.1}} x", &p) == LF_EBADFILE && HAS("after"));
  LF_CHECK(pj("[0.1]", &p) == LF_EBADFILE && HAS("object"));
  LF_CHECK(pj("{}", &p) == LF_EBADFILE && HAS("no images"));
  LF_CHECK(pj("{\"a\": {}}", &p) == LF_EBADFILE);
  LF_CHECK(pj("{\"a\": 0.5}", &p) == LF_EBADFILE);
  LF_CHECK(pj("", &p) == LF_EBADFILE);
  LF_CHECK(lf_predictions_parse_json("{\"a\"\0", 5, "p.json", &p) == LF_EBADFILE);
  LF_CHECK(p.keys == NULL && p.scores == NULL && p.n == 0);
}

LF_TEST(json_roundtrip) {
  const char *tmp = getenv("LF_TMP") ? getenv("LF_TMP") : "/tmp";
  char path[512];
  snprintf(path, sizeof path, "%s/pred_rt.%d.json", tmp, (int)getpid());
  lf_predictions p, q;
  LF_CHECK(lf_predictions_alloc(&p, 3, 2) == LF_OK);
  const char *keys[3] = {"images/a \"quoted\".png", "b\\c.png", "tab\there.png"};
  for (int i = 0; i < 3; i++) p.keys[i] = strdup(keys[i]);
  p.labels[0] = strdup("Mass"), p.labels[1] = strdup("Nodule");
  float v[6] = {0.1f, 0.99609375f, 1.0f / 3, 0, 1, 0.0001234f};
  for (int i = 0; i < 6; i++) p.scores[i] = v[i];
  LF_CHECK(lf_predictions_write_json(path, &p) == LF_OK);
  LF_CHECK(lf_predictions_read_json(path, &q) == LF_OK);
  LF_CHECK(q.n == 3 && q.k == 2 && q.labels && !strcmp(q.labels[1], "Nodule"));
  for (int i = 0; i < 3 && q.n == 3; i++) LF_CHECK(!strcmp(q.keys[i], keys[i]));
  for (int i = 0; i < 6 && q.scores; i++) LF_CHECK_MSG((float)q.scores[i] == v[i], "score %d", i); /* %.9g: float exact */
  lf_predictions_free(&q);
  p.scores[3] = NAN;
  LF_CHECK(lf_predictions_write_json(path, &p) == LF_EINVAL);
  lf_predictions_free(&p);
  remove(path);
}

LF_TEST(csv_parse_and_refusals) {
  lf_submission s;
  LF_CHECK(pc("img,pixels\r\n1,1 5 100 3\r\n10_104,\r\n\"2\",\"7 2\"\r\n", &s) == LF_OK);
  LF_CHECK(s.n == 3 && !strcmp(s.img[1], "10_104") && !strcmp(s.pixels[1], "") && !strcmp(s.pixels[2], "7 2"));
  lf_submission_free(&s);
  LF_CHECK(pc("pixels,img\n3 4,5\n", &s) == LF_OK && s.n == 1 && !strcmp(s.img[0], "5"));
  lf_submission_free(&s);
  LF_CHECK(pc("img,pixels\n", &s) == LF_OK && s.n == 0);
  lf_submission_free(&s);
  LF_CHECK(pc("image,rle\n1,2 3\n", &s) == LF_EBADFILE && HAS("img and pixels"));
  LF_CHECK(pc("img,pixels\n1,2 3\n2,\n1,4 4\n", &s) == LF_EBADFILE);
  LF_CHECK_MSG(HAS("sub.csv:4") && HAS("\"1\" appears again") && HAS("line 2"), "%s", lf_last_error());
  LF_CHECK(pc("img,pixels\n1,2 x\n", &s) == LF_EBADFILE && HAS("sub.csv:2"));
  LF_CHECK(pc("img,pixels\n1,2 3,9\n", &s) == LF_EBADFILE && HAS("fields"));
  LF_CHECK(pc("img,pixels\n,2 3\n", &s) == LF_EBADFILE && HAS("empty img"));
  LF_CHECK(pc("", &s) == LF_EBADFILE);
  LF_CHECK(s.img == NULL && s.n == 0);
}

LF_TEST(csv_roundtrip) {
  const char *tmp = getenv("LF_TMP") ? getenv("LF_TMP") : "/tmp";
  char path[512];
  snprintf(path, sizeof path, "%s/sub_rt.%d.csv", tmp, (int)getpid());
  lf_submission s, t;
  LF_CHECK(lf_submission_alloc(&s, 2) == LF_OK);
  s.img[0] = strdup("1"), s.pixels[0] = strdup("10 3 40 2");
  s.img[1] = strdup("2"), s.pixels[1] = strdup("");
  LF_CHECK(lf_submission_write_csv(path, &s) == LF_OK);
  LF_CHECK(lf_submission_read_csv(path, &t) == LF_OK);
  LF_CHECK(t.n == 2 && !strcmp(t.pixels[0], "10 3 40 2") && !strcmp(t.img[1], "2") && !strcmp(t.pixels[1], ""));
  lf_submission_free(&t);
  free(s.img[1]);
  s.img[1] = strdup("a,b");
  LF_CHECK(lf_submission_write_csv(path, &s) == LF_EINVAL);
  lf_submission_free(&s);
  remove(path);
}

LF_TEST(sniff) {
  LF_CHECK(lf_predictions_sniff(" \n{", 3) == 'j');
  LF_CHECK(lf_predictions_sniff("img,pixels", 10) == 'c');
  LF_CHECK(lf_predictions_sniff("  ", 2) == 0);
}

int main(void) {
  LF_RUN(json_named_and_array);
  LF_RUN(json_refusals);
  LF_RUN(json_roundtrip);
  LF_RUN(csv_parse_and_refusals);
  LF_RUN(csv_roundtrip);
  LF_RUN(sniff);
  return lf_test_summary();
}
