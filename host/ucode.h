/*
 * ucode.h - the serial core's microcode: a machine small enough for the
 * iCE40UP5K (docs/serial.md) that executes clockwork's instruction set
 * one micro-operation per cycle on a single 64-bit datapath.
 *
 * Each opcode of the ISA (isa.h) is a microprogram. A microprogram has no
 * branches: its only control flow is counted loops, and loop counts come
 * only from the count registers, which are loaded only from instruction
 * fields, the position and constants of the target, never from data. So the
 * number of cycles an instruction takes is a function of its fields and the
 * position, as the ISA requires (docs/isa.md), and cw_uc_cycles() computes
 * it by walking the same microprogram without data. Choices that depend on
 * data (a maximum, a saturation, a shift by a block exponent) are
 * operations of the datapath that take the same cycles for every operand.
 *
 * This file is the machine's definition; host/ucode.c executes it on the
 * memories of a cw_ref_core (the model the RTL is checked against), and
 * host/ucode_ops.c holds the microprograms. tests/unit/test_ucode.c runs
 * every microprogram against the ref core's hls/ kernels.
 *
 * Machine state:
 *   r0..r15   64-bit registers; r0 reads as 0 and ignores writes
 *   c0..c3    count registers (unsigned 32-bit): loop counts only
 *   loop stack, 3 deep
 *   the instruction's fields, POS, TOK, NEXT, the run's prompt length
 *   memories: those of the ISA (ACT, ER, WGT, SCL, CST, KC/VC, KE/VE,
 *   PROMPT), the function tables of hls/cw_tables.h (ROM) and a scratch
 *   memory of the core's own (SCR)
 */
#ifndef CW_UCODE_H
#define CW_UCODE_H

#include <stdint.h>

#include "isa.h"

struct cw_ref_core;

/* The serial sequencer's cost of every instruction, NOP and END included:
 * reading the five instruction words, choosing the microprogram, starting
 * it (docs/serial.md). cw_instr_latency() of a serial target is
 * this plus cw_uc_cycles(). */
#define CW_UC_ISSUE_CYCLES 8

/* Micro-operations. d, a, b are registers (or count registers for the C*
 * operations); imm is a signed constant. The values are the ROM's opcodes
 * (rtl/serial/cw_serial_engine.v decodes the same numbers). */
enum cw_uop_code {
    /* arithmetic: d = f(r[a], r[b]) or f(r[a], imm) */
    CW_U_ADD = 0,    /* r[a] + r[b] (wrapping) */
    CW_U_ADDI = 1,   /* r[a] + imm */
    CW_U_SUB = 2,    /* r[a] - r[b] */
    CW_U_AND = 3,
    CW_U_OR = 4,
    CW_U_SLT = 5,    /* r[a] < r[b] (signed): 1 or 0 */
    CW_U_SLTI = 6,   /* r[a] < imm */
    CW_U_CMOV = 7,   /* if r[b] != 0: d = r[a] (else d keeps its value) */
    CW_U_ABS = 8,    /* |r[a]| (as unsigned 64-bit) */
    CW_U_BITLEN = 9, /* cw_bitlen(r[a] as unsigned) */
    CW_U_SLLI = 10,   /* r[a] << imm, 0 <= imm < 64 */
    CW_U_SRAI = 11,   /* r[a] >> imm (arithmetic), 0 <= imm < 64 */
    CW_U_SLL = 12,    /* r[a] << r[b], 0 <= r[b] < 64 */
    CW_U_SRA = 13,    /* r[a] >> r[b] (arithmetic), 0 <= r[b] < 64 */
    CW_U_SRR = 14,    /* cw_rshift_round(r[a], r[b]) */
    CW_U_SRRI = 15,   /* cw_rshift_round(r[a], imm) */
    CW_U_SHSAT = 16,  /* cw_shift_sat(r[a], r[b], imm): imm is the bound, 0 < imm < 2^62 */
    CW_U_MUL = 17,    /* low 64 bits of r[a] * r[b] */
    CW_U_LI = 18,     /* imm */
    CW_U_FLD = 19,    /* the field imm (enum cw_ufield), sign-extended per field */
    CW_U_MOVC = 20,   /* c[a] */
    /* memories: space imm2 (enum cw_uspace), word r[a] + imm */
    CW_U_LD = 21,     /* d = space[r[a] + imm], sign- or zero-extended per space */
    CW_U_ST = 22,     /* space[r[a] + imm] = r[b], truncated to the space's width */
    /* count registers */
    CW_U_CFLD = 23,   /* c[d] = field imm2 + imm */
    CW_U_CSRL = 24,   /* c[d] = c[a] >> imm */
    CW_U_CSUB = 25,   /* c[d] = c[a] - c[b], 0 if negative */
    CW_U_CMUL = 26,   /* c[d] = c[a] * c[b] */
    CW_U_CDIV = 27,   /* c[d] = c[a] / c[b] (c[b] = 0: the core stops with an error) */
    /* control */
    CW_U_LOOP = 28,   /* repeat the operations up to the matching ENDL c[a] times */
    CW_U_ENDL = 29,   /* the end of a loop body (no cycle of its own) */
    CW_U_NEXT = 30,   /* NEXT = r[a] */
    CW_U_DONE = 31,   /* the instruction is complete */
    CW_U_COUNT
};

