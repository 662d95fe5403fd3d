/*
 * ucode_ops.c - the serial core's microprograms (ucode.h): one per opcode
 * (per weight width for MATVEC and EMBED), each the hls/ kernel that
 * host/ref_core.c calls for that opcode, written as micro-operations.
 *
 * Conventions: c0..c3 hold loop counts; r1.. are free in each program;
 * an ACT word read as int16 or int32 (as ref_core.c's act_to16 and its
 * (int32_t) casts do) is truncated by a shift pair. Each program ends by
 * writing its exponent register.
 */
#include <stddef.h>

#include "cw_hls.h"
#include "ucode.h"

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { C0, C1, C2, C3 };

#define U_(o, d, a, b, s, i) { CW_U_##o, (d), (a), (b), (s), (i) }
#define ADD(d, a, b)       U_(ADD, d, a, b, 0, 0)
#define ADDI(d, a, i)      U_(ADDI, d, a, 0, 0, i)
#define MOV(d, a)          U_(ADDI, d, a, 0, 0, 0)
#define MOVC(d, c)         U_(MOVC, d, c, 0, 0, 0)
#define SUB(d, a, b)       U_(SUB, d, a, b, 0, 0)
#define AND(d, a, b)       U_(AND, d, a, b, 0, 0)
#define OR(d, a, b)        U_(OR, d, a, b, 0, 0)
#define SLT(d, a, b)       U_(SLT, d, a, b, 0, 0)
#define SLTI(d, a, i)      U_(SLTI, d, a, 0, 0, i)
#define CMOV(d, a, b)      U_(CMOV, d, a, b, 0, 0)
#define ABS(d, a)          U_(ABS, d, a, 0, 0, 0)
#define BITLEN(d, a)       U_(BITLEN, d, a, 0, 0, 0)
#define SLLI(d, a, i)      U_(SLLI, d, a, 0, 0, i)
#define SRAI(d, a, i)      U_(SRAI, d, a, 0, 0, i)
#define SLL(d, a, b)       U_(SLL, d, a, b, 0, 0)
#define SRA(d, a, b)       U_(SRA, d, a, b, 0, 0)
#define SRR(d, a, b)       U_(SRR, d, a, b, 0, 0)
#define SRRI(d, a, i)      U_(SRRI, d, a, 0, 0, i)
#define SHSAT(d, a, b, l)  U_(SHSAT, d, a, b, 0, l)
#define MUL(d, a, b)       U_(MUL, d, a, b, 0, 0)
#define LI(d, i)           U_(LI, d, 0, 0, 0, i)
#define FLD(d, f)          U_(FLD, d, 0, 0, CW_UF_##f, 0)
#define LD(d, sp, a, off)  U_(LD, d, a, 0, CW_US_##sp, off)
#define ST(sp, a, off, b)  U_(ST, 0, a, b, CW_US_##sp, off)
#define CFLD(c, f, i)      U_(CFLD, c, 0, 0, CW_UF_##f, i)
#define CSUB(c, a, b)      U_(CSUB, c, a, b, 0, 0)
#define CMUL(c, a, b)      U_(CMUL, c, a, b, 0, 0)
#define CDIV(c, a, b)      U_(CDIV, c, a, b, 0, 0)
#define LOOP(c)            U_(LOOP, 0, c, 0, 0, 0)
#define ENDL               U_(ENDL, 0, 0, 0, 0, 0)
#define NEXT(a)            U_(NEXT, 0, a, 0, 0, 0)
#define DONE               U_(DONE, 0, 0, 0, 0, 0)

/* An ACT word as int16 / int32, in place. */
#define AS16(r) SLLI(r, r, 48), SRAI(r, r, 48)
#define AS32(r) SLLI(r, r, 32), SRAI(r, r, 32)

/* m = OR of |ACT[p + i]|, i < c (p advances; t is scratch). */
#define OR_ABS(m, p, t, c) \
    LI(m, 0), LOOP(c), LD(t, ACT, p, 0), ABS(t, t), OR(m, m, t), ADDI(p, p, 1), ENDL

/* s = m ? bitlen(m) - bits : 0, the block shift of cw_hls_norm16/norm_res. */
#define BLOCK_SHIFT(s, m, t, bits) \
    BITLEN(s, m), ADDI(s, s, -(bits)), SLTI(t, m, 1), CMOV(s, R0, t)

/* ACT[q + i] = cw_shift_sat(ACT[p + i], ns, lim), i < c. */
#define SHIFT_PASS(p, q, ns, t, c, lim) \
    LOOP(c), LD(t, ACT, p, 0), SHSAT(t, t, ns, lim), ST(ACT, q, 0, t), ADDI(p, p, 1), \
    ADDI(q, q, 1), ENDL

/* Counts of a weight row of `f` elements: c1 whole chunks of k, c2 = k,
 * c3 the elements of the last partial chunk (c0 is scratch). */
#define CHUNK_COUNTS(f) \
    CFLD(C1, f, 0), CFLD(C2, K, 0), CDIV(C1, C1, C2), CMUL(C0, C1, C2), CFLD(C3, f, 0), \
    CSUB(C3, C3, C0)

/* ------------------------------------------------------------- NORM16 */

/* cw_hls_norm16 of the wide vector at src into dst; E[er_dst] =
 * E[er_src] + imm + s. (ORV changes nothing here: the OR pass always runs.) */
