/*
 * test_ucode.c - the serial core's microprograms (host/ucode_ops.c) against
 * the ref core's hls/ kernels: each opcode on random memories and fields,
 * executed both ways on copies of one cw_ref_core; every ACT word, every
 * exponent register and NEXT must agree. The cycles the engine counted
 * must equal cw_uc_cycles(), which walks the control without data. Targets
 * icebreaker (2 x 2, 8-bit weights), sim (8 x 8, 16-bit weights) and
 * ulx3s-85f (8-bit weights, 9-bit KV cache entries); seed
 * printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#if defined(__GNUC__)
/* cw_fixed.h's bit length carries a Vitis HLS pragma */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#endif
#include "cw_fixed.h"
#include "cw_hls.h"
#include "fileio.h"
#include "artifact.h"
#include "isa.h"
#include "ref_core.h"
#include "testutil.h"
#include "ucode.h"

#define SEED 20261128u
#define TRIALS 150

/* ------------------------------------------------------------ random */

static uint64_t rng_state;

static uint64_t rng(void)
{
    return tu_xorshift64(&rng_state);
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* A signed value of up to `bits` bits, often extreme: 0, the bound, small. */
static int64_t rng_val(int bits)
{
    int64_t lim = ((int64_t)1 << bits) - 1;
    switch (rng() % 8) {
    case 0: return 0;
    case 1: return rng() & 1 ? lim : -lim;
    case 2: return rng_range(-3, 3);
    default: {
        int b = (int)rng_range(1, bits);
        int64_t v = (int64_t)(rng() >> (64 - b));
        return rng() & 1 ? v : -v;
    }
    }
}

/* --------------------------------------------------------- the cores */

typedef struct pair {
    cw_target_config t;
    cw_ref_core ref, uc;
    int caches; /* sync and compare the KV cache too */
} pair;

static void pair_init(pair *p, const char *target)
{
    assert_int_equal(cw_target_get(target, &p->t), CW_OK);
    assert_int_equal(cw_ref_core_init(&p->ref, &p->t), CW_OK);
    assert_int_equal(cw_ref_core_init(&p->uc, &p->t), CW_OK);
}

static void pair_free(pair *p)
{
    cw_ref_core_free(&p->ref);
    cw_ref_core_free(&p->uc);
}

/* The ucode core's memories become the ref core's. */
static void pair_sync(pair *p)
{
    cw_ref_core *a = &p->ref, *b = &p->uc;
    for (int i = 0; i < CW_REG_COUNT; i++)
        memcpy(b->mem[i], a->mem[i], (size_t)a->mem_bytes[i]);
    memcpy(b->act, a->act, (size_t)p->t.act_depth * sizeof *a->act);
    memcpy(b->er, a->er, sizeof a->er);
    if (p->caches) {
        size_t kv = (size_t)p->t.kv_depth, ke = (size_t)cw_kve_depth(&p->t);
        memcpy(b->kc, a->kc, kv * sizeof *a->kc);
        memcpy(b->vc, a->vc, kv * sizeof *a->vc);
        memcpy(b->ke, a->ke, ke * sizeof *a->ke);
        memcpy(b->ve, a->ve, ke * sizeof *a->ve);
    }
}

/* The first index where two arrays differ, or -1. */
#define FIRST_DIFF(a, b, n, out) do { \
    (out) = -1; \
    for (size_t i_ = 0; i_ < (size_t)(n); i_++) \
        if ((a)[i_] != (b)[i_]) { (out) = (long)i_; break; } \
} while (0)

