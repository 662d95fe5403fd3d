/*
 * isa.h - clockwork's instruction set: opcodes, the 160-bit encoding, and
 * the fixed latency of every instruction (docs/isa.md). The compiler, the
 * ref device and the RTL's decoder all follow this file.
 */
#ifndef CW_ISA_H
#define CW_ISA_H

#include <stdint.h>

#include "clockwork.h"

#define CW_INSTR_WORDS 5
#define CW_INSTR_BYTES (4 * CW_INSTR_WORDS)
/* In device memory (the PROG region of the ref core, the RTL and the link)
 * instruction i starts at byte 32 * i: a power-of-two stride for the RTL. */
#define CW_PROG_STRIDE 32

enum cw_opcode {
    CW_OP_NOP = 0,
    CW_OP_EMBED = 1,   /* residual <- embedding row of TOK */
    CW_OP_RMSNORM = 2, /* narrow <- rmsnorm(residual) * gains */
    CW_OP_MATVEC = 3,  /* wide <- W x, per-row scales */
    CW_OP_NORM16 = 4,  /* narrow <- wide, one block exponent */
    CW_OP_HEADS = 5,   /* per head: norm16 [, rope, norm16] into ACT or a cache */
    CW_OP_ATTN = 6,    /* narrow <- attention of every head over the cache */
    CW_OP_RESADD = 7,  /* residual += wide */
    CW_OP_SILU = 8,    /* wide <- silu(a) * b */
    CW_OP_ARGMAX = 9,  /* NEXT <- argmax(wide), or the prompt's next token */
    CW_OP_END = 10,    /* emit NEXT, advance the position or stop */
    CW_OP_COUNT
};

/* Flags (w0 bits 15:8). */
#define CW_F_W16 0x01      /* MATVEC/EMBED: 16-bit weights */
#define CW_F_ROPE 0x01     /* HEADS: rotate before the second norm */
#define CW_F_DST_KC 0x02   /* HEADS: write the K cache at (layer, POS) */
#define CW_F_DST_VC 0x04   /* HEADS: write the V cache at (layer, POS) */
#define CW_F_ORV 0x08      /* NORM16/RESADD/RMSNORM: the OR of |src| is the one the core
                            * kept over the writes of the instruction before, which must
                            * have written exactly src (no OR pass; cw_orv_ok() says
                            * which instructions may come before) */

/* A decoded instruction. Field use per opcode: docs/isa.md. */
typedef struct cw_instr {
    uint8_t op, flags;
    uint8_t er_dst, er_src, er_src2; /* exponent registers */
    int8_t imm;                      /* exponent immediate */
    uint16_t dst, src;               /* ACT addresses */
    uint16_t n;                      /* elements, rows or heads */
    uint16_t aux;                    /* cols, second source, head size */
    uint32_t a24;                    /* weight line / constant address */
    uint32_t b24;                    /* scale entry / layer */
} cw_instr;

void cw_instr_encode(const cw_instr *in, unsigned char out[CW_INSTR_BYTES]);
void cw_instr_decode(const unsigned char in[CW_INSTR_BYTES], cw_instr *out);

/* Whether `in` may carry CW_F_ORV after `prev` (NULL: first of a position):
 * `in` is NORM16, RESADD or RMSNORM and `prev` is the MATVEC, SILU, EMBED or
 * RESADD (for RMSNORM: EMBED or RESADD) whose dst and n are in's src and n
 * (rtl/cw_sequencer.v, error 11, without the RMSNORM restriction). */
int cw_orv_ok(const cw_instr *in, const cw_instr *prev);

/* Checks an instruction's fields against the target's memories and limits,
 * and its ORV flag against `prev`, the instruction before it (NULL for the
 * first of a position); CW_ERR_FORMAT naming the instruction index and field
 * otherwise. The ref device and the artifact loader call it on every
 * instruction. */
int cw_instr_check(const cw_instr *in, const cw_instr *prev, int index,
                   const cw_target_config *t);

/* The largest head size HEADS and ATTN take (the RTL's MAX_HEAD). */
#define CW_MAX_HEAD_SIZE 128

/* Entries in each of the exponent memories KE and VE: one per cached head
 * vector, and a cached head is whole KV words (head size a multiple of k,
 * compiler.c), so kv_depth / k (kv_depth is a multiple of k, target.c).
 * HEADS writing and ATTN reading past it stop with CW_CORE_ERR_KV. */
static inline uint64_t cw_kve_depth(const cw_target_config *t)
{
    return (uint64_t)t->kv_depth / (uint64_t)t->k;
}

/* Cycles from the instruction's issue to the next instruction's issue at
 * position pos (only ATTN depends on pos). */
uint64_t cw_instr_latency(const cw_instr *in, int pos, const cw_target_config *t);

/* Cycles of the whole program for position pos: the sum of latencies. */
uint64_t cw_program_cycles(const cw_instr *prog, int n, int pos, const cw_target_config *t);

const char *cw_op_name(int op);

/* The core's error codes (rtl/cw_sequencer.v; STATUS "core error code" and
 * the ERROR event of docs/protocol.md). */
enum cw_core_error {
    CW_CORE_ERR_NONE = 0,
    CW_CORE_ERR_OPCODE = 1,   /* illegal opcode, END without ARGMAX, ran off the program */
    CW_CORE_ERR_ACT = 2,      /* vector outside ACT, zero length, bad head size */
    CW_CORE_ERR_WGT = 3,      /* weights outside WGT */
    CW_CORE_ERR_SCL = 4,      /* scales outside SCL */
    CW_CORE_ERR_CST = 5,      /* constants outside CST */
    CW_CORE_ERR_KV = 6,       /* cache outside KV */
    CW_CORE_ERR_RUN = 7,      /* bad run parameters */
    CW_CORE_ERR_W16 = 8,      /* 16-bit weights on an 8-bit target */
    CW_CORE_ERR_ER = 9,       /* exponent registers out of range */
    CW_CORE_ERR_WATCHDOG = 10, /* an instruction overran the watchdog bound */
    CW_CORE_ERR_ORV = 11,      /* ORV not right after the instruction that wrote its source */
    CW_CORE_ERR_COUNT
};

/* A short text for a core error code ("watchdog"); "unknown" otherwise. */
const char *cw_core_error_name(int code);

/* The unit an opcode occupies (for reports and schedule pictures). */
enum cw_unit { CW_UNIT_SEQ, CW_UNIT_MATRIX, CW_UNIT_ATTN, CW_UNIT_VECTOR, CW_UNIT_COUNT };
int cw_op_unit(int op);
const char *cw_unit_name(int unit);

#endif
