#include <ctype.h>

#include "wordfreq.h"

/* Calls fn for every maximal run of letters, digits and apostrophes, lower-cased by fn's owner. */
size_t tokenize(const char *text, size_t len, word_fn fn, void *ctx)
{
    size_t words = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && !(isalnum((unsigned char)text[i]) || text[i] == '\'')) i++;
        size_t start = i;
        while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '\'')) i++;
        if (i > start) {
            fn(text + start, i - start, ctx);
            words++;
        }
    }
    return words;
}