/* Runs `in` both ways and compares; returns the cycles. */
static uint64_t run_both(pair *p, const cw_instr *in, int pos, int tok, int n_prompt)
{
    char what[160];
    snprintf(what, sizeof what, "%s n=%u aux=%u dst=%u src=%u pos=%d on %s", cw_op_name(in->op),
             in->n, in->aux, in->dst, in->src, pos, p->t.name);
    if (cw_instr_check(in, NULL, 0, &p->t) != CW_OK)
        fail_msg("%s: %s", what, cw_last_error());
    pair_sync(p);
    int next_ref = -1, next_uc = -1;
    assert_int_equal(cw_ref_core_exec(&p->ref, in, pos, tok, n_prompt, &next_ref), CW_OK);
    cw_uc_run rs = { pos, tok, -1, n_prompt };
    uint64_t cycles = 0;
    int rc = cw_uc_exec(&p->uc, in, &rs, &cycles);
    if (rc != CW_OK)
        fail_msg("%s: %s", what, cw_last_error());
    next_uc = rs.next;
    for (int i = 0; i < p->t.act_depth; i++)
        if (p->ref.act[i] != p->uc.act[i])
            fail_msg("%s: ACT[%d] = %lld, the kernel gives %lld", what, i,
                     (long long)p->uc.act[i], (long long)p->ref.act[i]);
    for (int i = 0; i < 256; i++)
        if (p->ref.er[i] != p->uc.er[i])
            fail_msg("%s: E[%d] = %d, the kernel gives %d", what, i, p->uc.er[i], p->ref.er[i]);
    if (p->caches) {
        const char *names[4] = { "KC", "VC", "KE", "VE" };
        long d[4];
        size_t kv = (size_t)p->t.kv_depth, ke = (size_t)cw_kve_depth(&p->t);
        FIRST_DIFF(p->ref.kc, p->uc.kc, kv, d[0]);
        FIRST_DIFF(p->ref.vc, p->uc.vc, kv, d[1]);
        FIRST_DIFF(p->ref.ke, p->uc.ke, ke, d[2]);
        FIRST_DIFF(p->ref.ve, p->uc.ve, ke, d[3]);
        for (int i = 0; i < 4; i++)
            if (d[i] >= 0)
                fail_msg("%s: %s[%ld] differs from the kernel's", what, names[i], d[i]);
    }
    if (next_ref != next_uc)
        fail_msg("%s: NEXT = %d, the kernel gives %d", what, next_uc, next_ref);
    if (cycles != cw_uc_cycles(in, pos, &p->t))
        fail_msg("%s: %llu cycles, cw_uc_cycles() says %llu", what, (unsigned long long)cycles,
                 (unsigned long long)cw_uc_cycles(in, pos, &p->t));
    return cycles;
}

static cw_instr instr(int op, int dst, int src, int n)
{
    cw_instr in;
    memset(&in, 0, sizeof in);
    in.op = (uint8_t)op;
    in.dst = (uint16_t)dst;
    in.src = (uint16_t)src;
    in.n = (uint16_t)n;
    in.er_dst = (uint8_t)rng_range(0, 255);
    in.er_src = (uint8_t)rng_range(0, 255);
    in.er_src2 = (uint8_t)rng_range(0, 255);
    return in;
}

static void random_er(pair *p)
{
    for (int i = 0; i < 256; i++)
        p->ref.er[i] = (int32_t)rng_range(-200, 200);
}

static void put_le32(cw_ref_core *c, int region, uint32_t word, uint32_t v)
{
    cw_write_le32(c->mem[region] + 4 * (size_t)word, v);
}

/* ------------------------------------------------------------- tests */

static const char *const targets[] = { "icebreaker", "sim", "ulx3s-85f" };

static void for_targets(void (*body)(pair *))
{
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        pair p;
        memset(&p, 0, sizeof p);
        pair_init(&p, targets[i]);
        body(&p);
        pair_free(&p);
    }
}

static void norm16_body(pair *p)
{
    for (int trial = 0; trial < TRIALS; trial++) {
        int n = (int)rng_range(1, 100);
        cw_instr in = instr(CW_OP_NORM16, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100), n);
        in.imm = (int8_t)rng_range(-128, 127);
        int bits = (int)rng_range(1, 61);
        for (int i = 0; i < n; i++)
            p->ref.act[in.src + i] = trial % 10 == 0 ? 0 : rng_val(bits);
        random_er(p);
        uint64_t cyc = run_both(p, &in, 0, 0, 1);
        if (trial == 0)
            print_message("NORM16 n=%d on %s: %llu cycles\n", n, p->t.name,
                          (unsigned long long)cyc);
    }
}

static void test_norm16(void **st)
{
    (void)st;
    for_targets(norm16_body);
}

