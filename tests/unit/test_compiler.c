/*
 * test_compiler.c - the compiler and the ref device: ref tokens equal the
 * integer forward pass, counted cycles equal the compiler's prediction for
 * every position, on stories260K and synthetic shapes; bad artifacts,
 * mismatched targets and models that do not fit are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "artifact.h"
#include "isa.h"
#include "testutil.h"
#include "ucode.h"

typedef struct run {
    int n;
    int ids[1024];
    uint64_t cycles[1024], predicted[1024];
} run;

static int record(void *user, const cw_token_event *ev)
{
    run *r = user;
    assert_int_equal(ev->pos, r->n + 1);
    r->ids[r->n] = ev->token;
    r->cycles[r->n] = ev->cycles;
    r->predicted[r->n] = ev->predicted_cycles;
    r->n++;
    return 0;
}

/* Greedy generation of `steps` positions from BOS on a device; kv_bits
 * for the int device (0: 16). */
static void generate(const char *uri, const cw_model *m, const cw_artifact *a, int bits,
                     int kv_bits, int steps, run *r)
{
    cw_device *d = NULL;
    assert_int_equal(cw_device_open(uri, &d), CW_OK);
    cw_load_params lp;
    cw_load_params_default(&lp);
    lp.weight_bits = bits;
    lp.kv_bits = kv_bits;
    int rc = a ? cw_device_load_artifact(d, a, &lp) : cw_device_load_model(d, m, &lp);
    if (rc != CW_OK)
        fail_msg("%s: load: %s", uri, cw_last_error());
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = steps;
    p.temperature = 0.0f;
    p.on_token = record;
    p.user = r;
    memset(r, 0, sizeof *r);
    int bos = CW_TOKEN_BOS, n = 0;
    rc = cw_device_generate(d, &bos, 1, &p, NULL, 0, &n);
    if (rc != CW_OK)
        fail_msg("%s: generate: %s", uri, cw_last_error());
    assert_int_equal(n, r->n);
    cw_device_close(d);
}

/* ref == int token for token (int with the target's KV cache entries);
 * every measured cycle count == predicted. */
static void check_ref_against_int(const cw_model *m, const char *ref_uri, int bits, int steps,
                                  int want_reference)
{
    static run ri, rr;
    cw_target_config t;
    assert_int_equal(cw_target_get(strchr(ref_uri, ':') ? strchr(ref_uri, ':') + 1 : "sim", &t),
                     CW_OK);
    generate("int", m, NULL, bits, t.kvbits, steps, &ri);
    generate(ref_uri, m, NULL, bits, 0, steps, &rr);
    assert_int_equal(ri.n, rr.n);
    for (int i = 0; i < rr.n; i++) {
        if (rr.ids[i] != ri.ids[i])
            fail_msg("%s %d-bit: position %d: ref %d, int %d", ref_uri, bits, i + 1, rr.ids[i],
                     ri.ids[i]);
        if (rr.cycles[i] != rr.predicted[i] || rr.cycles[i] == 0)
            fail_msg("%s %d-bit: position %d: counted %llu cycles, predicted %llu", ref_uri,
                     bits, i + 1, (unsigned long long)rr.cycles[i],
                     (unsigned long long)rr.predicted[i]);
    }
    if (want_reference)
        for (int i = 0; i < steps; i++)
            assert_int_equal(rr.ids[i], tu_reference_ids[i]);
}

static cw_model *stories(void)
{
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(tu_model_path("stories260K.bin"), &m), CW_OK);
    return m;
}

static void test_stories_sim_16(void **st)
{
    (void)st;
    cw_model *m = stories();
    check_ref_against_int(m, "ref", 16, 200, 1);
    cw_model_close(m);
}

static void test_stories_sim_8(void **st)
{
    (void)st;
    cw_model *m = stories();
    check_ref_against_int(m, "ref", 8, 200, 0);
    cw_model_close(m);
}

static void test_stories_ulx3s_8(void **st)
{
    (void)st;
    cw_model *m = stories();
    check_ref_against_int(m, "ref:ulx3s-85f", 8, 200, 0);
    cw_model_close(m);
}

/* Synthetic shapes: multi-head and grouped-query attention, head sizes
 * that are and are not multiples of the lanes, a separate classifier,
 * shapes that need padding in every dimension. */