static const cw_uop p_norm16[] = {
    CFLD(C0, N, 0),
    FLD(R1, SRC),
    OR_ABS(R2, R1, R3, C0),
    BLOCK_SHIFT(R4, R2, R3, 15),
    SUB(R5, R0, R4),
    FLD(R1, SRC), FLD(R6, DST),
    SHIFT_PASS(R1, R6, R5, R3, C0, CW_ACT_MAX),
    FLD(R1, ER_SRC), LD(R2, ER, R1, 0), FLD(R3, IMM), ADD(R2, R2, R3), ADD(R2, R2, R4),
    FLD(R1, ER_DST), ST(ER, R1, 0, R2),
    DONE,
};

/* ------------------------------------------------------------- ARGMAX */

/* NEXT = the prompt's id at POS + 1 while the prompt lasts, else
 * cw_hls_argmax of the wide vector at src (the first of equal maxima). */
static const cw_uop p_argmax[] = {
    FLD(R1, SRC), CFLD(C0, N, -1),
    LD(R2, ACT, R1, 0), LI(R3, 0), LI(R4, 0), ADDI(R1, R1, 1),
    LOOP(C0),
        LD(R5, ACT, R1, 0), ADDI(R4, R4, 1), SLT(R6, R2, R5),
        CMOV(R2, R5, R6), CMOV(R3, R4, R6), ADDI(R1, R1, 1),
    ENDL,
    FLD(R7, POS), ADDI(R7, R7, 1), FLD(R8, NPROMPT), SLT(R9, R7, R8),
    LI(R11, 0), CMOV(R11, R7, R9), LD(R10, PROMPT, R11, 0),
    CMOV(R3, R10, R9), NEXT(R3),
    DONE,
};

/* ------------------------------------------------------------- RESADD */

/* cw_hls_residual_add: the residual at dst (int32) += the wide vector at
 * src, aligned to the larger exponent, then renormalized to 30 bits. */
static const cw_uop p_resadd[] = {
    CFLD(C0, N, 0),
    FLD(R1, DST), LI(R3, 0),                       /* r3 = OR |x| */
    LOOP(C0), LD(R5, ACT, R1, 0), AS32(R5), ABS(R5, R5), OR(R3, R3, R5), ADDI(R1, R1, 1), ENDL,
    FLD(R2, SRC), OR_ABS(R4, R2, R5, C0),          /* r4 = OR |b| */
    FLD(R6, ER_DST), LD(R7, ER, R6, 0),            /* r7 = e_x */
    FLD(R6, ER_SRC), LD(R8, ER, R6, 0),            /* r8 = e_b */
    BITLEN(R9, R4), ADD(R9, R9, R8), ADDI(R9, R9, -CW_RES_BITS), /* r9 = eb30 */
    /* r11 = e: mx == 0 ? eb30 : mb == 0 ? e_x : max(e_x, eb30) */
    MOV(R11, R7), SLT(R10, R7, R9), CMOV(R11, R9, R10),
    SLTI(R10, R4, 1), CMOV(R11, R7, R10),
    SLTI(R10, R3, 1), CMOV(R11, R9, R10),
    SUB(R12, R7, R11), SUB(R13, R8, R11),
    FLD(R1, DST), FLD(R2, SRC), LI(R3, 0),         /* r3 = OR |sum| */
    LOOP(C0),
        LD(R5, ACT, R1, 0), AS32(R5), SHSAT(R5, R5, R12, CW_RES_MAX),
        LD(R6, ACT, R2, 0), SHSAT(R6, R6, R13, CW_RES_MAX),
        ADD(R5, R5, R6), ST(ACT, R1, 0, R5), ABS(R6, R5), OR(R3, R3, R6),
        ADDI(R1, R1, 1), ADDI(R2, R2, 1),
    ENDL,
    BLOCK_SHIFT(R4, R3, R5, CW_RES_BITS), SUB(R5, R0, R4),
    FLD(R1, DST), FLD(R2, DST),
    SHIFT_PASS(R1, R2, R5, R6, C0, CW_RES_MAX),
    ADD(R11, R11, R4), FLD(R6, ER_DST), ST(ER, R6, 0, R11),
    DONE,
};

/* ------------------------------------------------------------- MATVEC */

/* The weight at byte r2 into r: 8-bit lanes, 16-bit lanes, or 16-bit lanes
 * holding 8-bit weights (a 16-bit target runs both; the kernel then takes
 * the low byte, as ref_core.c's unpacking does). */
#define LDW8(r)    LD(r, W8, R2, 0)
#define LDW16(r)   LD(r, W16, R2, 0)
#define LDW16_8(r) LD(r, W16, R2, 0), SLLI(r, r, 56), SRAI(r, r, 56)

/* One multiply-accumulate: acc r14 += (int16)ACT[r1] * W[r2]; r1 += 1,
 * r2 += r3 (the weight width). */
#define MAC(LDW) \
    LD(R4, ACT, R1, 0), AS16(R4), LDW(R6), MUL(R4, R4, R6), ADD(R14, R14, R4), \
    ADDI(R1, R1, 1), ADD(R2, R2, R3)

/* cw_hls_matvec_w8/16: row r of the matrix at line a24 (docs/isa.md,
 * "Memory map") times the int16 vector at src, requantized by the scale
 * entry b24 + r, into dst + r; E[er_dst] = E[er_src] + imm. */
