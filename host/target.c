/*
 * target.c - parsing, checking and hashing hardware configurations.
 *
 * A target file is lines of "key value", '#' starts a comment. Every field
 * must appear exactly once, except the optional ones (a default), which
 * appear at most once; unknown keys are errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "target.h"

typedef struct field {
    const char *key;
    size_t offset;
    long min, max;
    int opt;  /* 0: required; 1: optional, dflt when absent */
    int dflt;
} field;

#define F(name, lo, hi) { #name, offsetof(cw_target_config, name), lo, hi, 0, 0 }
#define OPT(name, lo, hi, d) { #name, offsetof(cw_target_config, name), lo, hi, 1, d }
static const field fields[] = {
    F(lanes, 1, 64),         F(k, 1, 64),
    F(vlanes, 1, 64),        F(wbits, 8, 16),
    F(clock_mhz, 1, 1000),   F(prog_depth, 16, 1 << 16),
    F(wgt_lines, 1, 1 << 24), F(scl_depth, 1, 1 << 24),
    F(cst_depth, 1, 1 << 20), F(act_depth, 64, 1 << 20),
    F(kv_depth, 1, 1 << 28),  F(max_ctx, 2, 1 << 16),
    OPT(kvbits, 8, 16, 16),  OPT(serial, 0, 1, 0),
};
#undef F
#undef OPT
#define N_FIELDS ((int)(sizeof fields / sizeof fields[0]))

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

int cw_target_canonical(const cw_target_config *t, char *buf, size_t n)
{
    size_t o = 0;
    for (int i = 0; i < N_FIELDS; i++) {
        int v = *(const int *)((const char *)t + fields[i].offset);
        /* an optional field at its default is left out, so that adding one
         * keeps the hashes of the targets that do not use it */
        if (fields[i].opt && (v == fields[i].dflt || v == 0))
            continue;
        int w = snprintf(buf + o, n > o ? n - o : 0, "%s=%d;", fields[i].key, v);
        if (w < 0 || (size_t)w >= (n > o ? n - o : 0))
            return cw_fail(CW_ERR_INVALID_ARG, "canonical target form too long");
        o += (size_t)w;
    }
    return CW_OK;
}

