/* wordfreq: counts word frequencies in text files and prints the most common words. */
#ifndef WORDFREQ_H
#define WORDFREQ_H

#include <stddef.h>

struct entry {
    char *word;
    unsigned long count;
    struct entry *next;
};

struct table {
    struct entry **buckets;
    size_t nbuckets;
    size_t size;
};

/* hash.c */
void table_init(struct table *t, size_t nbuckets);
void table_add(struct table *t, const char *word, size_t len);
void table_free(struct table *t);
unsigned long hash_word(const char *word, size_t len);

/* tokenize.c */
typedef void (*word_fn)(const char *word, size_t len, void *ctx);
size_t tokenize(const char *text, size_t len, word_fn fn, void *ctx);

/* report.c */
struct entry **table_sorted(const struct table *t);
void report(const struct table *t, size_t top);

#endif
