/* The page served at GET / (src/serve/page.html, embedded at build time by
 * scripts/embed_text.sh into $(BUILD)/gen/serve_page.c). */
#ifndef LF_SERVE_PAGE_H
#define LF_SERVE_PAGE_H
#include <stddef.h>
extern const char lf_serve_page_html[];
extern const size_t lf_serve_page_html_len;
#endif