#define MATVEC_PROGRAM(LDW) {                                                            \
    FLD(R1, LOG2_K), FLD(R2, K), FLD(R3, WBYTES), FLD(R4, LINE_BYTES), FLD(R5, LANES), \
    FLD(R6, AUX), ADD(R6, R6, R2), ADDI(R6, R6, -1), SRA(R6, R6, R1),  /* chunks */    \
    MUL(R7, R2, R3),                      /* k * wbytes: one lane of a line */         \
    SUB(R8, R4, R7),                      /* a chunk's end to the next chunk */        \
    ADDI(R9, R6, -1), MUL(R9, R9, R4),    /* a block's last lane to the next block */  \
    FLD(R10, A24), MUL(R10, R10, R4),     /* r10: the current row's first byte */      \
    LI(R11, 0),                           /* r11: its lane */                          \
    FLD(R12, DST), FLD(R13, B24),                                                      \
    CHUNK_COUNTS(AUX), CFLD(C0, N, 0),                                                 \
    LOOP(C0),                                                                          \
        LI(R14, 0), FLD(R1, SRC), MOV(R2, R10),                                        \
        LOOP(C1), LOOP(C2), MAC(LDW), ENDL, ADD(R2, R2, R8), ENDL,                       \
        LOOP(C3), MAC(LDW), ENDL,                                                        \
        LD(R4, SCL, R13, 0), LI(R6, 0xFFFF), AND(R6, R4, R6),                          \
        SRAI(R4, R4, 16), LI(R15, 0xFF), AND(R4, R4, R15),                             \
        MUL(R14, R14, R6), SRR(R14, R14, R4), ST(ACT, R12, 0, R14),                    \
        ADDI(R12, R12, 1), ADDI(R13, R13, 1),                                          \
        ADDI(R11, R11, 1), ADD(R10, R10, R7),                                          \
        SLT(R6, R11, R5), SLTI(R4, R6, 1),    /* r4: the block is done */              \
        CMOV(R11, R0, R4), ADD(R15, R10, R9), CMOV(R10, R15, R4),                      \
    ENDL,                                                                              \
    FLD(R1, ER_SRC), LD(R2, ER, R1, 0), FLD(R3, IMM), ADD(R2, R2, R3),                 \
    FLD(R1, ER_DST), ST(ER, R1, 0, R2),                                                \
    DONE,                                                                              \
}

static const cw_uop p_matvec_w8[] = MATVEC_PROGRAM(LDW8);
static const cw_uop p_matvec_w16[] = MATVEC_PROGRAM(LDW16);
static const cw_uop p_matvec_w16_8[] = MATVEC_PROGRAM(LDW16_8);

/* -------------------------------------------------------------- EMBED */

/* One element of the row: ACT[r1] = W[r2] * mult (r13), OR into r7. */
#define EXPAND(LDW) \
    LDW(R4), MUL(R4, R4, R13), ST(ACT, R1, 0, R4), ABS(R4, R4), OR(R7, R7, R4), \
    ADDI(R1, R1, 1), ADD(R2, R2, R10)

/* cw_hls_embed_w8/16 of row TOK with its scale, then cw_hls_norm_res into
 * dst (the wide products pass through dst); E[er_dst] = imm - shift + s. */
#define EMBED_PROGRAM(LDW) {                                                             \
    FLD(R1, TOK), FLD(R2, LOG2_LANES), SRA(R3, R1, R2),         /* r3: TOK's block */  \
    FLD(R4, LANES), ADDI(R4, R4, -1), AND(R5, R1, R4),          /* r5: its lane */     \
    FLD(R6, K), FLD(R7, LOG2_K), FLD(R8, N), ADD(R8, R8, R6), ADDI(R8, R8, -1),        \
    SRA(R8, R8, R7),                                            /* r8: chunks */       \
    FLD(R9, LINE_BYTES), FLD(R10, WBYTES), MUL(R11, R6, R10), SUB(R12, R9, R11),       \
    MUL(R3, R3, R8), FLD(R13, A24), ADD(R3, R3, R13), MUL(R3, R3, R9),                 \
    MUL(R5, R5, R11), ADD(R2, R3, R5),                          /* r2: the row */      \
    FLD(R1, B24), FLD(R4, TOK), ADD(R1, R1, R4), LD(R4, SCL, R1, 0),                   \
    LI(R13, 0xFFFF), AND(R13, R4, R13),                         /* r13: mult */        \
    SRAI(R14, R4, 16), LI(R15, 0xFF), AND(R14, R14, R15),       /* r14: shift */       \
    CHUNK_COUNTS(N),                                                                   \
    LI(R7, 0), FLD(R1, DST),                                                           \
    LOOP(C1), LOOP(C2), EXPAND(LDW), ENDL, ADD(R2, R2, R12), ENDL,                       \
    LOOP(C3), EXPAND(LDW), ENDL,                                                         \
    BLOCK_SHIFT(R8, R7, R4, CW_RES_BITS), SUB(R9, R0, R8),                             \
    FLD(R1, DST), FLD(R2, DST), CFLD(C0, N, 0),                                        \
    SHIFT_PASS(R1, R2, R9, R4, C0, CW_RES_MAX),                                        \
    FLD(R1, IMM), SUB(R1, R1, R14), ADD(R1, R1, R8), FLD(R2, ER_DST), ST(ER, R2, 0, R1), \
    DONE,                                                                              \
}

static const cw_uop p_embed_w8[] = EMBED_PROGRAM(LDW8);
static const cw_uop p_embed_w16[] = EMBED_PROGRAM(LDW16);
static const cw_uop p_embed_w16_8[] = EMBED_PROGRAM(LDW16_8);

/* --------------------------------------------------------------- SILU */

