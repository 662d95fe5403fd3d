/*
 * tokenizer.c - llama2.c's tokenizer format, encode and decode.
 *
 * File: int32 max_token_length, then per token: float32 score, int32 length,
 * that many bytes. Encoding follows llama2.c: an optional BOS, a dummy-prefix
 * space token before non-empty text, one token per UTF-8 code point when the
 * vocabulary has it (else one byte token per byte, id = byte + 3), then
 * repeated merging of the adjacent pair whose concatenation is the
 * best-scoring token (the leftmost on ties), until no pair merges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"

#define MAX_TOKEN_BYTES 4096

typedef struct sorted_entry {
    const char *str;
    int len;
    int id;
} sorted_entry;

struct cw_tokenizer {
    int vocab_size;
    int max_token_length;
    char **vocab;        /* NUL-terminated pieces */
    int *lens;           /* piece lengths (pieces may hold NUL bytes) */
    float *scores;
    sorted_entry *sorted; /* pieces in byte order, for lookups */
    unsigned char byte_pieces[256][2];
};

/* --------------------------------------------------------------- loading */

void cw_tokenizer_close(cw_tokenizer *t)
{
    if (!t)
        return;
    if (t->vocab)
        for (int i = 0; i < t->vocab_size; i++)
            free(t->vocab[i]);
    free(t->vocab);
    free(t->lens);
    free(t->scores);
    free(t->sorted);
    free(t);
}

