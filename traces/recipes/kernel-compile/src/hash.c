#include <stdlib.h>
#include <string.h>

#include "wordfreq.h"

unsigned long hash_word(const char *word, size_t len)
{
    unsigned long h = 14695981039346656037ul;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)word[i];
        h *= 1099511628211ul;
    }
    return h;
}

void table_init(struct table *t, size_t nbuckets)
{
    t->buckets = calloc(nbuckets, sizeof *t->buckets);
    t->nbuckets = nbuckets;
    t->size = 0;
}

static void table_grow(struct table *t)
{
    size_t n = t->nbuckets * 2;
    struct entry **b = calloc(n, sizeof *b);
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct entry *e = t->buckets[i];
        while (e) {
            struct entry *next = e->next;
            size_t k = hash_word(e->word, strlen(e->word)) % n;
            e->next = b[k];
            b[k] = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

void table_add(struct table *t, const char *word, size_t len)
{
    size_t k = hash_word(word, len) % t->nbuckets;
    for (struct entry *e = t->buckets[k]; e; e = e->next) {
        if (strlen(e->word) == len && memcmp(e->word, word, len) == 0) {
            e->count++;
            return;
        }
    }
    struct entry *e = malloc(sizeof *e);
    e->word = malloc(len + 1);
    memcpy(e->word, word, len);
    e->word[len] = 0;
    e->count = 1;
    e->next = t->buckets[k];
    t->buckets[k] = e;
    if (++t->size > t->nbuckets * 2) table_grow(t);
}

void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct entry *e = t->buckets[i];
        while (e) {
            struct entry *next = e->next;
            free(e->word);
            free(e);
            e = next;
        }
    }
    free(t->buckets);
}