/* cw_hls_silu_gate: a (int16 at src, exponent E[er_src]) times its sigmoid
 * (cw_hls_sigmoid: table and linear interpolation) times b (int16 at aux),
 * wide into dst; E[er_dst] = E[er_src] + E[er_src2] - 16. */
static const cw_uop p_silu[] = {
    CFLD(C0, N, 0),
    FLD(R1, ER_SRC), LD(R2, ER, R1, 0), ADDI(R3, R2, CW_SIG_FRAC),  /* r3: a to Q16 */
    FLD(R4, SRC), FLD(R5, AUX), FLD(R6, DST), LI(R7, 1023),
    LOOP(C0),
        LD(R8, ACT, R4, 0), AS16(R8),                             /* a */
        SHSAT(R9, R8, R3, (int64_t)16 << 16),                     /* xq */
        ABS(R10, R9), SRAI(R11, R10, 10), AND(R12, R10, R7),      /* index, fraction */
        LD(R13, SIG, R11, 0),
        SLTI(R14, R11, 1024), ADD(R14, R11, R14), LD(R14, SIG, R14, 0),
        SUB(R14, R14, R13), MUL(R14, R14, R12), SRRI(R14, R14, 10), ADD(R13, R13, R14),
        LI(R14, 65536), SUB(R14, R14, R13), SLT(R12, R9, R0), CMOV(R13, R14, R12), /* sg */
        MUL(R13, R8, R13),
        LD(R14, ACT, R5, 0), AS16(R14), MUL(R13, R13, R14), ST(ACT, R6, 0, R13),
        ADDI(R4, R4, 1), ADDI(R5, R5, 1), ADDI(R6, R6, 1),
    ENDL,
    FLD(R1, ER_SRC2), LD(R1, ER, R1, 0), ADD(R1, R1, R2), ADDI(R1, R1, -CW_SIG_FRAC),
    FLD(R4, ER_DST), ST(ER, R4, 0, R1),
    DONE,
};

/* ------------------------------------------------------------ RMSNORM */

/* cw_hls_rsqrt of v (r5, 0 < v < 2^63): y (Q30) into r9, sh (even) into
 * r8; m replaces v in r5. Scratch r10, r11. The exponent is -45 - sh/2. */
#define NEWTON_RSQRT \
    MUL(R10, R9, R9), SRAI(R10, R10, 30), MUL(R10, R5, R10), SRAI(R10, R10, 30), \
    LI(R11, (int64_t)3 << 30), SUB(R10, R11, R10), MUL(R9, R9, R10), SRAI(R9, R9, 31)
#define RSQRT \
    BITLEN(R8, R5), ADDI(R8, R8, -32), LI(R9, 1), AND(R9, R8, R9), ADD(R8, R8, R9), \
    MOV(R9, R8), SLT(R10, R8, R0), CMOV(R9, R0, R10),          /* max(sh, 0) */      \
    SUB(R11, R0, R8), SLT(R10, R11, R0), CMOV(R11, R0, R10),   /* max(-sh, 0) */     \
    SRA(R5, R5, R9), SLL(R5, R5, R11),                         /* m in [2^30, 2^32) */ \
    SRAI(R9, R5, 24), LD(R9, RSQRT, R9, -64),                                        \
    NEWTON_RSQRT, NEWTON_RSQRT

/* cw_hls_rmsnorm of the residual at src (int32) with the gain block at a24
 * (CST: exponent, eps mantissa, eps exponent, gains), wide into dst, then
 * cw_hls_norm16 there in place; E[er_dst] its exponent. (ORV changes
 * nothing here.) */
static const cw_uop p_rmsnorm[] = {
    CFLD(C0, N, 0),
    FLD(R1, SRC), LI(R2, 0),
    LOOP(C0), LD(R3, ACT, R1, 0), AS32(R3), ABS(R3, R3), OR(R2, R2, R3), ADDI(R1, R1, 1), ENDL,
    BITLEN(R2, R2), ADDI(R3, R2, -20), SUB(R4, R0, R3),        /* r2 b, r3 sh, r4 -sh */
    LI(R5, 0), FLD(R1, SRC),                                   /* r5: sum of squares */
    LOOP(C0),
        LD(R6, ACT, R1, 0), AS32(R6), SHSAT(R6, R6, R4, (int64_t)1 << 20),
        MUL(R6, R6, R6), ADD(R5, R5, R6), ADDI(R1, R1, 1),
    ENDL,
    FLD(R1, A24), LD(R6, CST, R1, 2),                          /* eps exponent */
    FLD(R7, ER_SRC), LD(R7, ER, R7, 0), ADD(R7, R7, R3), SLLI(R7, R7, 1),
    SUB(R6, R6, R7),                                           /* r6: d */
    ADDI(R7, R6, -25), LI(R8, 1), AND(R8, R7, R8), ADD(R7, R7, R8),
    SLTI(R8, R6, 26), CMOV(R7, R0, R8),                        /* r7: k */
    LD(R8, CST, R1, 1), LI(R9, 0xFFFFFFFF), AND(R8, R8, R9),   /* eps mantissa */
    SUB(R9, R6, R7), SHSAT(R8, R8, R9, (int64_t)1 << 56),
    SRR(R5, R5, R7), ADD(R5, R5, R8), LI(R9, 1), SLTI(R8, R5, 1), CMOV(R5, R9, R8), /* v */
    RSQRT,
    SRAI(R8, R8, 1), SUB(R8, R0, R8), ADDI(R8, R8, -45), SRAI(R10, R7, 1),
    SUB(R8, R8, R10),                                          /* r8: er */
    ADDI(R10, R2, -15), SLT(R11, R10, R0), CMOV(R10, R0, R11), /* r10: sx */
    FLD(R1, SRC), FLD(R2, DST), FLD(R11, A24), LI(R12, 0),     /* r12: OR |out| */
    LOOP(C0),
        LD(R13, ACT, R1, 0), AS32(R13), LD(R14, CST, R11, 3), AS16(R14),
        MUL(R13, R13, R14), SRR(R13, R13, R10), MUL(R13, R13, R9), ST(ACT, R2, 0, R13),
        ABS(R14, R13), OR(R12, R12, R14), ADDI(R1, R1, 1), ADDI(R2, R2, 1), ADDI(R11, R11, 1),
    ENDL,
    FLD(R1, A24), LD(R13, CST, R1, 0), ADD(R13, R13, R8), SUB(R13, R13, R3),
    ADD(R13, R13, R10),                                        /* r13: e */
    BLOCK_SHIFT(R4, R12, R5, 15), SUB(R6, R0, R4),
    FLD(R1, DST), FLD(R2, DST),
    SHIFT_PASS(R1, R2, R6, R5, C0, CW_ACT_MAX),
    ADD(R13, R13, R4), FLD(R1, ER_DST), ST(ER, R1, 0, R13),
    DONE,
};