static void test_synthetic_shapes(void **st)
{
    (void)st;
    const cw_model_config shapes[] = {
        { 32, 80, 2, 4, 2, 96, 64, 1 },
        { 64, 100, 3, 4, 4, 130, 48, 0 },  /* head size 16, MHA, own classifier */
        { 16, 52, 1, 2, 1, 61, 40, 1 },    /* MQA, odd vocab, padding everywhere */
        { 128, 344, 2, 8, 2, 256, 96, 1 }, /* head size 16 */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const char *p = tu_scratch_path("shape.bin");
        assert_int_equal(cw_model_write_synthetic(p, &shapes[i], 100 + i), CW_OK);
        cw_model *m = NULL;
        assert_int_equal(cw_model_open(p, &m), CW_OK);
        int steps = shapes[i].seq_len;
        check_ref_against_int(m, "ref", 16, steps, 0);
        check_ref_against_int(m, "ref", 8, steps, 0);
        cw_model_close(m);
    }
}

/* ------------------------------------------------------------- artifacts */

static cw_artifact *compile(const cw_model *m, const char *target, int bits)
{
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = target;
    cp.weight_bits = bits;
    cw_artifact *a = NULL;
    int rc = cw_compile(m, &cp, &a);
    if (rc != CW_OK)
        fail_msg("compile %s %d: %s", target, bits, cw_last_error());
    return a;
}

