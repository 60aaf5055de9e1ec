/* RFC-4180 CSV reader: quoted fields (with commas, CR/LF and "" inside), CRLF or LF
 * line ends, a UTF-8 BOM, a final line without a newline.  Blank lines are skipped.
 * Rows may have different numbers of fields (the reader keeps what is there; callers
 * check).  Errors (unterminated quote, text after a closing quote, NUL byte) name
 * "name:line". */
#ifndef LF_CSV_H
#define LF_CSV_H
#include <stddef.h>

#include "leapfrog/lf_status.h"

typedef struct lf_csv lf_csv;

lf_status lf_csv_parse(const char *data, size_t len, const char *name, lf_csv **out);
lf_status lf_csv_read(const char *path, lf_csv **out); /* refuses files > 1 GiB */
void lf_csv_free(lf_csv *csv);

size_t lf_csv_rows(const lf_csv *csv);                 /* rows, header included */
size_t lf_csv_cols(const lf_csv *csv, size_t row);     /* fields in that row */
/* The field (unquoted, NUL-terminated), or NULL when row/col is out of range. */
const char *lf_csv_field(const lf_csv *csv, size_t row, size_t col);
size_t lf_csv_line(const lf_csv *csv, size_t row);     /* 1-based source line of the row */
const char *lf_csv_name(const lf_csv *csv);
/* Column index of `header` in row 0 (exact, after trimming spaces), or -1. */
int lf_csv_find_col(const lf_csv *csv, const char *header);

#endif