/* -------------------------------------------------------------- HEADS */

/* Per head h (c0 = n heads of c1 = aux values; c2 = aux / 2 pairs): r2 the
 * head's first source word, r3 its first output word (ACT, or the cache at
 * (layer b24, POS)), r4 its exponent's index (ER, or KE/VE), r5 = E[er_src],
 * r6 = POS. Without ROPE: cw_hls_norm16 from ACT to the output. With ROPE:
 * cw_hls_norm16 into SCR[0..), cw_hls_rope into SCR[256..), cw_hls_norm16
 * from there. Into a cache: cw_hls_kv_round (to kvbits bits) on the way. */

/* r = quarter_sin(p) of hls/cw_math.c; p is consumed, t1 t2 scratch. */
#define QSIN(r, p, t1, t2) \
    SRAI(t1, p, 20), LI(t2, 0xFFFFF), AND(t2, p, t2), LD(r, SIN, t1, 0), \
    SLTI(p, t1, 1024), ADD(p, t1, p), LD(p, SIN, p, 0), \
    SUB(p, p, r), MUL(p, p, t2), SRRI(p, p, 20), ADD(r, r, p)

/* One pair of cw_hls_rope at SCR[r7], with the phase increment CST[r8]:
 * the rotated pair to SCR[r7 + 256], OR |.| into r9. */
#define ROPE_PAIR \
    LD(R10, CST, R8, 0), LI(R11, 0xFFFFFFFF), AND(R10, R10, R11), \
    MUL(R10, R10, R6), AND(R10, R10, R11),                   /* phase mod 2^32 */ \
    SRAI(R11, R10, 30), LI(R12, 0x3FFFFFFF), AND(R10, R10, R12), /* quadrant, p */ \
    LI(R12, (int64_t)1 << 30), SUB(R12, R12, R10),                                \
    QSIN(R13, R10, R14, R15), QSIN(R10, R12, R14, R15),      /* r13 sin, r10 cos */ \
    LI(R12, 1), AND(R12, R11, R12), MOV(R14, R13), CMOV(R14, R10, R12),           \
    CMOV(R10, R13, R12),                                     /* magnitudes */     \
    LI(R12, 2), AND(R13, R11, R12), SUB(R15, R0, R14), CMOV(R14, R15, R13), /* s */ \
    ADDI(R11, R11, 1), AND(R11, R11, R12), SUB(R15, R0, R10), CMOV(R10, R15, R11), /* c */ \
    LD(R11, SCR, R7, 0), LD(R12, SCR, R7, 1),                                     \
    MUL(R13, R11, R10), MUL(R15, R12, R14), SUB(R13, R13, R15),                   \
    ST(SCR, R7, 256, R13), ABS(R13, R13), OR(R9, R9, R13),                        \
    MUL(R13, R11, R14), MUL(R15, R12, R10), ADD(R13, R13, R15),                   \
    ST(SCR, R7, 257, R13), ABS(R13, R13), OR(R9, R9, R13),                        \
    ADDI(R7, R7, 2), ADDI(R8, R8, 1)

/* norm16 of SI[r7..] (c1 values): shift into r10, OR pass with r9, r11. */
#define NORM_SHIFT(SI) \
    LI(R9, 0), LOOP(C1), LD(R11, SI, R7, 0), ABS(R11, R11), OR(R9, R9, R11), ADDI(R7, R7, 1), \
    ENDL, BLOCK_SHIFT(R10, R9, R11, 15), SUB(R11, R0, R10)

/* The output pass: SO[r8 + i] = the norm16 shift (r11 negated) of
 * SI[r7 + i], i < c1; into a cache also cw_hls_kv_round: r13 = 16 - kvbits,
 * r14 = the bound, r15 = its negation. */
#define OUT_ACT(SI, SO) \
    LOOP(C1), LD(R12, SI, R7, 0), SHSAT(R12, R12, R11, CW_ACT_MAX), ST(SO, R8, 0, R12), \
    ADDI(R7, R7, 1), ADDI(R8, R8, 1), ENDL
#define KV_BOUNDS \
    LI(R13, 16), FLD(R14, KVBITS), SUB(R13, R13, R14), LI(R15, 1), ADDI(R14, R14, -1), \
    SLL(R14, R15, R14), ADDI(R14, R14, -1), SUB(R15, R0, R14)
