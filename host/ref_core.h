/*
 * ref_core.h - the ref core: a functional model of the accelerator. It owns
 * memories sized by the target, is loaded through the same memory-write
 * port as the hardware, and executes the program instruction by
 * instruction with the hls/ kernels, counting cycles by the ISA's rules.
 */
#ifndef CW_REF_CORE_H
#define CW_REF_CORE_H

#include <stdatomic.h>
#include <stdint.h>

#include "clockwork.h"
#include "isa.h"

/* Writable memory regions (docs/isa.md, "Memory map"). */
enum cw_region {
    CW_REG_PROG = 0,   /* instruction i at byte 32*i (CW_PROG_STRIDE) */
    CW_REG_WGT = 1,    /* lanes*k*wbits/8 bytes per line */
    CW_REG_SCL = 2,    /* 4 bytes per entry */
    CW_REG_CST = 3,    /* 4 bytes per word */
    CW_REG_PROMPT = 4, /* 4 bytes per token id */
    CW_REG_COUNT
};

typedef struct cw_ref_core {
    cw_target_config t;
    int line_bytes;
    unsigned char *mem[CW_REG_COUNT];
    uint64_t mem_bytes[CW_REG_COUNT];
    int64_t *act;       /* act_depth words */
    int16_t *kc, *vc;   /* kv_depth values each */
    int32_t *ke, *ve;   /* cw_kve_depth() exponents each */
    int32_t er[256];    /* exponent registers */
    /* scratch for kernel calls */
    int16_t *n16a, *n16b, *n16c;
    int32_t *n32;
    int64_t *w64a, *w64b;
    int32_t *scores;
    uint32_t *probs;
    void *wtmp;         /* an unpacked matrix */
    uint16_t *mult;
    uint8_t *shift;
    size_t wtmp_bytes;
} cw_ref_core;

int cw_ref_core_init(cw_ref_core *c, const cw_target_config *t);
void cw_ref_core_free(cw_ref_core *c);

/* The memory-write port: bounds-checked, CW_ERR_INVALID_ARG outside. */
int cw_ref_core_write(cw_ref_core *c, int region, uint64_t offset, const void *data,
                      uint64_t n);

/* Executes one instruction with the hls/ kernels at position pos, token
 * tok, with a prompt of n_prompt ids; *next is NEXT before and after (ARGMAX
 * sets it). No field checks and no cycles: a reference for other models of
 * the core (host/ucode.c, tests/unit/test_ucode.c). CW_ERR_DEVICE as in a
 * run. */
int cw_ref_core_exec(cw_ref_core *c, const cw_instr *in, int pos, int tok, int n_prompt,
                     int *next);

typedef int (*cw_ref_token_fn)(void *user, const cw_token_event *ev);

/* Runs positions 0..steps-1 with the program of n_instr instructions; the
 * prompt's n_prompt ids are in CW_REG_PROMPT. Reports each emitted token
 * (pos, id, device cycle stamp, cycles of that position; predicted_cycles
 * is left 0 for the caller). Stops early on BOS, on a non-zero callback
 * return (CW_ERR_ABORTED) or when *cancel becomes non-zero. An instruction
 * that is illegal or reaches outside a memory stops the core with
 * CW_ERR_DEVICE. *cycles receives the cycle counter at the end. */
int cw_ref_core_run(cw_ref_core *c, int n_instr, int n_prompt, int steps,
                    cw_ref_token_fn on_token, void *user, atomic_int *cancel,
                    uint64_t *cycles);

/* The same run, one position at a time (the link adapter, host/ref_link.c,
 * steps the core between the link engine's polls). begin checks the
 * arguments and reads the first prompt id; each step runs position r->pos:
 * 1 with *ev filled (predicted_cycles 0), 0 when the run is over (all
 * steps ran, or the position produced BOS, which is not reported), or a
 * negative error (CW_ERR_DEVICE for an illegal instruction). r->cycle is
 * the cycle counter. cw_ref_core_run is begin + step in a loop. */
typedef struct cw_ref_run {
    int n_instr, n_prompt, steps;
    int pos;        /* the next position to run */
    int tok;        /* the token at position pos */
    uint64_t cycle; /* cycles since the run began */
} cw_ref_run;

int cw_ref_core_begin(cw_ref_core *c, cw_ref_run *r, int n_instr, int n_prompt, int steps);
int cw_ref_core_step(cw_ref_core *c, cw_ref_run *r, cw_token_event *ev);

#endif