static void argmax_body(pair *p)
{
    for (int trial = 0; trial < TRIALS; trial++) {
        int n = (int)rng_range(1, 200);
        cw_instr in = instr(CW_OP_ARGMAX, 0, (int)rng_range(0, 300), n);
        int bits = (int)rng_range(1, 61);
        for (int i = 0; i < n; i++) /* small ranges make ties */
            p->ref.act[in.src + i] = trial % 3 == 0 ? rng_range(-2, 2) : rng_val(bits);
        int max_ctx = p->t.max_ctx;
        int n_prompt = (int)rng_range(1, max_ctx), pos = (int)rng_range(0, max_ctx - 1);
        for (int i = 0; i < max_ctx; i++)
            put_le32(&p->ref, CW_REG_PROMPT, (uint32_t)i, (uint32_t)rng_range(0, 511));
        run_both(p, &in, pos, 0, n_prompt);
    }
}

static void test_argmax(void **st)
{
    (void)st;
    for_targets(argmax_body);
}

static void resadd_body(pair *p)
{
    for (int trial = 0; trial < TRIALS; trial++) {
        int n = (int)rng_range(1, 100);
        cw_instr in = instr(CW_OP_RESADD, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100), n);
        int bits = (int)rng_range(1, 61);
        for (int i = 0; i < n; i++) {
            p->ref.act[in.dst + i] = trial % 7 == 1 ? 0 : rng_val(30);
            p->ref.act[in.src + i] = trial % 7 == 2 ? 0 : rng_val(bits);
        }
        random_er(p);
        run_both(p, &in, 0, 0, 1);
    }
}

static void test_resadd(void **st)
{
    (void)st;
    for_targets(resadd_body);
}

/* Random weights (and scales) over the whole weight memory the tests use. */
static void random_weights(pair *p, uint32_t lines)
{
    const cw_target_config *t = &p->t;
    size_t lb = (size_t)(t->lanes * t->k * t->wbits / 8);
    for (size_t i = 0; i < lines * lb; i++)
        p->ref.mem[CW_REG_WGT][i] = (unsigned char)rng();
    for (int s = 0; s < 512; s++) {
        uint32_t mult = 32768 + (uint32_t)(rng() % 32768);
        uint32_t shift = (uint32_t)rng_range(CW_MULT_SHIFT_MIN, rng() % 4 ? 30 : 62);
        put_le32(&p->ref, CW_REG_SCL, (uint32_t)s, mult | shift << 16);
    }
}

static void matvec_body(pair *p)
{
    const cw_target_config *t = &p->t;
    for (int trial = 0; trial < TRIALS / 3; trial++) {
        int rows = (int)rng_range(1, 40), cols = (int)rng_range(1, 40);
        cw_instr in = instr(CW_OP_MATVEC, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100),
                            rows);
        in.aux = (uint16_t)cols;
        in.flags = t->wbits == 16 && rng() % 2 ? CW_F_W16 : 0;
        in.a24 = (uint32_t)rng_range(0, 50);
        in.b24 = (uint32_t)rng_range(0, 200);
        in.imm = (int8_t)rng_range(-20, 20);
        random_weights(p, 1000);
        for (int i = 0; i < cols; i++)
            p->ref.act[in.src + i] = rng_val(15);
        random_er(p);
        uint64_t cyc = run_both(p, &in, 0, 0, 1);
        if (trial == 0)
            print_message("MATVEC %dx%d on %s: %llu cycles\n", rows, cols, t->name,
                          (unsigned long long)cyc);
    }
}

static void test_matvec(void **st)
{
    (void)st;
    for_targets(matvec_body);
}

static void embed_body(pair *p)
{
    const cw_target_config *t = &p->t;
    for (int trial = 0; trial < TRIALS / 3; trial++) {
        int n = (int)rng_range(1, 60);
        cw_instr in = instr(CW_OP_EMBED, (int)rng_range(0, 100), 0, n);
        in.flags = t->wbits == 16 && rng() % 2 ? CW_F_W16 : 0;
        in.a24 = (uint32_t)rng_range(0, 50);
        in.b24 = (uint32_t)rng_range(0, 200);
        in.imm = (int8_t)rng_range(-20, 20);
        random_weights(p, 1000);
        random_er(p);
        int tok = (int)rng_range(0, 40);
        run_both(p, &in, 0, tok, 1);
    }
}

