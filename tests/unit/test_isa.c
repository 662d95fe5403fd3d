/*
 * test_isa.c - the ORV rules of host/isa.c: NORM16, RESADD and RMSNORM
 * with ORV skip their pass over the source (docs/isa.md, "Timing"), and
 * cw_instr_check() accepts ORV only right after the MATVEC, SILU, EMBED or
 * RESADD that wrote exactly the source, as the sequencer does (error 11,
 * tests/rtl/tb_core.cpp).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clockwork.h"
#include "isa.h"

static cw_target_config sim(void)
{
    cw_target_config t;
    assert_int_equal(cw_target_get("sim", &t), CW_OK);
    return t;
}

static cw_instr op(int code, uint16_t dst, uint16_t src, uint16_t n, uint8_t flags)
{
    cw_instr in;
    memset(&in, 0, sizeof in);
    in.op = (uint8_t)code;
    in.dst = dst;
    in.src = src;
    in.n = n;
    in.aux = code == CW_OP_MATVEC ? 64 : code == CW_OP_SILU ? 512 : 0;
    in.flags = flags;
    return in;
}

static void test_latency(void **st)
{
    (void)st;
    cw_target_config t = sim();
    cw_instr a = op(CW_OP_NORM16, 0, 256, 172, 0), b = a;
    b.flags = CW_F_ORV;
    assert_int_equal(cw_instr_latency(&a, 0, &t), 2 * 172 + 4);
    assert_int_equal(cw_instr_latency(&b, 0, &t), 172 + 4);
    a = op(CW_OP_RESADD, 0, 256, 64, 0), b = a;
    b.flags = CW_F_ORV;
    assert_int_equal(cw_instr_latency(&a, 0, &t), 4 * 64 + 6);
    assert_int_equal(cw_instr_latency(&b, 0, &t), 3 * 64 + 7);
    a = op(CW_OP_RMSNORM, 0, 256, 64, 0), b = a;
    b.flags = CW_F_ORV;
    assert_int_equal(cw_instr_latency(&a, 0, &t), 3 * 64 + 15);
    assert_int_equal(cw_instr_latency(&b, 0, &t), 2 * 64 + 16);
    /* the flag's bit means nothing to the other vector ops */
    a = op(CW_OP_SILU, 0, 256, 64, 0), b = a;
    b.flags = CW_F_ORV;
    assert_int_equal(cw_instr_latency(&a, 0, &t), cw_instr_latency(&b, 0, &t));
}

static void test_check(void **st)
{
    (void)st;
    cw_target_config t = sim();
    const cw_instr mv = op(CW_OP_MATVEC, 256, 0, 172, 0);
    const cw_instr sl = op(CW_OP_SILU, 256, 0, 172, 0);
    const cw_instr norm = op(CW_OP_NORM16, 0, 256, 172, CW_F_ORV);
    const cw_instr res = op(CW_OP_RESADD, 1024, 256, 172, CW_F_ORV);
    const cw_instr em = op(CW_OP_EMBED, 256, 0, 172, 0);
    const cw_instr ra = op(CW_OP_RESADD, 256, 2048, 172, 0);
    const cw_instr rms = op(CW_OP_RMSNORM, 0, 256, 172, CW_F_ORV);
    /* right after the producer of exactly the source */
    const cw_instr *producers[] = { &mv, &sl, &em, &ra };
    const cw_instr *consumers[] = { &norm, &res, &rms };
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++)
            assert_int_equal(cw_instr_check(consumers[j], producers[i], 5, &t),
                             j == 2 && i < 2 ? CW_ERR_FORMAT : CW_OK);
    /* RMSNORM only after the producers of int32 values (EMBED, RESADD): a
     * wide MATVEC or SILU value outside int32 has an OR whose low 32 bits
     * are not the OR of the int32 values RMSNORM reads */
    /* first in the program */
    assert_int_equal(cw_instr_check(&norm, NULL, 0, &t), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "instruction 0 (NORM16): ORV needs"));
    /* after another op, another vector, another length */
    cw_instr other = op(CW_OP_RMSNORM, 256, 0, 172, 0); /* writes scratch, then its result */
    assert_int_equal(cw_instr_check(&res, &other, 7, &t), CW_ERR_FORMAT);
    assert_non_null(strstr(cw_last_error(), "instruction 7 (RESADD): ORV needs"));
    assert_int_equal(cw_instr_check(&rms, &other, 7, &t), CW_ERR_FORMAT);
    other = op(CW_OP_HEADS, 256, 0, 172, 0);
    assert_int_equal(cw_instr_check(&norm, &other, 7, &t), CW_ERR_FORMAT);
    other = mv;
    other.dst = 260;
    assert_int_equal(cw_instr_check(&norm, &other, 5, &t), CW_ERR_FORMAT);
    other = sl;
    other.n = 171;
    assert_int_equal(cw_instr_check(&norm, &other, 5, &t), CW_ERR_FORMAT);
    /* without ORV the instruction before does not matter; on the other
     * opcodes the flag's bit is not ORV and is not checked */
    cw_instr plain = norm;
    plain.flags = 0;
    assert_int_equal(cw_instr_check(&plain, NULL, 0, &t), CW_OK);
    plain = sl;
    plain.flags = CW_F_ORV;
    assert_int_equal(cw_instr_check(&plain, NULL, 0, &t), CW_OK);
    /* the core's error code has a name */
    assert_string_equal(cw_core_error_name(CW_CORE_ERR_ORV), "ORV without its producer");
}

/* ATTN's kv heads each serve a whole number of query heads: the ref core and
 * the serial core's microprogram (n / a24 heads a kv head) need it. */
static void test_attn_groups(void **st)
{
    (void)st;
    cw_target_config t = sim();
    cw_instr a = op(CW_OP_ATTN, 0, 256, 8, 0);
    a.aux = 8;
    a.a24 = 4;
    assert_int_equal(cw_instr_check(&a, NULL, 0, &t), CW_OK);
    a.n = 3;
    a.a24 = 2;
    assert_int_not_equal(cw_instr_check(&a, NULL, 0, &t), CW_OK);
    a.a24 = 0;
    assert_int_not_equal(cw_instr_check(&a, NULL, 0, &t), CW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attn_groups),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
