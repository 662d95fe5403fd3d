/*
 * gen_corpus.c - writes the seed corpora of the fuzz targets from
 * synthetic models (no file of ../shared/models is copied):
 *
 *   gen_corpus DIR     DIR/{model,tokenizer,artifact,frame,session}/seed-*
 *
 * The output is deterministic; `make fuzz-corpus` regenerates
 * tests/fuzz/corpus. Input formats: the header of each fuzz_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clockwork.h"
#include "link_frame.h"
#include "link_proto.h"

static const char *root;

static void die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s: %s\n", what, cw_last_error());
    exit(1);
}

static const char *path_of(const char *target, const char *name)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/%s", root, target);
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        die(p);
    snprintf(p, sizeof p, "%s/%s/%s", root, target, name);
    return p;
}

static void put(const char *target, const char *name, const void *b, size_t n)
{
    const char *p = path_of(target, name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0)
        die(p);
}


/* A growing byte buffer. */
typedef struct buf {
    unsigned char *b;
    size_t n, cap;
} buf;

static void add(buf *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 256;
        o->b = realloc(o->b, o->cap);
        if (!o->b)
            die("out of memory");
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void add8(buf *o, unsigned v)
{
    unsigned char c = (unsigned char)v;
    add(o, &c, 1);
}

static void add16(buf *o, unsigned v)
{
    add8(o, v & 0xFF);
    add8(o, (v >> 8) & 0xFF);
}

static void add32(buf *o, uint32_t v)
{
    add16(o, v & 0xFFFF);
    add16(o, v >> 16);
}

static void addf(buf *o, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    add32(o, v);
}

/* ------------------------------------------------------------ checkpoints */

static const cw_model_config shapes[] = {
    { 16, 16, 1, 2, 2, 16, 4, 1 }, /* shared classifier */
    { 16, 8, 2, 2, 1, 8, 3, 0 },   /* separate classifier, multi-query */
    { 8, 16, 1, 4, 2, 20, 3, 1 },  /* head size 2: no target runs it */
};

static void models(void)
{
    char name[64];
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        snprintf(name, sizeof name, "seed-%zu.bin", i);
        if (cw_model_write_synthetic(path_of("model", name), &shapes[i], 1 + i) != CW_OK)
            die("synthetic model");
    }
}

/* ------------------------------------------------------------- artifacts */

static void artifacts(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path_of("artifact", "tmp-model.bin"));
    const int bits[2] = { 16, 8 };
    for (int i = 0; i < 2; i++) {
        if (cw_model_write_synthetic(tmp, &shapes[i], 7 + (uint64_t)i) != CW_OK)
            die("synthetic model");
        cw_model *m = NULL;
        cw_artifact *a = NULL;
        cw_compile_params cp;
        cw_compile_params_default(&cp);
        cp.weight_bits = bits[i];
        if (cw_model_open(tmp, &m) != CW_OK || cw_compile(m, &cp, &a) != CW_OK)
            die("compile");
        char name[64];
        snprintf(name, sizeof name, "seed-w%d.cwm", bits[i]);
        if (cw_artifact_save(a, path_of("artifact", name)) != CW_OK)
            die("save");
        cw_artifact_close(a);
        cw_model_close(m);
    }
    remove(tmp);
}

/* ------------------------------------------------------------- tokenizer */

static void tokenizer_file(buf *o)
{
    static const char *const pieces[] = {
        " ", "a", "b", "d", "e", "h", "l", "o", "r", "t", "w", " t", "th", " th", "he",
        " the", "ll", "llo", "hello", " w", "or", "ld", "orld", " world", "\xc3\xa9",
        "\xe6\x97\xa5", "\xe6\x9c\xac", " \xe6\x97\xa5", "a\0b",
    };
    add32(o, 8); /* max_token_length */
    const char *special[3] = { "<unk>", "\n<s>\n", "\n</s>\n" };
    for (int i = 0; i < 3; i++) {
        addf(o, 0.0f);
        add32(o, (uint32_t)strlen(special[i]));
        add(o, special[i], strlen(special[i]));
    }
    for (int b = 0; b < 256; b++) {
        char s[8];
        snprintf(s, sizeof s, "<0x%02X>", b);
        addf(o, 0.0f);
        add32(o, 6);
        add(o, s, 6);
    }
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        size_t len = i + 1 == sizeof pieces / sizeof pieces[0] ? 3 : strlen(pieces[i]);
        addf(o, -(float)i);
        add32(o, (uint32_t)len);
        add(o, pieces[i], len);
    }
}

static void tokenizers(void)
{
    static const struct { unsigned flags; const char *text; } seeds[] = {
        { 0x0F, "hello the world" },
        { 0x03, "the \xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac" },
        { 0x0C, "\xff\xfe bad utf-8 \xe6\x97 x\xc3" },
        { 0x00, "" },
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        buf file = { 0 }, o = { 0 };
        tokenizer_file(&file);
        add8(&o, seeds[i].flags);
        add16(&o, (unsigned)file.n);
        add(&o, file.b, file.n);
        add(&o, seeds[i].text, strlen(seeds[i].text));
        char name[64];
        snprintf(name, sizeof name, "seed-%zu", i);
        put("tokenizer", name, o.b, o.n);
        free(file.b);
        free(o.b);
    }
}

/* ---------------------------------------------------------------- frames */