static void test_embed(void **st)
{
    (void)st;
    for_targets(embed_body);
}

static void silu_body(pair *p)
{
    for (int trial = 0; trial < TRIALS; trial++) {
        int n = (int)rng_range(1, 100);
        cw_instr in = instr(CW_OP_SILU, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100), n);
        in.aux = (uint16_t)(300 + rng_range(0, 100));
        for (int i = 0; i < n; i++) {
            p->ref.act[in.src + i] = rng_val(15);
            p->ref.act[in.aux + i] = rng_val(15);
        }
        random_er(p);
        p->ref.er[in.er_src] = (int32_t)rng_range(-40, 10); /* around Q16 and past it */
        run_both(p, &in, 0, 0, 1);
    }
}

static void test_silu(void **st)
{
    (void)st;
    for_targets(silu_body);
}

static void rmsnorm_body(pair *p)
{
    for (int trial = 0; trial < TRIALS; trial++) {
        int n = (int)rng_range(1, 100);
        cw_instr in = instr(CW_OP_RMSNORM, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100),
                            n);
        in.a24 = (uint32_t)rng_range(0, p->t.cst_depth - 3 - n); /* eps, gains: inside CST */
        for (int i = 0; i < n; i++)
            p->ref.act[in.src + i] = trial % 9 == 0 ? 0 : rng_val(30);
        put_le32(&p->ref, CW_REG_CST, in.a24, (uint32_t)(int32_t)rng_range(-30, 10));
        put_le32(&p->ref, CW_REG_CST, in.a24 + 1, (uint32_t)(rng() >> 32));
        put_le32(&p->ref, CW_REG_CST, in.a24 + 2, (uint32_t)(int32_t)rng_range(-90, 10));
        for (int i = 0; i < n; i++)
            put_le32(&p->ref, CW_REG_CST, in.a24 + 3 + (uint32_t)i,
                     (uint32_t)(int32_t)rng_val(15));
        random_er(p);
        uint64_t cyc = run_both(p, &in, 0, 0, 1);
        if (trial == 0)
            print_message("RMSNORM n=%d on %s: %llu cycles\n", n, p->t.name,
                          (unsigned long long)cyc);
    }
}

static void test_rmsnorm(void **st)
{
    (void)st;
    for_targets(rmsnorm_body);
}

static void heads_body(pair *p)
{
    static const uint8_t flags[] = { 0, CW_F_ROPE, CW_F_ROPE | CW_F_DST_KC, CW_F_DST_VC,
                                     CW_F_DST_KC, CW_F_ROPE | CW_F_DST_VC };
    p->caches = 1;
    for (int trial = 0; trial < TRIALS; trial++) {
        /* a head size is even and a multiple of k */
        int step = p->t.k > 2 ? p->t.k : 2;
        int hs = step * (int)rng_range(1, 16 / step), n = (int)rng_range(1, 4);
        cw_instr in = instr(CW_OP_HEADS, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100), n);
        in.flags = flags[trial % (int)sizeof flags];
        in.aux = (uint16_t)hs;
        in.a24 = (uint32_t)rng_range(0, p->t.cst_depth - hs / 2); /* the frequencies: inside CST */
        in.b24 = (uint32_t)rng_range(0, 1);
        in.er_dst = (uint8_t)(in.er_dst % 240);
        in.er_src = (uint8_t)(in.er_src % 240);
        int pos = (int)rng_range(0, p->t.max_ctx - 1);
        while ((in.flags & (CW_F_DST_KC | CW_F_DST_VC)) &&
               ((uint64_t)in.b24 * (uint64_t)p->t.max_ctx + (uint64_t)pos + 1) * (uint64_t)(n * hs) >
                   (uint64_t)p->t.kv_depth)
            pos /= 2, in.b24 = 0;
        int bits = (int)rng_range(1, 61);
        for (int i = 0; i < n * hs; i++)
            p->ref.act[in.src + i] = trial % 11 == 0 ? 0 : rng_val(bits);
        /* a third of the trials at position 1 with phases just below a quadrant's
         * end, where the sine table's last interval is interpolated */
        int edges = trial % 3 == 2;
        if (edges)
            pos = 1;
        for (int i = 0; i < hs / 2; i++) {
            uint32_t q = (uint32_t)rng_range(1, 4);
            uint32_t f = edges ? (uint32_t)(((uint64_t)q << 30) - (rng() % (1u << 21)))
                               : (uint32_t)(rng() >> 32);
            put_le32(&p->ref, CW_REG_CST, in.a24 + (uint32_t)i, f);
        }
        random_er(p);
        uint64_t cyc = run_both(p, &in, pos, 0, 1);
        if (trial < 3)
            print_message("HEADS n=%d hs=%d flags %d on %s: %llu cycles\n", n, hs, in.flags,
                          p->t.name, (unsigned long long)cyc);
    }
    p->caches = 0;
}