#define OUT_CACHE(SI, SO) \
    KV_BOUNDS, \
    LOOP(C1), LD(R12, SI, R7, 0), SHSAT(R12, R12, R11, CW_ACT_MAX), SRR(R12, R12, R13), \
    SLT(R9, R14, R12), CMOV(R12, R14, R9), SLT(R9, R12, R15), CMOV(R12, R15, R9), \
    ST(SO, R8, 0, R12), ADDI(R7, R7, 1), ADDI(R8, R8, 1), ENDL, \
    ADD(R10, R10, R13)   /* the exponent grows by 16 - kvbits */

/* The head loop's set-up: into ACT (dst, er_dst) or a cache's cell. */
#define HEADS_TO_ACT FLD(R3, DST), FLD(R4, ER_DST)
#define HEADS_TO_CACHE \
    FLD(R3, B24), FLD(R7, MAX_CTX), MUL(R3, R3, R7), ADD(R3, R3, R6),  /* cell */ \
    FLD(R7, N), MUL(R4, R3, R7),                                       /* cell n */ \
    FLD(R8, AUX), MUL(R7, R7, R8), MUL(R3, R3, R7)                     /* cell n hs */

#define HEADS_START \
    CFLD(C0, N, 0), CFLD(C1, AUX, 0), CFLD(C2, AUX, 0), CFLD(C3, ONE, 1), CDIV(C2, C2, C3), \
    FLD(R6, POS), FLD(R2, SRC), FLD(R1, ER_SRC), LD(R5, ER, R1, 0)

/* The exponent r10 (+ r5 or the saved one) to ES[r4], then the next head. */
#define HEADS_NEXT(ES) \
    ST(ES, R4, 0, R10), FLD(R7, AUX), ADD(R2, R2, R7), ADD(R3, R3, R7), ADDI(R4, R4, 1)

#define HEADS_PLAIN(TO, OUT, ES) {                                                   \
    HEADS_START, TO,                                                                 \
    LOOP(C0),                                                                        \
        MOV(R7, R2), NORM_SHIFT(ACT), MOV(R7, R2), MOV(R8, R3), OUT,                 \
        ADD(R10, R10, R5), HEADS_NEXT(ES),                                           \
    ENDL,                                                                            \
    DONE,                                                                            \
}

#define HEADS_ROPE(TO, OUT, ES) {                                                    \
    HEADS_START, TO,                                                                 \
    LOOP(C0),                                                                        \
        MOV(R7, R2), NORM_SHIFT(ACT), MOV(R7, R2), LI(R8, 0),                        \
        OUT_ACT(ACT, SCR),                                                           \
        ADD(R10, R10, R5), ADDI(R10, R10, -CW_TRIG_FRAC), ST(SCR, R0, 500, R10),     \
        LI(R7, 0), FLD(R8, A24), LI(R9, 0), LOOP(C2), ROPE_PAIR, ENDL,               \
        BLOCK_SHIFT(R10, R9, R11, 15), SUB(R11, R0, R10),                            \
        LI(R7, 256), MOV(R8, R3), OUT,                                               \
        LD(R12, SCR, R0, 500), ADD(R10, R10, R12), HEADS_NEXT(ES),                   \
    ENDL,                                                                            \
    DONE,                                                                            \
}

static const cw_uop p_heads_act[] = HEADS_PLAIN(HEADS_TO_ACT, OUT_ACT(ACT, ACT), ER);
static const cw_uop p_heads_kc[] = HEADS_PLAIN(HEADS_TO_CACHE, OUT_CACHE(ACT, KC), KE);
static const cw_uop p_heads_rope_act[] = HEADS_ROPE(HEADS_TO_ACT, OUT_ACT(SCR, ACT), ER);
static const cw_uop p_heads_rope_kc[] = HEADS_ROPE(HEADS_TO_CACHE, OUT_CACHE(SCR, KC), KE);

/* --------------------------------------------------------------- ATTN */

/* r15 = cw_hls_exp_neg(r12) (r12 >= 0, consumed); scratch r13, r14. */
#define EXP_NEG \
    LI(R13, (int64_t)1 << 21), SLT(R14, R13, R12), CMOV(R12, R13, R14),   /* clamp */ \
    LI(R13, CW_LOG2E_Q30), MUL(R12, R12, R13), SRRI(R12, R12, 22),        /* y, Q24 */ \
    SRAI(R13, R12, 24), LI(R14, 0xFFFFFF), AND(R12, R12, R14),            /* n, f */ \
    SRAI(R14, R12, 16), LI(R15, 0xFFFF), AND(R12, R12, R15),              /* idx, fr */ \
    LD(R15, EXP2, R14, 0), LD(R14, EXP2, R14, 1),                                       \
    SUB(R14, R15, R14), MUL(R14, R14, R12), SRRI(R14, R14, 16), SUB(R15, R15, R14),     \
    SRR(R15, R15, R13), SLTI(R14, R13, CW_PROB_FRAC + 1), SLTI(R12, R14, 1),            \
    CMOV(R15, R0, R12)                                                    /* n > 24: 0 */

/* cw_hls_recip of r11 (> 0, consumed): r in r14, its exponent in r13;
 * scratch r9, r10, r12, r15. */
#define NEWTON_RECIP \
    MUL(R15, R11, R14), SRAI(R15, R15, 30), LI(R9, (int64_t)1 << 31), SUB(R15, R9, R15), \
    MUL(R14, R14, R15), SRAI(R14, R14, 30)
