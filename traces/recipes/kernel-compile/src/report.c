#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wordfreq.h"

static int by_count(const void *a, const void *b)
{
    const struct entry *x = *(const struct entry *const *)a;
    const struct entry *y = *(const struct entry *const *)b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->word, y->word);
}

struct entry **table_sorted(const struct table *t)
{
    struct entry **all = malloc((t->size + 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct entry *e = t->buckets[i]; e; e = e->next) all[n++] = e;
    qsort(all, n, sizeof *all, by_count);
    all[n] = NULL;
    return all;
}

void report(const struct table *t, size_t top)
{
    struct entry **all = table_sorted(t);
    for (size_t i = 0; i < top && all[i]; i++) printf("%8lu %s\n", all[i]->count, all[i]->word);
    printf("%zu distinct words\n", t->size);
    free(all);
}