static void test_heads(void **st)
{
    (void)st;
    for_targets(heads_body);
}

static void attn_body(pair *p)
{
    const cw_target_config *t = &p->t;
    p->caches = 1;
    for (int trial = 0; trial < TRIALS / 3; trial++) {
        int step = t->k > 2 ? t->k : 2;
        int hs = step * (int)rng_range(1, 16 / step);
        int nkv = (int)rng_range(1, 2), n = nkv * (int)rng_range(1, 2);
        cw_instr in = instr(CW_OP_ATTN, (int)rng_range(0, 100), 200 + (int)rng_range(0, 100), n);
        in.aux = (uint16_t)hs;
        in.a24 = (uint32_t)nkv;
        in.b24 = (uint32_t)rng_range(0, 1);
        in.er_dst = (uint8_t)(in.er_dst % 240);
        in.er_src = (uint8_t)(in.er_src % 240);
        /* mostly short contexts; every fifth trial the longest the cache takes */
        int pos = trial % 5 == 4 ? t->max_ctx - 1 : (int)rng_range(0, 20);
        while (((uint64_t)in.b24 * (uint64_t)t->max_ctx + (uint64_t)pos + 1) *
                   (uint64_t)(nkv * hs) > (uint64_t)t->kv_depth)
            pos /= 2, in.b24 = 0;
        for (int i = 0; i < n * hs; i++)
            p->ref.act[in.src + i] = rng_val(15);
        int lim = t->kvbits < 16 ? (1 << (t->kvbits - 1)) - 1 : CW_ACT_MAX;
        size_t cells = ((size_t)in.b24 * (size_t)t->max_ctx + (size_t)pos + 1);
        for (size_t i = 0; i < cells * (size_t)(nkv * hs); i++) {
            p->ref.kc[i] = (int16_t)rng_range(-lim, lim);
            p->ref.vc[i] = (int16_t)rng_range(-lim, lim);
        }
        for (size_t i = 0; i < cells * (size_t)nkv; i++) {
            p->ref.ke[i] = (int32_t)rng_range(-40, 5);
            p->ref.ve[i] = (int32_t)rng_range(-40, 5);
        }
        random_er(p);
        for (int h = 0; h < n; h++)
            p->ref.er[in.er_src + h] = (int32_t)rng_range(-30, 0);
        uint64_t cyc = run_both(p, &in, pos, 0, 1);
        if (trial < 2)
            print_message("ATTN n=%d/%d hs=%d pos=%d on %s: %llu cycles\n", n, nkv, hs, pos,
                          t->name, (unsigned long long)cyc);
    }
    p->caches = 0;
}

static void test_attn(void **st)
{
    (void)st;
    for_targets(attn_body);
}

/* A whole program: a synthetic model that fits the icebreaker, compiled
 * for it, run position by position with the ref core's kernels on one core
 * and the microprograms on the other; after every instruction all the
 * memories they write must agree, and the tokens with them. */