#define RECIP \
    BITLEN(R13, R11), ADDI(R13, R13, -31),                                               \
    MOV(R9, R13), SLT(R10, R13, R0), CMOV(R9, R0, R10),                                  \
    SUB(R12, R0, R13), SLT(R10, R12, R0), CMOV(R12, R0, R10),                            \
    SRA(R11, R11, R9), SLL(R11, R11, R12),               /* m in [2^30, 2^31) */       \
    SRAI(R14, R11, 22), LD(R14, RECIP, R14, -256),                                       \
    NEWTON_RECIP, NEWTON_RECIP,                                                          \
    SUB(R13, R0, R13), ADDI(R13, R13, -60)

/* cw_hls_attention per head h (r1) over positions 0..POS (c1) of kv head
 * h / (n / a24): keys and values from r2 (the cache word of position 0),
 * their exponents from r3; r4 counts the heads of one kv head. SCR holds
 * acc at 0, the scaled sums at 128, each head's exponent at 256 + h and
 * the scores, then the weights, at CW_UC_SCR_WORDS + t. The heads' outputs
 * go straight to dst; cw_hls_shift16 aligns them to the largest exponent
 * at the end. */
static const cw_uop p_attn[] = {
    CFLD(C3, N, 0), CFLD(C2, A24, 0), CDIV(C3, C3, C2),       /* c3: heads per kv head */
    CFLD(C0, N, 0), CFLD(C1, POS, 1), CFLD(C2, AUX, 0),
    FLD(R2, B24), FLD(R5, MAX_CTX), MUL(R2, R2, R5),          /* layer's first cell */
    FLD(R6, A24), MUL(R3, R2, R6), FLD(R7, AUX), MUL(R6, R6, R7), MUL(R2, R2, R6),
    LI(R1, 0), LI(R4, 0),
    LOOP(C0),
        /* scores: q.k_t, shifted to Q16 and saturated to int32; r8 their max */
        FLD(R10, ER_SRC), ADD(R10, R10, R1), LD(R10, ER, R10, 0), ADDI(R10, R10, CW_SCORE_FRAC),
        MOV(R5, R2), MOV(R6, R3), LI(R7, CW_UC_SCR_WORDS), LI(R8, INT32_MIN),
        FLD(R9, A24), FLD(R13, AUX), MUL(R9, R9, R13),        /* r9: the cache stride */
        LOOP(C1),
            LI(R11, 0), FLD(R12, AUX), MUL(R12, R12, R1), FLD(R13, SRC), ADD(R12, R12, R13),
            MOV(R13, R5),
            LOOP(C2),
                LD(R14, ACT, R12, 0), AS16(R14), LD(R15, KC, R13, 0), MUL(R14, R14, R15),
                ADD(R11, R11, R14), ADDI(R12, R12, 1), ADDI(R13, R13, 1),
            ENDL,
            LD(R14, KE, R6, 0), ADD(R14, R14, R10), SHSAT(R11, R11, R14, INT32_MAX),
            ST(SCR, R7, 0, R11), SLT(R14, R8, R11), CMOV(R8, R11, R14),
            ADD(R5, R5, R9), FLD(R14, A24), ADD(R6, R6, R14), ADDI(R7, R7, 1),
        ENDL,
        /* softmax: the weights exp(s - max) replace the scores; r11 their sum */
        LI(R7, CW_UC_SCR_WORDS), LI(R11, 0),
        LOOP(C1),
            LD(R12, SCR, R7, 0), SUB(R12, R8, R12), EXP_NEG,
            ST(SCR, R7, 0, R15), ADD(R11, R11, R15), ADDI(R7, R7, 1),
        ENDL,
        /* the weighted sum of v_t, each aligned to the largest exponent r8 */
        MOV(R5, R3), LI(R8, INT32_MIN),
        LOOP(C1),
            LD(R13, VE, R5, 0), SLT(R14, R8, R13), CMOV(R8, R13, R14), FLD(R14, A24),
            ADD(R5, R5, R14),
        ENDL,
        LI(R12, 0), LOOP(C2), ST(SCR, R12, 0, R0), ADDI(R12, R12, 1), ENDL,
        MOV(R5, R2), MOV(R6, R3), LI(R7, CW_UC_SCR_WORDS),
        LOOP(C1),
            LD(R10, SCR, R7, 0), LD(R13, VE, R6, 0), SUB(R13, R8, R13),
            LI(R12, 0), MOV(R14, R5),
            LOOP(C2),
                LD(R15, VC, R14, 0), MUL(R15, R15, R10), SRR(R15, R15, R13),
                LD(R9, SCR, R12, 0), ADD(R9, R9, R15), ST(SCR, R12, 0, R9),
                ADDI(R12, R12, 1), ADDI(R14, R14, 1),
            ENDL,
            FLD(R9, A24), FLD(R15, AUX), MUL(R15, R9, R15), ADD(R5, R5, R15),
            ADD(R6, R6, R9), ADDI(R7, R7, 1),
        ENDL,
        /* divide by the sum: acc >> sa times the reciprocal, into SCR[128..] */
        RECIP,
        LI(R12, 0), LI(R9, 0),
        LOOP(C2), LD(R10, SCR, R12, 0), ABS(R10, R10), OR(R9, R9, R10), ADDI(R12, R12, 1), ENDL,
        BLOCK_SHIFT(R10, R9, R11, 31), SLT(R11, R10, R0), CMOV(R10, R0, R11), /* r10: sa */
        LI(R12, 0), LI(R9, 0),
        LOOP(C2),
            LD(R11, SCR, R12, 0), SRR(R11, R11, R10), MUL(R11, R11, R14),
            ST(SCR, R12, 128, R11), ABS(R11, R11), OR(R9, R9, R11), ADDI(R12, R12, 1),
        ENDL,
        ADD(R8, R8, R13), ADD(R8, R8, R10),                   /* emax + er + sa */
        /* cw_hls_norm16 to dst + h * hs; the head's exponent to SCR[256 + h] */
        BLOCK_SHIFT(R10, R9, R11, 15), SUB(R11, R0, R10),
        FLD(R5, AUX), MUL(R5, R5, R1), FLD(R6, DST), ADD(R5, R5, R6), LI(R12, 128),
        LOOP(C2),
            LD(R6, SCR, R12, 0), SHSAT(R6, R6, R11, CW_ACT_MAX), ST(ACT, R5, 0, R6),
            ADDI(R12, R12, 1), ADDI(R5, R5, 1),
        ENDL,
        ADD(R8, R8, R10), ST(SCR, R1, 256, R8),
        /* the next head, and after c3 of them the next kv head */
        ADDI(R1, R1, 1), ADDI(R4, R4, 1), MOVC(R5, C3), SLT(R6, R4, R5), SLTI(R6, R6, 1),
        CMOV(R4, R0, R6), FLD(R7, AUX), ADD(R7, R2, R7), CMOV(R2, R7, R6),
        ADDI(R7, R3, 1), CMOV(R3, R7, R6),
    ENDL,
    /* the heads aligned to the largest exponent (cw_hls_shift16) */
    LI(R8, INT32_MIN), LI(R1, 0),
    LOOP(C0), LD(R9, SCR, R1, 256), SLT(R10, R8, R9), CMOV(R8, R9, R10), ADDI(R1, R1, 1), ENDL,
    FLD(R5, DST), LI(R1, 0),
    LOOP(C0),
        LD(R9, SCR, R1, 256), SUB(R9, R8, R9),
        LOOP(C2), LD(R10, ACT, R5, 0), SRR(R10, R10, R9), ST(ACT, R5, 0, R10), ADDI(R5, R5, 1), ENDL,
        ADDI(R1, R1, 1),
    ENDL,
    FLD(R1, ER_DST), ST(ER, R1, 0, R8),
    DONE,
};