static void frame(buf *o, uint8_t type, uint16_t seq, const void *pl, size_t len)
{
    unsigned char f[CW_LINK_MAX_FRAME];
    size_t m = cw_link_encode(f, sizeof f, type, seq, pl, len);
    if (m == 0)
        die("encode");
    add(o, f, m);
}

static void frames(void)
{
    unsigned char pl[CW_LINK_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (unsigned char)(i * 7);
    /* Raw streams: good frames, garbage, a damaged frame, a maximal one. */
    buf o = { 0 };
    add8(&o, 0);
    frame(&o, CW_LINK_CMD_INFO, 1, NULL, 0);
    add(&o, "\x00\xa5\xa5\xc3\x01", 5);
    frame(&o, CW_LINK_EV_TOKEN, 9, pl, CW_LINK_TOKEN_LEN);
    size_t at = o.n;
    frame(&o, CW_LINK_CMD_WRITE | CW_LINK_RESPONSE, 2, pl, 40);
    o.b[at + 20] ^= 0x10; /* payload damaged */
    frame(&o, CW_LINK_CMD_READ | CW_LINK_RESPONSE, 3, pl, CW_LINK_MAX_PAYLOAD);
    put("frame", "seed-raw", o.b, o.n);
    o.n = 0;
    add8(&o, 0);
    frame(&o, CW_LINK_CMD_STATUS, 0xFFFF, pl, 12);
    put("frame", "seed-raw-one", o.b, o.n);
    /* A script: frames (op < 0xF0: type, seq, len, payload), garbage runs. */
    o.n = 0;
    add8(&o, 1);
    add8(&o, 0); add8(&o, CW_LINK_EV_DONE); add16(&o, 4); add16(&o, 20); add(&o, pl, 20);
    add8(&o, 0xF4); add(&o, "\xa5\xc3\x42\x00\x05", 5);
    add8(&o, 0); add8(&o, 0x81); add16(&o, 5); add16(&o, 0); 
    add8(&o, 0); add8(&o, 0x83); add16(&o, 6); add16(&o, 300); add(&o, pl, 300);
    put("frame", "seed-script", o.b, o.n);
    free(o.b);
}

/* --------------------------------------------------------------- session */

/* Script ops of fuzz_session.c. */
static void resp(buf *o, const unsigned char *pl, size_t len)
{
    add8(o, 0);
    add16(o, (unsigned)len);
    add(o, pl, len);
}

static void event(buf *o, unsigned which, const unsigned char *pl, size_t len)
{
    add8(o, 2);
    add8(o, which); /* 0 TOKEN, 1 DONE, 2 ERROR */
    add16(o, (unsigned)len);
    add(o, pl, len);
    add16(o, 0);
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void session(unsigned plan, int lose_token, const char *name)
{
    unsigned steps = 1 + ((plan >> 4) % 8);
    buf o = { 0 };
    unsigned char pl[CW_LINK_MAX_PAYLOAD];
    add8(&o, plan);
    /* INFO: version 1, 8 regions, 1024-byte payloads, a context of 8. */
    memset(pl, 0, 64);
    pl[1] = CW_LINK_VERSION;
    pl[3] = CW_LINK_N_REGIONS;
    pl[4] = 0x00; pl[5] = 0x04;
    le32(pl + 16, 64);
    le32(pl + 20, 8);
    for (int r = 0; r < CW_LINK_N_REGIONS; r++)
        le32(pl + 32 + 4 * r, r == CW_LINK_REGION_PROMPT ? 32 : r == CW_LINK_REGION_OUTPUT ? 128 : 512);
    resp(&o, pl, 64);
    /* STATUS: idle. */
    memset(pl, 0, 40);
    resp(&o, pl, 40);
    /* WRITE of the prompt (4 bytes at 0). */
    memset(pl, 0, 12);
    pl[1] = CW_LINK_REGION_PROMPT;
    le32(pl + 8, 4);
    resp(&o, pl, 12);
    /* RUN: the events overtake its response. */
    for (unsigned pos = 1; pos <= steps; pos++) {
        if (lose_token && pos == 2)
            continue;
        memset(pl, 0, 20);
        le32(pl, 1);
        le32(pl + 4, pos);
        le32(pl + 8, 100 + pos);
        le32(pl + 12, 1000 * pos);
        event(&o, 0, pl, 20);
    }
    memset(pl, 0, 20);
    le32(pl, 1);
    le32(pl + 4, steps);
    le32(pl + 8, 1000 * steps);
    pl[16] = CW_LINK_EXIT_STEPS;
    event(&o, 1, pl, 20);
    memset(pl, 0, 8);
    le32(pl + 4, 1);
    resp(&o, pl, 8);
    if (lose_token) { /* the READ of output entry 1 (position 2) */
        memset(pl, 0, 24);
        pl[1] = CW_LINK_REGION_OUTPUT;
        le32(pl + 4, 16);
        le32(pl + 8, 2);
        le32(pl + 12, 102);
        le32(pl + 16, 2000);
        resp(&o, pl, 24);
    }
    /* CANCEL, RESET. */
    memset(pl, 0, 12);
    le32(pl + 4, 1);
    resp(&o, pl, 12);
    resp(&o, pl, 8);
    put("session", name, o.b, o.n);
    free(o.b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus DIR\n");
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0755) != 0 && errno != EEXIST)
        die(root);
    models();
    artifacts();
    tokenizers();
    frames();
    session(0x00, 0, "seed-one-step");
    session(0x30, 1, "seed-lost-token");
    return 0;
}