/* Instruction fields and machine values (CW_U_FLD, CW_U_CFLD). */
enum cw_ufield {
    CW_UF_N, CW_UF_AUX, CW_UF_DST, CW_UF_SRC, CW_UF_A24, CW_UF_B24,
    CW_UF_IMM,      /* signed */
    CW_UF_FLAGS,
    CW_UF_ER_DST, CW_UF_ER_SRC, CW_UF_ER_SRC2,
    CW_UF_POS, CW_UF_TOK, CW_UF_NPROMPT,
    CW_UF_LANES, CW_UF_K, CW_UF_LOG2_LANES, CW_UF_LOG2_K, /* lanes, k: powers of two */
    CW_UF_LINE_BYTES, CW_UF_WBYTES, CW_UF_MAX_CTX, CW_UF_KVBITS,
    CW_UF_ONE,      /* 1 (with CW_U_CFLD's imm: any constant count) */
    CW_UF_COUNT
};

/* Memory spaces (CW_U_LD, CW_U_ST); words, except WGT8/WGT16: bytes. */
enum cw_uspace {
    CW_US_ACT,    /* int64 */
    CW_US_ER,     /* int32, 256 */
    CW_US_W8,     /* WGT, int8 at a byte address */
    CW_US_W16,    /* WGT, int16 little-endian at a byte address */
    CW_US_SCL,    /* uint32 */
    CW_US_CST,    /* int32 */
    CW_US_KC, CW_US_VC,   /* int16 */
    CW_US_KE, CW_US_VE,   /* int16: exponents, |e| < 4096 (docs/numerics.md) */
    CW_US_PROMPT, /* int32 */
    CW_US_EXP2, CW_US_RSQRT, CW_US_RECIP, CW_US_SIN, CW_US_SIG, /* uint32 ROM */
    CW_US_SCR,    /* int64, the core's own scratch: CW_UC_SCR_WORDS + max_ctx */
    CW_US_COUNT
};

/* The scratch memory (CW_US_SCR): two head vectors of CW_MAX_HEAD_SIZE
 * words from 0 and 256, a few values from 500, and from CW_UC_SCR_WORDS one
 * word per position (attention scores). */
#define CW_UC_SCR_WORDS 512

typedef struct cw_uop {
    uint8_t op, d, a, b;
    uint8_t imm2;   /* space or field */
    int64_t imm;
} cw_uop;

/* The microprograms, one per opcode and variant (an opcode's flags and the
 * target's weight width choose among some): the order of the microcode
 * ROM's entry table. */
enum cw_uc_variant_id {
    CW_UV_EMBED_W8, CW_UV_EMBED_W16, CW_UV_EMBED_W16_8,   /* 8-bit lanes, 16, 16 with W8 */
    CW_UV_RMSNORM,
    CW_UV_MATVEC_W8, CW_UV_MATVEC_W16, CW_UV_MATVEC_W16_8,
    CW_UV_NORM16,
    CW_UV_HEADS_ACT, CW_UV_HEADS_KC, CW_UV_HEADS_VC,
    CW_UV_HEADS_ROPE_ACT, CW_UV_HEADS_ROPE_KC, CW_UV_HEADS_ROPE_VC,
    CW_UV_ATTN, CW_UV_RESADD, CW_UV_SILU, CW_UV_ARGMAX,
    CW_UC_VARIANTS
};

/* Cycles a micro-operation takes (ENDL: 0): LD 2, MUL 4, CDIV 32, the
 * rest 1; LD and ST of ACT or SCR one more (their 64-bit words are two
 * accesses of the serial core's 32-bit data memory). */
int cw_uop_cycles(const cw_uop *u);

/* The microprogram of an instruction on a target (the opcode, and for some
 * opcodes its flags and the target's weight width, choose it): *n
 * operations ending in CW_U_DONE; NULL for an opcode the serial core
 * executes without microcode (NOP, END) or does not know. */
const cw_uop *cw_uc_program(const cw_instr *in, const cw_target_config *t, int *n);

/* The space an access of an instruction's microprogram reaches: a HEADS
 * into the V cache runs the K cache's program, its KC and KE accesses
 * going to VC and VE (the RTL remaps them the same way), so that the ROM
 * holds one copy of it. */
int cw_uc_space(const cw_instr *in, int space);