static void test_whole_program(void **st)
{
    (void)st;
    const char *path = tu_scratch_path("ucode_synth.bin");
    cw_model_config cfg = { 32, 64, 2, 4, 2, 64, 128, 1 };
    assert_int_equal(cw_model_write_synthetic(path, &cfg, 7), CW_OK);
    cw_model *m = NULL;
    assert_int_equal(cw_model_open(path, &m), CW_OK);
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = "icebreaker";
    cp.weight_bits = 8;
    cw_artifact *a = NULL;
    if (cw_compile(m, &cp, &a) != CW_OK)
        fail_msg("compile: %s", cw_last_error());
    pair p;
    memset(&p, 0, sizeof p);
    pair_init(&p, "icebreaker");
    p.caches = 1;
    memcpy(p.ref.mem[CW_REG_WGT], a->wgt, (size_t)(a->wgt_lines * (uint64_t)a->line_bytes));
    memcpy(p.ref.mem[CW_REG_SCL], a->scl, (size_t)(a->scl_entries * 4));
    memcpy(p.ref.mem[CW_REG_CST], a->cst, (size_t)(a->cst_words * 4));
    const int prompt[] = { CW_TOKEN_BOS, 5, 17, 33 }, n_prompt = 4, steps = 24;
    for (int i = 0; i < n_prompt; i++)
        put_le32(&p.ref, CW_REG_PROMPT, (uint32_t)i, (uint32_t)prompt[i]);
    pair_sync(&p);
    const int n_instr = a->info.n_instructions;
    int tok = prompt[0], pos;
    for (pos = 0; pos < steps; pos++) {
        int next_ref = -1;
        uint64_t cycles = 0;
        cw_uc_run rs = { pos, tok, -1, n_prompt };
        for (int pc = 0; pc < n_instr; pc++) {
            const cw_instr *in = &a->prog[pc];
            char what[96];
            snprintf(what, sizeof what, "position %d, instruction %d (%s)", pos, pc,
                     cw_op_name(in->op));
            assert_int_equal(cw_ref_core_exec(&p.ref, in, pos, tok, n_prompt, &next_ref), CW_OK);
            uint64_t c = 0;
            rs.tok = tok;
            if (cw_uc_exec(&p.uc, in, &rs, &c) != CW_OK)
                fail_msg("%s: %s", what, cw_last_error());
            cycles += c;
            long d;
            FIRST_DIFF(p.ref.act, p.uc.act, p.t.act_depth, d);
            if (d >= 0)
                fail_msg("%s: ACT[%ld] differs from the kernel's", what, d);
            FIRST_DIFF(p.ref.er, p.uc.er, 256, d);
            if (d >= 0)
                fail_msg("%s: E[%ld] differs from the kernel's", what, d);
            FIRST_DIFF(p.ref.kc, p.uc.kc, p.t.kv_depth, d);
            if (d < 0)
                FIRST_DIFF(p.ref.vc, p.uc.vc, p.t.kv_depth, d);
            if (d < 0)
                FIRST_DIFF(p.ref.ke, p.uc.ke, cw_kve_depth(&p.t), d);
            if (d < 0)
                FIRST_DIFF(p.ref.ve, p.uc.ve, cw_kve_depth(&p.t), d);
            if (d >= 0)
                fail_msg("%s: the KV cache or its exponents differ from the kernel's at %ld",
                         what, d);
            if (c != cw_uc_cycles(in, pos, &p.t))
                fail_msg("%s: %llu cycles, cw_uc_cycles() says %llu", what,
                         (unsigned long long)c, (unsigned long long)cw_uc_cycles(in, pos, &p.t));
        }
        assert_int_equal(rs.next, next_ref);
        if (pos == 0 || pos == steps - 1)
            print_message("serial core, synthetic model on icebreaker: position %d, token %d, "
                          "%llu cycles of microcode\n", pos, next_ref,
                          (unsigned long long)cycles);
        if (next_ref == CW_TOKEN_BOS)
            break;
        tok = next_ref;
    }
    assert_true(pos > n_prompt);
    pair_free(&p);
    cw_artifact_close(a);
    cw_model_close(m);
}

/* The rule the RTL's SHSAT uses (rtl/serial/cw_serial_engine.v, one
 * shifter and one comparison): with b the bit length of v, or of ~v for
 * negative v, a left shift by 0 < s < 62 overflows the bound when
 * b + s >= 63 (|v| 2^s > 2^62 > lim), and below that v << s is exact;
 * s >= 62 saturates every v but 0. Otherwise the shifted x keeps v's sign,
 * so one comparison decides: x >= lim for v >= 0, x + lim < 0 for v < 0.
 * Checked against cw_shift_sat() on random values, shifts and bounds with
 * the boundaries (powers of two and their neighbours, bounds 2^k and
 * 2^k - 1) over the kernels' contract |v| < 2^62, 0 < lim < 2^62. */