static void test_artifact_roundtrip(void **st)
{
    (void)st;
    cw_model *m = stories();
    cw_artifact *a = compile(m, "ulx3s-85f", 8);
    const char *p1 = tu_scratch_path("a1.cwm"), *p2 = tu_scratch_path("a2.cwm");
    assert_int_equal(cw_artifact_save(a, p1), CW_OK);
    cw_artifact *b = NULL;
    assert_int_equal(cw_artifact_open(p1, &b), CW_OK);
    assert_int_equal(cw_artifact_save(b, p2), CW_OK);
    size_t n1, n2;
    unsigned char *x = tu_read_file(p1, &n1), *y = tu_read_file(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(x, y, n1);
    free(x);
    free(y);
    cw_artifact_info ia, ib;
    cw_artifact_get_info(a, &ia);
    cw_artifact_get_info(b, &ib);
    assert_memory_equal(&ia, &ib, sizeof ia);
    assert_string_equal(ib.target.name, "ulx3s-85f");
    assert_int_equal(ib.context, 256);
    for (int pos = 0; pos < ib.context; pos++) {
        uint64_t ca, cb;
        cw_artifact_cycles(a, pos, &ca);
        cw_artifact_cycles(b, pos, &cb);
        assert_true(ca == cb && ca > 0);
    }
    /* The loaded artifact runs like the compiled one. */
    static run r1, r2;
    generate("ref:ulx3s-85f", NULL, a, 8, 0, 64, &r1);
    generate("ref:ulx3s-85f", NULL, b, 8, 0, 64, &r2);
    assert_memory_equal(r1.ids, r2.ids, sizeof r1.ids);
    cw_artifact_close(a);
    cw_artifact_close(b);
    cw_model_close(m);
}

static int open_bytes(const unsigned char *b, size_t n)
{
    const char *p = tu_scratch_path("bad.cwm");
    tu_write_file(p, b, n);
    cw_artifact *a = NULL;
    int rc = cw_artifact_open(p, &a);
    if (rc == CW_OK)
        cw_artifact_close(a);
    else
        assert_null(a);
    return rc;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The bytes of stories260K compiled for `sim` with 8-bit weights, saved
 * as scratch file `name`. */
static unsigned char *stories_bytes(const char *name, size_t *n)
{
    cw_model *m = stories();
    cw_artifact *a = compile(m, "sim", 8);
    const char *p = tu_scratch_path(name);
    assert_int_equal(cw_artifact_save(a, p), CW_OK);
    cw_artifact_close(a);
    cw_model_close(m);
    return tu_read_file(p, n);
}

static void test_corrupt_artifacts(void **st)
{
    (void)st;
    size_t n;
    unsigned char *g = stories_bytes("good.cwm", &n);
    unsigned char *b = malloc(n);
    assert_int_equal(open_bytes(g, n), CW_OK);

    /* truncated anywhere, including inside the header */
    size_t cuts[] = { 0, 7, 63, 64, 100, n / 2, n - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        assert_true(open_bytes(g, cuts[i]) < 0);
    assert_int_equal(open_bytes(g, n - 1), CW_ERR_TRUNCATED);
    /* a flipped bit in the header, the table and each section */
    uint32_t nsec = rd32(g + 24);
    size_t spots[2 + 16];
    int ns = 0;
    spots[ns++] = 20;
    spots[ns++] = 64 + 9;
    for (uint32_t s = 0; s < nsec; s++) {
        const unsigned char *e = g + 64 + 32 * s;
        uint64_t off = rd32(e + 8), len = rd32(e + 16);
        spots[ns++] = (size_t)(off + len / 2);
    }
    for (int i = 0; i < ns; i++) {
        memcpy(b, g, n);
        b[spots[i]] ^= 0x10;
        int rc = open_bytes(b, n);
        if (rc != CW_ERR_FORMAT)
            fail_msg("bit flip at %zu: rc %d (%s)", spots[i], rc, cw_last_error());
        assert_non_null(strstr(cw_last_error(), "checksum"));
    }
    /* bad magic */
    memcpy(b, g, n);
    b[0] = 'X';
    assert_int_equal(open_bytes(b, n), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "magic"));
    /* trailing bytes */
    unsigned char *big = calloc(n + 16, 1);
    memcpy(big, g, n);
    assert_int_equal(open_bytes(big, n + 16), CW_ERR_FORMAT);
    free(big);
    free(b);
    free(g);
    cw_artifact *x = NULL;
    assert_int_equal(cw_artifact_open("/nonexistent.cwm", &x), CW_ERR_IO);
}

/* Rewrites the checksums of an artifact's bytes after an edit: the
 * section's (table entry + 24), the table's (header 40), the header's (60). */
static void rechecksum(unsigned char *g, unsigned char *entry)
{
    extern uint32_t cw_link_crc32c(const void *, size_t);
    uint32_t nsec = rd32(g + 24);
    uint32_t c = cw_link_crc32c(g + rd32(entry + 8), rd32(entry + 16));
    for (int i = 0; i < 4; i++)
        entry[24 + i] = (unsigned char)(c >> (8 * i));
    c = cw_link_crc32c(g + 64, (size_t)nsec * 32);
    for (int i = 0; i < 4; i++)
        g[40 + i] = (unsigned char)(c >> (8 * i));
    c = cw_link_crc32c(g, 60);
    for (int i = 0; i < 4; i++)
        g[60 + i] = (unsigned char)(c >> (8 * i));
}

/* ORV: the compiler flags every NORM16, RESADD and RMSNORM that follows the
 * instruction writing its source (on stories260K all of them: 3 NORM16, 2
 * RESADD and 2 RMSNORM a layer, and the final RMSNORM), and the loader
 * refuses an artifact whose ORV instruction does not follow its producer,
 * with checksums intact. */
static void test_orv(void **st)
{
    (void)st;
    size_t n;
    unsigned char *g = stories_bytes("orv.cwm", &n);
    unsigned char *entry = NULL;
    for (uint32_t s = 0; s < rd32(g + 24); s++)
        if (rd32(g + 64 + 32 * s) == 2) /* PROG */
            entry = g + 64 + 32 * s;
    assert_non_null(entry);
    unsigned char *prog = g + rd32(entry + 8);
    int count = (int)(rd32(entry + 16) / CW_INSTR_BYTES), flagged = 0, first = -1;
    for (int i = 0; i < count; i++) {
        cw_instr in;
        cw_instr_decode(prog + (size_t)i * CW_INSTR_BYTES, &in);
        if (in.op == CW_OP_NORM16 || in.op == CW_OP_RESADD || in.op == CW_OP_RMSNORM) {
            assert_true(in.flags & CW_F_ORV);
            flagged++;
            if (first < 0)
                first = i;
        }
    }
    assert_int_equal(flagged, 5 * (3 + 2 + 2) + 1);
    assert_int_equal(open_bytes(g, n), CW_OK);
    /* the first of them one element shorter than what its producer wrote */
    cw_instr in;
    cw_instr_decode(prog + (size_t)first * CW_INSTR_BYTES, &in);
    in.n--;
    cw_instr_encode(&in, prog + (size_t)first * CW_INSTR_BYTES);
    rechecksum(g, entry);
    assert_int_equal(open_bytes(g, n), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "ORV needs the instruction that wrote src"));
    free(g);
}

/* A serial target's CST starts with the function tables (the serial core
 * reads them there: docs/artifact.md); the loader refuses an artifact
 * whose tables differ from cw_uc_tables()', with every checksum correct. */
static void test_serial_tables(void **st)
{
    (void)st;
    cw_model_config cfg = { 32, 64, 2, 4, 2, 64, 128, 1 }; /* the icebreaker's model */
    const char *mp = tu_scratch_path("tables.bin"), *ap = tu_scratch_path("tables.cwm");
    cw_model *m = NULL;
    assert_int_equal(cw_model_write_synthetic(mp, &cfg, 3), CW_OK);
    assert_int_equal(cw_model_open(mp, &m), CW_OK);
    cw_artifact *a = compile(m, "icebreaker", 8);
    assert_int_equal(cw_artifact_save(a, ap), CW_OK);
    cw_artifact_close(a);
    cw_model_close(m);
    size_t n;
    unsigned char *g = tu_read_file(ap, &n);
    unsigned char *entry = NULL;
    for (uint32_t s = 0; s < rd32(g + 24); s++)
        if (rd32(g + 64 + 32 * s) == CW_SEC_CST)
            entry = g + 64 + 32 * s;
    assert_non_null(entry);
    unsigned char *cst = g + rd32(entry + 8);
    static uint32_t tab[CW_UC_TAB_WORDS];
    assert_int_equal(cw_uc_tables(tab), CW_UC_TAB_WORDS);
    assert_true(rd32(entry + 16) / 4 > CW_UC_TAB_WORDS); /* the model's constants follow */
    for (int i = 0; i < CW_UC_TAB_WORDS; i++)
        assert_int_equal(rd32(cst + 4 * (size_t)i), tab[i]);
    assert_int_equal(open_bytes(g, n), CW_OK);
    /* the last word of the last table (the sigmoid's) one higher */
    cst[4 * (CW_UC_TAB_WORDS - 1)]++;
    rechecksum(g, entry);
    assert_int_equal(open_bytes(g, n), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "function tables"));
    free(g);
}