static int piece_cmp(const char *a, int alen, const char *b, int blen)
{
    int n = alen < blen ? alen : blen;
    int c = memcmp(a, b, (size_t)n);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int sorted_cmp(const void *a, const void *b)
{
    const sorted_entry *x = a, *y = b;
    int c = piece_cmp(x->str, x->len, y->str, y->len);
    return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/* Grows the per-token arrays to hold at least n entries. */
static int reserve(cw_tokenizer *t, int *cap, int n)
{
    if (n <= *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 1024;
    while (nc < n)
        nc *= 2;
    char **v = realloc(t->vocab, (size_t)nc * sizeof *v);
    if (v)
        t->vocab = v;
    int *l = realloc(t->lens, (size_t)nc * sizeof *l);
    if (l)
        t->lens = l;
    float *s = realloc(t->scores, (size_t)nc * sizeof *s);
    if (s)
        t->scores = s;
    if (!v || !l || !s)
        return -1;
    *cap = nc;
    return 0;
}

int cw_tokenizer_open(const char *path, int vocab_size, cw_tokenizer **out)
{
    cw_clear_error();
    if (!path || !out || vocab_size < 0 || vocab_size > (1 << 20))
        return cw_fail(CW_ERR_INVALID_ARG, "cw_tokenizer_open: bad argument");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cw_fail(CW_ERR_IO, "%s: cannot open: %s", path, cw_errno_text());
    uint64_t file_len;
    int rc = cw_file_length(f, path, &file_len);
    if (rc != CW_OK) {
        fclose(f);
        return rc;
    }
    cw_tokenizer *t = calloc(1, sizeof *t);
    if (!t) {
        fclose(f);
        return cw_fail(CW_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    unsigned char b4[8];
    uint64_t off = 0;
    int cap = 0;
    rc = CW_OK;
    if (fread(b4, 1, 4, f) != 4) {
        rc = cw_fail(CW_ERR_TRUNCATED, "%s: shorter than the 4-byte header", path);
        goto fail;
    }
    off = 4;
    t->max_token_length = cw_read_le32s(b4);
    if (t->max_token_length <= 0 || t->max_token_length > MAX_TOKEN_BYTES) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: max_token_length = %d is out of range (1..%d)", path,
                     t->max_token_length, MAX_TOKEN_BYTES);
        goto fail;
    }
    for (int i = 0; vocab_size == 0 ? off < file_len : i < vocab_size; i++) {
        if (i >= (1 << 20)) {
            rc = cw_fail(CW_ERR_FORMAT, "%s: more than %d tokens", path, 1 << 20);
            goto fail;
        }
        if (reserve(t, &cap, i + 1) != 0) {
            rc = cw_fail(CW_ERR_NO_MEMORY, "%s: out of memory", path);
            goto fail;
        }
        if (fread(b4, 1, 8, f) != 8) {
            rc = cw_fail(CW_ERR_TRUNCATED, "%s: token %d: truncated at byte offset %llu", path,
                         i, (unsigned long long)off);
            goto fail;
        }
        off += 8;
        float score = cw_read_lef32(b4);
        int len = cw_read_le32s(b4 + 4);
        if (len <= 0 || len > t->max_token_length || score != score) {
            rc = cw_fail(CW_ERR_FORMAT,
                         "%s: token %d at byte offset %llu: %s", path, i,
                         (unsigned long long)(off - 8),
                         score != score ? "score is NaN" : "length out of range");
            goto fail;
        }
        char *s = malloc((size_t)len + 1);
        if (!s) {
            rc = cw_fail(CW_ERR_NO_MEMORY, "%s: out of memory", path);
            goto fail;
        }
        if (fread(s, 1, (size_t)len, f) != (size_t)len) {
            free(s);
            rc = cw_fail(CW_ERR_TRUNCATED, "%s: token %d: truncated at byte offset %llu", path,
                         i, (unsigned long long)off);
            goto fail;
        }
        off += (uint64_t)len;
        s[len] = '\0';
        t->vocab[i] = s;
        t->lens[i] = len;
        t->scores[i] = score;
        t->vocab_size = i + 1;
    }
    if (vocab_size > 0 && off != file_len) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: %llu trailing bytes after %d tokens", path,
                     (unsigned long long)(file_len - off), vocab_size);
        goto fail;
    }
    if (t->vocab_size < 3) {
        rc = cw_fail(CW_ERR_FORMAT, "%s: only %d tokens (need <unk>, <s>, </s>)", path,
                     t->vocab_size);
        goto fail;
    }
    fclose(f);
    f = NULL;

    t->sorted = malloc((size_t)t->vocab_size * sizeof *t->sorted);
    if (!t->sorted) {
        rc = cw_fail(CW_ERR_NO_MEMORY, "%s: out of memory", path);
        goto fail;
    }
    for (int i = 0; i < t->vocab_size; i++)
        t->sorted[i] = (sorted_entry){ t->vocab[i], t->lens[i], i };
    qsort(t->sorted, (size_t)t->vocab_size, sizeof *t->sorted, sorted_cmp);
    for (int i = 0; i < 256; i++) {
        t->byte_pieces[i][0] = (unsigned char)i;
        t->byte_pieces[i][1] = 0;
    }
    *out = t;
    return CW_OK;
fail:
    if (f)
        fclose(f);
    cw_tokenizer_close(t);
    return rc;
}

int cw_tokenizer_vocab_size(const cw_tokenizer *t)
{
    return t ? t->vocab_size : 0;
}

/* -------------------------------------------------------------- encoding */

/* The id of a piece, or -1. On duplicate pieces the lowest id wins. */
static int lookup(const cw_tokenizer *t, const char *s, int len)
{
    int lo = 0, hi = t->vocab_size - 1, found = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = piece_cmp(s, len, t->sorted[mid].str, t->sorted[mid].len);
        if (c == 0) {
            found = t->sorted[mid].id;
            hi = mid - 1;
        } else if (c < 0) {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    return found;
}

static int push(int *ids, int max_ids, int *n, int id)
{
    if (*n >= max_ids)
        return -1;
    ids[(*n)++] = id;
    return 0;
}

int cw_tokenizer_encode(const cw_tokenizer *t, const char *text, int bos, int eos,
                        int *ids, int max_ids, int *n_ids)
{
    cw_clear_error();
    if (!t || !text || !ids || !n_ids || max_ids < 0)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_tokenizer_encode: bad argument");
    *n_ids = 0;
    int n = 0;
    const int too_long = CW_ERR_TOO_LONG;
    if (bos && push(ids, max_ids, &n, CW_TOKEN_BOS) != 0)
        return cw_fail(too_long, "the id buffer holds %d ids, too few", max_ids);
    if (text[0] != '\0') {
        int sp = lookup(t, " ", 1);
        if (sp >= 0 && push(ids, max_ids, &n, sp) != 0)
            return cw_fail(too_long, "the id buffer holds %d ids, too few", max_ids);
    }

    /* One token per code point, or per byte when the code point is absent.
     * A code point is a lead byte plus at most three continuation bytes,
     * grouped as llama2.c groups them (malformed UTF-8 included). */
    const unsigned char *c = (const unsigned char *)text;
    char buf[8];
    int blen = 0;
    for (; *c; c++) {
        if ((*c & 0xC0) != 0x80)
            blen = 0;
        buf[blen++] = (char)*c;
        if ((c[1] & 0xC0) == 0x80 && blen < 4)
            continue;
        int id = lookup(t, buf, blen);
        if (id >= 0) {
            if (push(ids, max_ids, &n, id) != 0)
                return cw_fail(too_long, "the id buffer holds %d ids, too few", max_ids);
        } else {
            for (int i = 0; i < blen; i++) {
                int bid = (unsigned char)buf[i] + 3;
                if (bid >= t->vocab_size)
                    return cw_fail(CW_ERR_FORMAT,
                                   "byte 0x%02x has no byte-fallback token (vocab %d)",
                                   (unsigned char)buf[i], t->vocab_size);
                if (push(ids, max_ids, &n, bid) != 0)
                    return cw_fail(too_long, "the id buffer holds %d ids, too few",
                                   max_ids);
            }
        }
        blen = 0;
    }

    /* Merge the best-scoring adjacent pair until none merges. */
    char *merged = malloc((size_t)t->max_token_length * 2 + 1);
    if (!merged)
        return cw_fail(CW_ERR_NO_MEMORY, "cw_tokenizer_encode: out of memory");
    for (;;) {
        float best = -1e10f;
        int best_id = -1, best_at = -1;
        for (int i = 0; i + 1 < n; i++) {
            int a = ids[i], b = ids[i + 1];
            int len = t->lens[a] + t->lens[b];
            if (len > t->max_token_length)
                continue;
            memcpy(merged, t->vocab[a], (size_t)t->lens[a]);
            memcpy(merged + t->lens[a], t->vocab[b], (size_t)t->lens[b]);
            int id = lookup(t, merged, len);
            if (id >= 0 && t->scores[id] > best) {
                best = t->scores[id];
                best_id = id;
                best_at = i;
            }
        }
        if (best_at < 0)
            break;
        ids[best_at] = best_id;
        memmove(ids + best_at + 1, ids + best_at + 2, (size_t)(n - best_at - 2) * sizeof *ids);
        n--;
    }
    free(merged);
    if (eos && push(ids, max_ids, &n, CW_TOKEN_EOS) != 0)
        return cw_fail(too_long, "the id buffer holds %d ids, too few", max_ids);
    *n_ids = n;
    return CW_OK;
}

/* -------------------------------------------------------------- decoding */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

const char *cw_tokenizer_decode(const cw_tokenizer *t, int prev, int token, size_t *len)
{
    if (!t || token < 0 || token >= t->vocab_size)
        return NULL;
    const char *p = t->vocab[token];
    size_t n = (size_t)t->lens[token];
    if (prev == CW_TOKEN_BOS && p[0] == ' ') {
        p++;
        n--;
    }
    /* "<0xNN>" is the raw byte NN. */
    if (n == 6 && p[0] == '<' && p[1] == '0' && p[2] == 'x' && p[5] == '>') {
        int hi = hexval(p[3]), lo = hexval(p[4]);
        if (hi >= 0 && lo >= 0) {
            p = (const char *)t->byte_pieces[hi * 16 + lo];
            n = 1;
        }
    }
    if (len)
        *len = n;
    return p;
}