/* The variant an instruction runs (-1: none), and a variant's program. */
int cw_uc_variant(const cw_instr *in, const cw_target_config *t);
const cw_uop *cw_uc_variant_program(int v, int *n);

/* The microcode ROM the RTL executes (rtl/serial/): every variant's program
 * (one copy of a program that serves several: the HEADS into the V cache
 * run the K cache's), the variants that only 16-bit weight lanes run last
 * (an 8-bit core's ROM is the first n8 words), each micro-operation one
 * word of 48 bits:
 *   bits  4:0 op, 8:5 d, 12:9 a, 16:13 b, 21:17 the space or field,
 *   bit  22 pool, bits 36:23 imm: a signed 14-bit immediate, or with pool
 *   set the index of a 64-bit constant in the pool (the immediates that do
 *   not fit 14 bits, each once), bits 39:37 0,
 *   bits 43:40 and 47:44 the a and b of the next word (the registers the
 *   engine reads a cycle ahead; 0 after the last word).
 * A LOOP's d and b are the a and b of the word after its body's last (where
 * an empty loop goes).
 * LOOP's imm is the address of the last micro-operation of its body, and
 * ENDL is not in the ROM: the body's end is the loop's. entry[v] is the
 * first address of variant v. Fails (CW_ERR_INVALID_ARG) when a program has
 * an empty loop body, two loops ending on one micro-operation, loops nested
 * deeper than 3, more words than max or more than CW_UC_POOL constants, or
 * reads a register that no operation before it is sure to have written (a
 * write inside a loop body counts only inside it): the RTL keeps registers
 * from one instruction to the next, where cw_uc_exec() starts from zeros. */
#define CW_UC_POOL 64
typedef struct cw_uc_rom {
    uint64_t *words;
    int n;
    int n8;     /* the words before the W16 variants (cw_uc_rom_build) */
    int entry[CW_UC_VARIANTS];
    int64_t pool[CW_UC_POOL];
    int n_pool;
} cw_uc_rom;

int cw_uc_rom_build(cw_uc_rom *rom, int max);

/* The same for programs of the caller's (at most CW_UC_VARIANTS, entry[i]
 * the first address of progs[i], in their order; n8 = n): the engine's
 * tests build ROMs of their own this way. */
int cw_uc_rom_build_from(cw_uc_rom *rom, const cw_uop *const *progs, const int *lens,
                         int n_progs, int max);
void cw_uc_rom_free(cw_uc_rom *rom);

/* The run state an instruction sees. */
typedef struct cw_uc_run {
    int pos, tok, next, n_prompt;
} cw_uc_run;

/* Executes one instruction's microprogram on the ref core's memories (and
 * its exponent registers): *cycles receives the cycles it took. Returns
 * CW_OK, or CW_ERR_DEVICE for an access outside a memory, a division by a
 * zero count or a malformed microprogram, as the core's error state. */
int cw_uc_exec(struct cw_ref_core *c, const cw_instr *in, cw_uc_run *rs, uint64_t *cycles);

/* cw_uc_exec() with a microprogram of the caller's (n operations ending in
 * CW_U_DONE) in place of the instruction's: the engine's tests run single
 * micro-operations this way. */
int cw_uc_exec_program(struct cw_ref_core *c, const cw_uop *p, int n, const cw_instr *in,
                       cw_uc_run *rs, uint64_t *cycles);

/* The cycles of one instruction at position pos, from its microprogram's
 * control alone (no data, no memories): what cw_uc_exec measures. 0 for an
 * opcode without a microprogram. */
uint64_t cw_uc_cycles(const cw_instr *in, int pos, const cw_target_config *t);

/* A field's value (enum cw_ufield) for an instruction, sign-extended as
 * CW_U_FLD gives it. */
int64_t cw_uc_field(const cw_instr *in, const cw_uc_run *rs, const cw_target_config *t, int f);

/* The function table of a ROM space (CW_US_EXP2 .. CW_US_SIG): its words
 * and their number; NULL for another space. */
const uint32_t *cw_uc_table(int space, int *n);

/* The five tables one after another in that order: the first words of CST
 * on a serial target, where the compiler puts them and the artifact loader
 * checks them (the serial core's RTL reads its tables from CST). Writes
 * them to out when out is not NULL; returns their number of words
 * (CW_UC_TAB_WORDS). */
#define CW_UC_TAB_WORDS 2755
int cw_uc_tables(uint32_t *out);

/* The memories as the engine sees them, on a ref core: a word of a space
 * (sign- or zero-extended as the space is), or a store truncated to it.
 * CW_ERR_DEVICE outside the space or for a store to a read-only one. The
 * serial core's RTL testbench serves its memory port with these. */
int cw_uc_mem_read(struct cw_ref_core *c, int space, int64_t addr, int64_t *v);
int cw_uc_mem_write(struct cw_ref_core *c, int space, int64_t addr, int64_t v);

#endif