/* A newer version, with every checksum correct, is refused by version. */
static void test_wrong_version(void **st)
{
    (void)st;
    size_t n;
    unsigned char *g = stories_bytes("v.cwm", &n);
    g[8] = 2; /* version 2 */
    /* recompute the header CRC with the library's own routine by loading
     * through a patched copy: the CRC-32C of bytes 0..59 */
    extern uint32_t cw_link_crc32c(const void *, size_t);
    uint32_t crc = cw_link_crc32c(g, 60);
    for (int i = 0; i < 4; i++)
        g[60 + i] = (unsigned char)(crc >> (8 * i));
    assert_int_equal(open_bytes(g, n), CW_ERR_UNSUPPORTED);
    assert_non_null(strstr(cw_last_error(), "version 2"));
    free(g);
}

static void test_wrong_target(void **st)
{
    (void)st;
    cw_model *m = stories();
    cw_artifact *a = compile(m, "ulx3s-85f", 8);
    cw_device *d = NULL;
    assert_int_equal(cw_device_open("ref", &d), CW_OK); /* sim */
    assert_int_equal(cw_device_load_artifact(d, a, NULL), CW_ERR_MISMATCH);
    assert_non_null(strstr(cw_last_error(), "ulx3s-85f"));
    cw_device_close(d);
    assert_int_equal(cw_device_open("cpu", &d), CW_OK);
    assert_int_equal(cw_device_load_artifact(d, a, NULL), CW_ERR_UNSUPPORTED);
    cw_device_close(d);
    assert_int_equal(cw_device_open("ref:nonesuch", &d), CW_ERR_INVALID_ARG);
    cw_artifact_close(a);
    cw_model_close(m);
}

