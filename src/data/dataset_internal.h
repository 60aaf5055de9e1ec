/* Private to src/data: helpers shared by the dataset readers. */
#ifndef LF_DATA_DATASET_INTERNAL_H
#define LF_DATA_DATASET_INTERNAL_H
#include "leapfrog/lf_dataset.h"

/* Appends a zeroed sample; returns it or NULL when out of memory. */
lf_sample *lf_ds_add(lf_dataset *ds);
/* Rebuilds the name/stem lookup index (after adding or sorting samples). */
lf_status lf_ds_index(lf_dataset *ds);
/* Moves samples with path == NULL (counted in n_missing_images) to ds->missing
 * unless keep (then they stay, path NULL). */
lf_status lf_ds_drop_missing(lf_dataset *ds, int keep);
/* "a/b" joined; malloc'd or NULL. */
char *lf_path_join(const char *a, const char *b);
/* Lists the regular entries of a directory (malloc'd names, sorted); *n = count.
 * LF_ENOTFOUND if the directory does not exist. */
lf_status lf_list_dir(const char *dir, char ***names, size_t *n);
void lf_free_names(char **names, size_t n);

lf_status lf_nih_open(lf_dataset *ds);
lf_status lf_nerve_open(lf_dataset *ds);
#endif