static void test_shsat_rule(void **st)
{
    (void)st;
    long n = 0;
    for (long i = 0; i < 2000000; i++) {
        int bits = (int)rng_range(0, 61);
        int64_t v = bits ? (int64_t)(rng() >> (63 - bits)) : 0;
        if (rng() % 16 == 0)
            v = ((int64_t)1 << rng_range(0, 61)) - rng_range(-1, 2);
        if (rng() & 1)
            v = -v;
        int s = (int)rng_range(-64, 64);
        int lb = (int)rng_range(1, 61);
        int64_t lim = rng() & 1 ? ((int64_t)1 << lb) - 1 : (int64_t)1 << lb;
        if (rng() % 8 == 0)
            lim = rng_range(1, 1000);
        if (cw_abs64(v) >= (uint64_t)1 << 62)
            continue;
        int64_t want = cw_shift_sat(v, s, lim);
        int b = cw_bitlen((uint64_t)(v ^ (v >> 63)));
        int64_t x = s <= 0 ? cw_rshift_round(v, -s) : (int64_t)((uint64_t)v << (s & 63));
        int over = s > 0 && v != 0 && (s >= 62 || b + s >= 63);
        int hit = !over && (v < 0 ? x + lim < 0 : x >= lim);
        int64_t got = over || hit ? (v < 0 ? -lim : lim) : x;
        if (got != want)
            fail_msg("v=%lld s=%d lim=%lld: the rule gives %lld, cw_shift_sat %lld",
                     (long long)v, s, (long long)lim, (long long)got, (long long)want);
        n++;
    }
    print_message("SHSAT rule: %ld cases\n", n);
}

/* The ROM builder refuses a program that could read a register before
 * writing it (the RTL keeps registers across instructions; the C model
 * zeroes them): a plain read, a read after a loop of the loop's write, a
 * CMOV's kept destination, a count; and takes one that writes first. */
static void test_rom_unwritten(void **st)
{
    (void)st;
#define U(op, d, a, b, imm2, imm) { CW_U_##op, d, a, b, imm2, imm }
    static const cw_uop plain[] = { U(ADD, 3, 1, 2, 0, 0), U(DONE, 0, 0, 0, 0, 0) };
    static const cw_uop after_loop[] = { U(CFLD, 0, 0, 0, CW_UF_ONE, 0), U(LOOP, 0, 0, 0, 0, 0),
                                         U(LI, 1, 0, 0, 0, 5), U(ENDL, 0, 0, 0, 0, 0),
                                         U(ADD, 3, 1, 0, 0, 0), U(DONE, 0, 0, 0, 0, 0) };
    static const cw_uop cmov[] = { U(LI, 1, 0, 0, 0, 1), U(CMOV, 3, 1, 1, 0, 0),
                                   U(DONE, 0, 0, 0, 0, 0) };
    static const cw_uop count[] = { U(CFLD, 1, 0, 0, CW_UF_ONE, 0), U(CSUB, 2, 1, 3, 0, 0),
                                    U(DONE, 0, 0, 0, 0, 0) };
    static const cw_uop good[] = { U(LI, 1, 0, 0, 0, 5), U(CFLD, 0, 0, 0, CW_UF_ONE, 2),
                                   U(LOOP, 0, 0, 0, 0, 0), U(ADD, 3, 1, 0, 0, 0),
                                   U(ST, 0, 0, 3, CW_US_ACT, 0), U(ENDL, 0, 0, 0, 0, 0),
                                   U(DONE, 0, 0, 0, 0, 0) };
#undef U
    const cw_uop *bad[] = { plain, after_loop, cmov, count };
    const int n_bad[] = { 2, 6, 3, 3 };
    cw_uc_rom rom;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(cw_uc_rom_build_from(&rom, &bad[i], &n_bad[i], 1, 64), CW_ERR_INVALID_ARG);
        if (!strstr(cw_last_error(), "a register read before it is written"))
            fail_msg("case %d: %s", i, cw_last_error());
    }
    const cw_uop *g = good;
    const int n_good = 7;
    assert_int_equal(cw_uc_rom_build_from(&rom, &g, &n_good, 1, 64), CW_OK);
    assert_int_equal(rom.n, 6); /* ENDL takes no word */
    cw_uc_rom_free(&rom);
}