int cw_target_parse(const char *text, const char *origin, cw_target_config *out)
{
    cw_target_config t;
    memset(&t, 0, sizeof t);
    int seen[N_FIELDS] = { 0 }, have_name = 0, line = 0;
    const char *p = text;
    while (*p) {
        line++;
        size_t len = strcspn(p, "\n");
        char buf[256];
        if (len >= sizeof buf)
            return cw_fail(CW_ERR_FORMAT, "%s:%d: line too long", origin, line);
        memcpy(buf, p, len);
        buf[len] = '\0';
        p += len + (p[len] == '\n');
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char key[64], val[64], extra[8];
        int n = sscanf(buf, "%63s %63s %7s", key, val, extra);
        if (n <= 0)
            continue;
        if (n != 2)
            return cw_fail(CW_ERR_FORMAT, "%s:%d: expected 'key value'", origin, line);
        if (!strcmp(key, "name")) {
            if (have_name++)
                return cw_fail(CW_ERR_FORMAT, "%s:%d: name given twice", origin, line);
            if (strlen(val) >= sizeof t.name)
                return cw_fail(CW_ERR_FORMAT, "%s:%d: name too long", origin, line);
            strcpy(t.name, val);
            continue;
        }
        int i = 0;
        while (i < N_FIELDS && strcmp(fields[i].key, key) != 0)
            i++;
        if (i == N_FIELDS)
            return cw_fail(CW_ERR_FORMAT, "%s:%d: unknown field '%s'", origin, line, key);
        if (seen[i]++)
            return cw_fail(CW_ERR_FORMAT, "%s:%d: %s given twice", origin, line, key);
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || *end || v < fields[i].min || v > fields[i].max)
            return cw_fail(CW_ERR_FORMAT, "%s:%d: %s = %s is out of range (%ld..%ld)", origin,
                           line, key, val, fields[i].min, fields[i].max);
        *(int *)((char *)&t + fields[i].offset) = (int)v;
    }
    if (!have_name)
        return cw_fail(CW_ERR_FORMAT, "%s: the field 'name' is missing", origin);
    for (int i = 0; i < N_FIELDS; i++) {
        if (!seen[i] && fields[i].opt)
            *(int *)((char *)&t + fields[i].offset) = fields[i].dflt;
        else if (!seen[i])
            return cw_fail(CW_ERR_FORMAT, "%s: the field '%s' is missing", origin,
                           fields[i].key);
    }
    if (t.wbits != 8 && t.wbits != 16)
        return cw_fail(CW_ERR_FORMAT, "%s: wbits = %d must be 8 or 16", origin, t.wbits);
    /* What the RTL needs (rtl/cw_core.v checks the same). */
    const struct { const char *what; int v; } pow2[] = {
        { "lanes", t.lanes }, { "k", t.k }, { "max_ctx", t.max_ctx }, { "act_depth", t.act_depth },
    };
    for (size_t i = 0; i < sizeof pow2 / sizeof pow2[0]; i++)
        if (pow2[i].v < 2 || (pow2[i].v & (pow2[i].v - 1)) != 0)
            return cw_fail(CW_ERR_FORMAT, "%s: %s = %d must be a power of two, at least 2", origin,
                           pow2[i].what, pow2[i].v);
    /* kv_depth / k is both the KV words and the KE/VE exponents (cw_kve_depth()) */
    if (t.scl_depth % t.lanes != 0 || t.kv_depth % t.k != 0)
        return cw_fail(CW_ERR_FORMAT, "%s: scl_depth must be a multiple of lanes and kv_depth of k",
                       origin);
    int line_words = t.lanes * t.k * t.wbits / 32;
    if (line_words < 1 || (line_words & (line_words - 1)) != 0)
        return cw_fail(CW_ERR_FORMAT, "%s: a weight line (lanes*k*wbits = %d bits) must be a "
                       "power-of-two number of 32-bit words", origin, t.lanes * t.k * t.wbits);
    char canon[512];
    int rc = cw_target_canonical(&t, canon, sizeof canon);
    if (rc != CW_OK)
        return rc;
    t.hash = fnv1a64(canon);
    *out = t;
    return CW_OK;
}

const char *const *cw_target_names(void)
{
    return cw_builtin_target_names;
}

int cw_target_get(const char *name, cw_target_config *out)
{
    cw_clear_error();
    if (!name || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_target_get: NULL argument");
    size_t nl = strlen(name);
    if (strchr(name, '/') || (nl > 7 && !strcmp(name + nl - 7, ".target"))) {
        FILE *f = fopen(name, "rb");
        if (!f)
            return cw_fail(CW_ERR_IO, "%s: cannot open", name);
        char text[8192];
        size_t n = fread(text, 1, sizeof text - 1, f);
        int too_long = !feof(f) && fgetc(f) != EOF;
        fclose(f);
        if (too_long)
            return cw_fail(CW_ERR_FORMAT, "%s: larger than %zu bytes", name, sizeof text - 1);
        text[n] = '\0';
        if (strlen(text) != n)
            return cw_fail(CW_ERR_FORMAT, "%s: contains a NUL byte", name);
        return cw_target_parse(text, name, out);
    }
    for (int i = 0; i < cw_builtin_target_count; i++)
        if (!strcmp(cw_builtin_target_names[i], name))
            return cw_target_parse(cw_builtin_target_texts[i], name, out);
    char known[256] = "";
    for (int i = 0; i < cw_builtin_target_count; i++) {
        strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, cw_builtin_target_names[i], sizeof known - strlen(known) - 1);
    }
    return cw_fail(CW_ERR_INVALID_ARG, "unknown target '%s' (built in: %s)", name, known);
}
