/*
 * cw_sim.h - the C API of the Verilated core (libcwsim-TARGET.so).
 *
 * The library is the RTL of cw_core built by Verilator for one target's
 * parameters, behind a thin C++ harness. libclockwork's `sim` device loads
 * it with dlopen() and drives it as it drives a board: load through the
 * memory-write port, start a run, collect tokens with their cycle stamps.
 */
#ifndef CW_SIM_H
#define CW_SIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CW_SIM_ABI 1

typedef struct cw_sim cw_sim;

typedef struct cw_sim_options {
    const char *trace_path; /* FST waveform, or NULL */
    uint64_t trace_from;    /* first cycle traced (since open) */
    uint64_t trace_to;      /* last cycle traced; 0: to the end */
    uint64_t seed;          /* randomizes the initial state of every register */
} cw_sim_options;

/* Outcome of a run. */
enum { CW_SIM_OK = 0, CW_SIM_CORE_ERROR = 1, CW_SIM_ABORTED = 2, CW_SIM_HUNG = 3 };

/* Called for every token; return non-zero to cancel the run. */
typedef int (*cw_sim_token_fn)(void *user, int pos, int id, uint64_t cycle);

int cw_sim_abi(void);
const char *cw_sim_target(void);   /* the target name it was built for */
uint64_t cw_sim_config_hash(void); /* as the core reports it */

cw_sim *cw_sim_open(const cw_sim_options *o);
void cw_sim_close(cw_sim *s);

/* One word through the memory-write port (one clock cycle each); region
 * and word addressing as in rtl/cw_core.v. */
void cw_sim_write(cw_sim *s, int region, uint32_t word, uint32_t data);

/* Runs positions 0..steps-1 (the prompt is in region 6). Stops on BOS, at
 * `steps`, on a core error, when on_token returns non-zero or *cancel
 * becomes non-zero (the core is cancelled), or after max_cycles (HUNG).
 * *cycles: the core's cycle counter at the end; *err_code, *err_pc: the
 * core's error state. */
int cw_sim_run(cw_sim *s, int n_prompt, int steps, cw_sim_token_fn on_token, void *user,
               const volatile int *cancel, uint64_t max_cycles, uint64_t *cycles,
               int *err_code, int *err_pc);

/* Clock cycles simulated since open (loading included). */
uint64_t cw_sim_clock(const cw_sim *s);

#ifdef __cplusplus
}
#endif

#endif