/* The ROM's layout: the V cache's HEADS share the K cache's program (its
 * KC and KE accesses remapped), and the variants only 16-bit lanes run
 * come last, so that an 8-bit core's ROM (the first n8 words) fits the
 * icebreaker's depth of 1,024 (docs/serial.md: past it, twice the block
 * RAMs). */
static void test_rom_layout(void **st)
{
    (void)st;
    cw_uc_rom rom;
    assert_int_equal(cw_uc_rom_build(&rom, 2048), CW_OK);
    assert_int_equal(rom.entry[CW_UV_HEADS_VC], rom.entry[CW_UV_HEADS_KC]);
    assert_int_equal(rom.entry[CW_UV_HEADS_ROPE_VC], rom.entry[CW_UV_HEADS_ROPE_KC]);
    for (int v = 0; v < CW_UC_VARIANTS; v++) {
        int w16 = v == CW_UV_EMBED_W16 || v == CW_UV_EMBED_W16_8 || v == CW_UV_MATVEC_W16 ||
                  v == CW_UV_MATVEC_W16_8;
        if (w16 ? rom.entry[v] < rom.n8 : rom.entry[v] >= rom.n8)
            fail_msg("variant %d at %d, n8 %d", v, rom.entry[v], rom.n8);
    }
    assert_true(rom.n8 <= 1024);
    cw_uc_rom_free(&rom);

    cw_instr in = { 0 };
    in.op = CW_OP_HEADS;
    in.flags = CW_F_DST_VC;
    assert_int_equal(cw_uc_space(&in, CW_US_KC), CW_US_VC);
    assert_int_equal(cw_uc_space(&in, CW_US_KE), CW_US_VE);
    assert_int_equal(cw_uc_space(&in, CW_US_ACT), CW_US_ACT);
    in.flags = CW_F_DST_KC;
    assert_int_equal(cw_uc_space(&in, CW_US_KC), CW_US_KC);
    in.op = CW_OP_ATTN;
    in.flags = CW_F_DST_VC;
    assert_int_equal(cw_uc_space(&in, CW_US_KC), CW_US_KC);
}

/* cw_uc_cycles() is the cycle model: fields only, the same for any data. */
static void test_cycles_data_free(void **st)
{
    (void)st;
    cw_target_config t;
    assert_int_equal(cw_target_get("icebreaker", &t), CW_OK);
    cw_instr in;
    memset(&in, 0, sizeof in);
    in.op = CW_OP_MATVEC;
    in.n = 10;
    in.aux = 7;
    uint64_t a = cw_uc_cycles(&in, 0, &t);
    in.aux = 8;
    uint64_t b = cw_uc_cycles(&in, 0, &t);
    assert_true(a > 0 && b > a);
    in.src = 100; /* addresses do not change the cycles */
    assert_int_equal(cw_uc_cycles(&in, 5, &t), b);
    in.op = CW_OP_NOP;
    assert_int_equal(cw_uc_cycles(&in, 0, &t), 0);
}

int main(void)
{
    rng_state = SEED;
    printf("test_ucode: seed %u\n", SEED);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm16),
        cmocka_unit_test(test_argmax),
        cmocka_unit_test(test_resadd),
        cmocka_unit_test(test_matvec),
        cmocka_unit_test(test_embed),
        cmocka_unit_test(test_silu),
        cmocka_unit_test(test_rmsnorm),
        cmocka_unit_test(test_heads),
        cmocka_unit_test(test_attn),
        cmocka_unit_test(test_whole_program),
        cmocka_unit_test(test_shsat_rule),
        cmocka_unit_test(test_cycles_data_free),
        cmocka_unit_test(test_rom_unwritten),
        cmocka_unit_test(test_rom_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
