#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "wordfreq.h"

static void add_lower(const char *word, size_t len, void *ctx)
{
    char buf[256];
    if (len >= sizeof buf) len = sizeof buf - 1;
    for (size_t i = 0; i < len; i++) buf[i] = (char)tolower((unsigned char)word[i]);
    table_add(ctx, buf, len);
}

int main(int argc, char **argv)
{
    struct table t;
    table_init(&t, 64);
    size_t words = 0;
    for (int a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        if (!f) {
            perror(argv[a]);
            return 1;
        }
        static char buf[1 << 16];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) words += tokenize(buf, n, add_lower, &t);
        fclose(f);
    }
    printf("%zu words\n", words);
    report(&t, 10);
    table_free(&t);
    return 0;
}