/* ----------------------------------------------------------- dispatch */

#define P(p) { p, (int)(sizeof p / sizeof p[0]) }
static const struct { const cw_uop *p; int n; } programs[CW_UC_VARIANTS] = {
    [CW_UV_EMBED_W8] = P(p_embed_w8),
    [CW_UV_EMBED_W16] = P(p_embed_w16),
    [CW_UV_EMBED_W16_8] = P(p_embed_w16_8),
    [CW_UV_RMSNORM] = P(p_rmsnorm),
    [CW_UV_MATVEC_W8] = P(p_matvec_w8),
    [CW_UV_MATVEC_W16] = P(p_matvec_w16),
    [CW_UV_MATVEC_W16_8] = P(p_matvec_w16_8),
    [CW_UV_NORM16] = P(p_norm16),
    [CW_UV_HEADS_ACT] = P(p_heads_act),
    [CW_UV_HEADS_KC] = P(p_heads_kc),
    [CW_UV_HEADS_VC] = P(p_heads_kc),     /* KC and KE remapped (cw_uc_space()) */
    [CW_UV_HEADS_ROPE_ACT] = P(p_heads_rope_act),
    [CW_UV_HEADS_ROPE_KC] = P(p_heads_rope_kc),
    [CW_UV_HEADS_ROPE_VC] = P(p_heads_rope_kc),
    [CW_UV_ATTN] = P(p_attn),
    [CW_UV_RESADD] = P(p_resadd),
    [CW_UV_SILU] = P(p_silu),
    [CW_UV_ARGMAX] = P(p_argmax),
};
#undef P

int cw_uc_variant(const cw_instr *in, const cw_target_config *t)
{
    /* the weight memory's lanes, and on 16-bit lanes the flag */
    const int w = t->wbits == 8 ? 0 : (in->flags & CW_F_W16) ? 1 : 2;
    const int rope = (in->flags & CW_F_ROPE) != 0;
    switch (in->op) {
    case CW_OP_EMBED: return CW_UV_EMBED_W8 + w;
    case CW_OP_RMSNORM: return CW_UV_RMSNORM;
    case CW_OP_MATVEC: return CW_UV_MATVEC_W8 + w;
    case CW_OP_NORM16: return CW_UV_NORM16;
    case CW_OP_HEADS: {
        int to = (in->flags & CW_F_DST_KC) ? 1 : (in->flags & CW_F_DST_VC) ? 2 : 0;
        return (rope ? CW_UV_HEADS_ROPE_ACT : CW_UV_HEADS_ACT) + to;
    }
    case CW_OP_ATTN: return CW_UV_ATTN;
    case CW_OP_RESADD: return CW_UV_RESADD;
    case CW_OP_SILU: return CW_UV_SILU;
    case CW_OP_ARGMAX: return CW_UV_ARGMAX;
    default: return -1;
    }
}

const cw_uop *cw_uc_variant_program(int v, int *n)
{
    if (v < 0 || v >= CW_UC_VARIANTS) {
        *n = 0;
        return NULL;
    }
    *n = programs[v].n;
    return programs[v].p;
}

const cw_uop *cw_uc_program(const cw_instr *in, const cw_target_config *t, int *n)
{
    return cw_uc_variant_program(cw_uc_variant(in, t), n);
}
