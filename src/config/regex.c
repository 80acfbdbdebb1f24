/* SPDX-License-Identifier: Apache-2.0 */
#include "config/regex.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

pcre2_code *bl_regex_compile(const char *pattern, bool caseless, char *why, size_t cap)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, strlen(pattern),
                                   caseless ? PCRE2_CASELESS : 0, &code, &off, NULL);
    PCRE2_UCHAR msg[160];

    if (re == NULL) {
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(why, cap, "%s at offset %zu", (const char *)msg, (size_t)off);
        return NULL;
    }
    /* Failure only costs speed: the interpreter runs the same pattern. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* One match block per thread, made on first use and freed when the thread
 * exits: matching allocates nothing per request. */
static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_free(void *md)
{
    pcre2_match_data_free(md);
}

static void md_init(void)
{
    pthread_key_create(&md_key, md_free);
}

bool bl_regex_search(const pcre2_code *re, const char *s, size_t len)
{
    pcre2_match_data *md;

    pthread_once(&md_once, md_init);
    md = pthread_getspecific(md_key);
    if (md == NULL) {
        /* One pair: only "did it match" matters; a bigger pattern still
         * reports a match (rc 0 = ovector too small). */
        md = pcre2_match_data_create(1, NULL);
        pthread_setspecific(md_key, md);
    }
    return md != NULL && pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0;
}