static void test_does_not_fit(void **st)
{
    (void)st;
    cw_model *m = stories();
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cw_artifact *a = NULL;
    cp.target = "ulx3s-85f";
    cp.weight_bits = 16;
    assert_int_equal(cw_compile(m, &cp, &a), CW_ERR_DOES_NOT_FIT);
    assert_non_null(strstr(cw_last_error(), "16-bit"));
    cp.target = "icebreaker";
    cp.weight_bits = 8;
    assert_int_equal(cw_compile(m, &cp, &a), CW_ERR_DOES_NOT_FIT);
    /* names the memory and the shortfall */
    assert_non_null(strstr(cw_last_error(), "kv needs 20480 cache values, the target has 4096 "
                                            "(short by 16384)"));
    assert_null(a);
    cw_model_close(m);

    /* a head size that is not whole KV words on this target */
    cw_model_config odd = { 48, 64, 1, 4, 4, 64, 16, 1 };
    const char *po = tu_scratch_path("odd.bin");
    assert_int_equal(cw_model_write_synthetic(po, &odd, 1), CW_OK);
    assert_int_equal(cw_model_open(po, &m), CW_OK);
    cp.target = "sim";
    assert_int_equal(cw_compile(m, &cp, &a), CW_ERR_UNSUPPORTED);
    assert_non_null(strstr(cw_last_error(), "head size 12"));
    cw_model_close(m);

    /* 300 heads: more than the exponent registers hold */
    cw_model_config big = { 600, 64, 1, 300, 300, 64, 16, 1 };
    const char *p = tu_scratch_path("heads.bin");
    assert_int_equal(cw_model_write_synthetic(p, &big, 1), CW_OK);
    assert_int_equal(cw_model_open(p, &m), CW_OK);
    cp.target = "sim";
    assert_int_equal(cw_compile(m, &cp, &a), CW_ERR_UNSUPPORTED);
    assert_non_null(strstr(cw_last_error(), "n_heads = 300"));
    cw_model_close(m);
}

static void test_targets(void **st)
{
    (void)st;
    cw_target_config t;
    const char *const *names = cw_target_names();
    int n = 0;
    for (; names[n]; n++)
        assert_int_equal(cw_target_get(names[n], &t), CW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(cw_target_get("sim", &t), CW_OK);
    uint64_t h = t.hash;
    /* a target file equal but for its name has the same hash */
    const char *p = tu_scratch_path("mine.target");
    FILE *f = fopen(p, "w");
    fprintf(f, "name mine\nlanes 8\nk 8\nvlanes 1\nwbits 16\nclock_mhz 100\nprog_depth 4096\n"
               "wgt_lines 65536\nscl_depth 32768\ncst_depth 16384\nact_depth 16384\n"
               "kv_depth 1048576\nmax_ctx 1024\n");
    fclose(f);
    assert_int_equal(cw_target_get(p, &t), CW_OK);
    assert_true(t.hash == h);
    /* missing, unknown, duplicate and out-of-range fields */
    const char *bad[] = {
        "name x\nlanes 8\n",
        "name x\nlanes 8\nk 8\nvlanes 8\nwbits 16\nclock_mhz 100\nprog_depth 4096\n"
        "wgt_lines 65536\nscl_depth 32768\ncst_depth 16384\nact_depth 16384\n"
        "kv_depth 1048576\nmax_ctx 1024\nturbo 1\n",
        "name x\nlanes 8\nlanes 8\n",
        "name x\nlanes 0\n",
        "name x\nwbits 12\nlanes 8\nk 8\nvlanes 8\nclock_mhz 100\nprog_depth 4096\n"
        "wgt_lines 65536\nscl_depth 32768\ncst_depth 16384\nact_depth 16384\n"
        "kv_depth 1048576\nmax_ctx 1024\n",
    };
    const char *says[] = { "missing", "unknown field 'turbo'", "twice", "lanes = 0", "wbits" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(p, "w");
        fputs(bad[i], f);
        fclose(f);
        assert_int_equal(cw_target_get(p, &t), CW_ERR_FORMAT);
        if (!strstr(cw_last_error(), says[i]))
            fail_msg("case %zu: '%s' lacks '%s'", i, cw_last_error(), says[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories_sim_16),   cmocka_unit_test(test_stories_sim_8),
        cmocka_unit_test(test_stories_ulx3s_8),  cmocka_unit_test(test_synthetic_shapes),
        cmocka_unit_test(test_artifact_roundtrip), cmocka_unit_test(test_corrupt_artifacts),
        cmocka_unit_test(test_wrong_version),    cmocka_unit_test(test_wrong_target),
        cmocka_unit_test(test_does_not_fit),     cmocka_unit_test(test_targets),
        cmocka_unit_test(test_orv),
        cmocka_unit_test(test_serial_tables),
    };
    return cmocka_run_group_tests_name("compiler", tests, NULL, NULL);
}
