/*
 * clockwork.h - the one public header of libclockwork.
 *
 * libclockwork loads llama2.c checkpoints and tokenizers and runs them on a
 * device chosen by URI. Every call returns CW_OK (0) or a negative cw_error;
 * cw_strerror() names it. The library never prints and never exits.
 *
 * Objects are opaque and returned through out-parameters; each *_open has a
 * matching *_close that accepts NULL. Parameter structs come with a
 * *_default() function: fill it, change what you need, pass it.
 *
 * Thread safety: distinct objects may be used from distinct threads. One
 * object must not be used from two threads at once, except cw_device_cancel(),
 * which may be called from any thread while cw_device_generate() runs.
 */
#ifndef CLOCKWORK_H
#define CLOCKWORK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CW_VERSION_MAJOR 0
#define CW_VERSION_MINOR 1
#define CW_VERSION_PATCH 0

/* ---------------------------------------------------------------- errors */

typedef enum cw_error {
    CW_OK = 0,
    CW_ERR_INVALID_ARG = -1,  /* a NULL or out-of-range argument */
    CW_ERR_NO_MEMORY = -2,    /* an allocation failed */
    CW_ERR_IO = -3,           /* a file could not be opened or read */
    CW_ERR_FORMAT = -4,       /* a file's contents are malformed */
    CW_ERR_TRUNCATED = -5,    /* a file is shorter than its header says */
    CW_ERR_UNSUPPORTED = -6,  /* valid, but not something this build does */
    CW_ERR_TOO_LONG = -7,     /* a prompt or run longer than the context */
    CW_ERR_NO_DEVICE = -8,    /* no device answers at that URI */
    CW_ERR_ABORTED = -9,      /* a callback or cw_device_cancel() stopped it */
    CW_ERR_NOT_LOADED = -10,  /* generate before load */
    CW_ERR_DOES_NOT_FIT = -11, /* the model exceeds the target's resources */
    CW_ERR_MISMATCH = -12,    /* artifact built for another configuration */
    CW_ERR_DEVICE = -13,      /* the device reported an error state */
    CW_ERR_TIMEOUT = -14,     /* the device stopped answering */
    CW_ERR_ACCESS = -15,      /* permission denied (see driver/99-clockwork.rules) */
    CW_ERR_PROTOCOL = -16,    /* the link carried something unexpected */
} cw_error;

/* A short, static, English description of an error code. Never NULL. */
const char *cw_strerror(int err);

/* The details of the most recent failure on the calling thread, naming the
 * field, offset or value at fault (e.g. "header field n_heads = 7 does not
 * divide dim = 64"); "" when there is nothing to add. Valid until the next
 * libclockwork call on this thread. */
const char *cw_last_error(void);

/* -------------------------------------------------------------- checkpoint */

typedef struct cw_model cw_model;

/* The shape of a llama2.c checkpoint, as its header states it. */
typedef struct cw_model_config {
    int dim;          /* width of the residual stream */
    int hidden_dim;   /* width of the FFN */
    int n_layers;
    int n_heads;      /* query heads */
    int n_kv_heads;   /* key/value heads (grouped-query attention) */
    int vocab_size;   /* always positive here */
    int seq_len;      /* context length the model was trained for */
    int shared_classifier; /* 1: classifier is the token-embedding table */
} cw_model_config;

/* Reads and validates a llama2.c checkpoint: header fields in range, the
 * file length exactly what the header implies, every weight finite. */
int cw_model_open(const char *path, cw_model **out);
void cw_model_close(cw_model *model);
int cw_model_get_config(const cw_model *model, cw_model_config *out);

/* Writes a llama2.c checkpoint of the given shape with weights drawn from a
 * seeded generator (for tests and scaling studies). Written to a temporary
 * file beside path and renamed, so no half-written file is ever left. */
int cw_model_write_synthetic(const char *path, const cw_model_config *cfg,
                             uint64_t seed);

/* --------------------------------------------------------------- tokenizer */

typedef struct cw_tokenizer cw_tokenizer;

#define CW_TOKEN_BOS 1
#define CW_TOKEN_EOS 2

/* Reads a llama2.c tokenizer file. vocab_size 0 reads entries up to the end
 * of the file; a positive vocab_size reads exactly that many. */
int cw_tokenizer_open(const char *path, int vocab_size, cw_tokenizer **out);
void cw_tokenizer_close(cw_tokenizer *tok);
int cw_tokenizer_vocab_size(const cw_tokenizer *tok);

/* Encodes UTF-8 text exactly as llama2.c does (dummy-prefix space, code point
 * lookup, byte fallback, greedy best-score merges). Writes at most max_ids
 * ids; *n_ids receives the count. CW_ERR_TOO_LONG if max_ids is too small
 * (at most strlen(text) + 3 ids are ever needed). */
int cw_tokenizer_encode(const cw_tokenizer *tok, const char *text, int bos,
                        int eos, int *ids, int max_ids, int *n_ids);

/* The text of token `token` following `prev`, as llama2.c prints it: the
 * leading space is dropped after BOS and <0xNN> pieces become one raw byte.
 * *len receives the length (the piece may contain a NUL byte). The pointer
 * stays valid until the tokenizer is closed; NULL for an out-of-range id. */
const char *cw_tokenizer_decode(const cw_tokenizer *tok, int prev, int token,
                                size_t *len);

/* ----------------------------------------------------------------- targets */

/* A hardware configuration: what the compiler plans for, what the RTL is
 * built with, what a device reports. docs/isa.md describes each field. */
typedef struct cw_target_config {
    char name[32];
    int lanes;      /* matrix unit: output rows per cycle */
    int k;          /* matrix unit: input columns per cycle */
    int vlanes;     /* vector unit: elements per cycle */
    int wbits;      /* weight lane width, 8 or 16 */
    int clock_mhz;  /* target clock */
    int prog_depth; /* instructions */
    int wgt_lines;  /* weight memory lines of lanes*k weights */
    int scl_depth;  /* per-row scale entries */
    int cst_depth;  /* 32-bit constants */
    int act_depth;  /* vector scratch words */
    int kv_depth;   /* values in each of the K and V caches (kvbits each) */
    int max_ctx;    /* positions */
    int kvbits;     /* bits per KV cache entry, 8 to 16 (optional field, 16) */
    int serial;     /* 1: the serial core, whose instructions are microprograms
                       (docs/serial.md); 0: the MAC array core (optional, 0) */
    uint64_t hash;  /* FNV-1a 64 of the canonical form, name excluded */
} cw_target_config;

/* Looks up a built-in target by name ("sim", "ulx3s-85f", "icebreaker"), or
 * reads a target file when `name` contains a '/' or ends in ".target". */
int cw_target_get(const char *name, cw_target_config *out);

/* The built-in target names, NULL-terminated. */
const char *const *cw_target_names(void);

/* --------------------------------------------------------- compiled artifacts */

typedef struct cw_artifact cw_artifact;

typedef struct cw_compile_params {
    const char *target; /* built-in target name or a .target file; "sim" */
    int weight_bits;    /* 8 or 16 (default 16) */
} cw_compile_params;

void cw_compile_params_default(cw_compile_params *p);

/* Quantizes the model, plans every memory statically, emits the program and
 * predicts the cycles of every position. CW_ERR_DOES_NOT_FIT, with
 * cw_last_error() naming the memory and the shortfall, when the target
 * cannot hold the model; CW_ERR_UNSUPPORTED for a shape the hardware
 * cannot run. */
int cw_compile(const cw_model *model, const cw_compile_params *p, cw_artifact **out);

/* Writes the artifact (to a temporary file, renamed into place). */
int cw_artifact_save(const cw_artifact *a, const char *path);

/* Reads and validates an artifact: magic, version, checksums, the target
 * configuration hash, every section's size and every instruction. */
int cw_artifact_open(const char *path, cw_artifact **out);
void cw_artifact_close(cw_artifact *a);

/* Memories, in the order of cw_artifact_info.mem_used. */
enum cw_memory {
    CW_MEM_PROG, CW_MEM_WGT, CW_MEM_SCL, CW_MEM_CST, CW_MEM_ACT, CW_MEM_KV,
    CW_MEM_COUNT
};

typedef struct cw_artifact_info {
    cw_model_config model;
    cw_target_config target;
    int weight_bits;
    int context;              /* positions the artifact runs: min(seq_len, max_ctx) */
    int n_instructions;       /* per position */
    uint64_t macs_base;       /* MACs per position, attention excluded */
    uint64_t macs_per_pos;    /* attention MACs per attended position */
    uint64_t mem_used[CW_MEM_COUNT];     /* in the memory's own units */
    uint64_t mem_capacity[CW_MEM_COUNT];
} cw_artifact_info;

int cw_artifact_get_info(const cw_artifact *a, cw_artifact_info *out);

/* The cycles the compiler predicts for position pos (0 <= pos < context). */
int cw_artifact_cycles(const cw_artifact *a, int pos, uint64_t *cycles);

/* One instruction of the static schedule of a position. */
typedef struct cw_sched_entry {
    int index;          /* instruction index in the program */
    const char *op;     /* "MATVEC", "ATTN", ... */
    const char *unit;   /* "matrix", "attention", "vector", "sequencer" */
    uint64_t issue;     /* cycle it issues on, from the position's start */
    uint64_t cycles;    /* cycles until the next instruction issues */
    uint64_t macs;      /* multiply-accumulates it performs */
} cw_sched_entry;

/* The schedule of position pos: up to max entries into out; *n receives
 * the program's length. */
int cw_artifact_schedule(const cw_artifact *a, int pos, cw_sched_entry *out, int max, int *n);

/* The name of a memory ("prog", "wgt", ...) and its unit ("instructions"...). */
const char *cw_memory_name(int mem);
const char *cw_memory_unit(int mem);

/* ---------------------------------------------------------------- accuracy */

/* How close the integer arithmetic stays to float32 (docs/numerics.md). */
typedef struct cw_eval_result {
    int weight_bits;
    int kv_bits;
    int steps;        /* positions run by each greedy generation */
    int n_generated;  /* tokens the float32 generation produced */
    int leading;      /* leading generated tokens the integer path reproduces */
    int tf_positions; /* positions compared teacher-forced */
    int tf_agree;     /* of which the top-1 tokens agree */
} cw_eval_result;

/* Quantizes the model to weight_bits (8 or 16) and compares the integer
 * forward pass, with KV cache entries of kv_bits (8 to 16, as a target's
 * kvbits; 0 means 16), with the float32 one:
 *  (a) greedy generation from prompt (n_prompt >= 1 ids, prompt[0] usually
 *      BOS) for `steps` positions, llama2.c's loop: `leading` is the length
 *      of the common prefix of the two generations;
 *  (b) teacher forcing: `forced` (n_forced ids) or, when forced is NULL, the
 *      prompt followed by the float32 greedy tokens, is fed to both paths;
 *      at every position the two argmaxes are compared.
 * f32_out / int_out (may be NULL; room for `steps` ids) receive the two
 * greedy generations. */
int cw_eval(const cw_model *model, int weight_bits, int kv_bits, const int *prompt,
            int n_prompt, int steps, const int *forced, int n_forced, int *f32_out,
            int *int_out, cw_eval_result *res);

/* ------------------------------------------------------------------ device */

typedef struct cw_device cw_device;

/* Opens a device by URI (docs/api.md has the options):
 *   "cpu", "int"            the float32 / integer forward pass on the host
 *   "ref[:TARGET]"          the accelerator's functional model
 *   "sim[:TARGET]"          the Verilated RTL
 *   "unix:PATH"             a simulated device behind `clockwork serve`
 *   "pcie:[DEV|H2C,C2H]"    a board behind a PCIe DMA engine (/dev/xdma0)
 *   "usb:VID:PID[:SERIAL]"  a board on USB (FTDI bridge or bulk endpoints)
 * An unknown URI gives CW_ERR_NO_DEVICE. */
int cw_device_open(const char *uri, cw_device **out);
void cw_device_close(cw_device *dev);

/* Progress of a load: return non-zero to abort it (CW_ERR_ABORTED). */
typedef int (*cw_progress_fn)(void *user, uint64_t done, uint64_t total);

typedef struct cw_load_params {
    int weight_bits;            /* 8 or 16, for integer devices; 0: default */
    int kv_bits;                /* KV cache entries, 8 to 16, for the int device (a
                                   target's kvbits numerics); 0: 16. Accelerators
                                   use their target's and refuse another value */
    cw_progress_fn on_progress; /* may be NULL */
    void *user;
} cw_load_params;

void cw_load_params_default(cw_load_params *p);

/* Makes the model resident on the device (the device keeps its own copy;
 * the model may be closed afterwards). Accelerator devices compile it for
 * their own target first. */
int cw_device_load_model(cw_device *dev, const cw_model *model,
                         const cw_load_params *params);

/* Loads a compiled artifact: CW_ERR_MISMATCH when it was compiled for
 * another hardware configuration than the device's; CW_ERR_UNSUPPORTED on
 * host devices (cpu, int), which run checkpoints only. */
int cw_device_load_artifact(cw_device *dev, const cw_artifact *art,
                            const cw_load_params *params);

/* The device's hardware configuration; CW_ERR_UNSUPPORTED on host devices. */
int cw_device_get_target(cw_device *dev, cw_target_config *out);

/* One generated token. */
typedef struct cw_token_event {
    int pos;                   /* position the token was produced at + 1 */
    int token;                 /* the token id at position pos */
    uint64_t cycle;            /* device cycle stamp (0 on host devices) */
    uint64_t cycles;           /* device cycles this position took */
    uint64_t predicted_cycles; /* what the compiler predicted (0 if none) */
} cw_token_event;

/* Called for every token of positions 1..n; return non-zero to stop the run
 * (cw_device_generate then returns CW_ERR_ABORTED). */
typedef int (*cw_token_fn)(void *user, const cw_token_event *ev);

typedef struct cw_generate_params {
    int steps;          /* positions to run, llama2.c's -n; <=0: seq_len */
    float temperature;  /* 0: greedy argmax */
    float topp;         /* nucleus sampling threshold, as llama2.c's -p */
    uint64_t seed;      /* sampler seed (llama2.c's xorshift) */
    cw_token_fn on_token; /* may be NULL */
    void *user;
} cw_generate_params;

void cw_generate_params_default(cw_generate_params *p);

/* Runs the llama2.c generation loop: prompt[0] at position 0, the rest of
 * the prompt forced, then sampled (or argmax) tokens, until `steps`
 * positions have run or BOS is produced. The tokens of positions 1.. are
 * reported through on_token and, when out is non-NULL, stored in out (at
 * most max_out); *n_out (may be NULL) receives how many were produced. */
int cw_device_generate(cw_device *dev, const int *prompt, int n_prompt,
                       const cw_generate_params *params, int *out,
                       int max_out, int *n_out);

/* Asks a running cw_device_generate() to stop; safe from any thread. */
void cw_device_cancel(cw_device *dev);

/* Returns the device to idle: a run left in progress (by a cancelled call,
 * or by another host of a shared device) is stopped and its pending events
 * dropped; what was loaded stays loaded. On host devices and ref, which keep
 * no state between runs, it does nothing and succeeds. */
int cw_device_reset(cw_device *dev);

/* What the link protocol met and repaired on a link device (sim, unix:,
 * pcie:, usb:; docs/protocol.md). Host counts are since the device was
 * opened; device counts are the device's own, since its power-up. */
typedef struct cw_link_stats {
    /* faults injected by the URI options corrupt=, drop=, dup= (all 0
     * without them): host -> device (sent) and device -> host (received) */
    uint64_t bytes_sent, corrupted_sent, dropped_sent, duplicated_sent;
    uint64_t bytes_received, corrupted_received, dropped_received, duplicated_received;
    /* detected by the host */
    uint64_t frames;          /* good frames received */
    uint64_t bad_header;      /* frames rejected: header check failed */
    uint64_t bad_length;      /* frames rejected: length over the maximum */
    uint64_t bad_crc;         /* frames rejected: CRC failed */
    uint64_t abandoned;       /* partial frames given up when the line went quiet */
    uint64_t bytes_skipped;   /* bytes skipped while hunting for a frame */
    uint64_t timeouts;        /* command attempts that got no response in time */
    uint64_t retransmits;
    uint64_t chunk_shrinks;   /* WRITE/READ chunk halvings */
    uint64_t stale_responses; /* responses to earlier attempts, ignored */
    uint64_t stale_events;    /* events of another run, ignored */
    uint64_t dup_tokens;      /* TOKEN events for positions already held */
    uint64_t unexpected;      /* frames of the wrong type or malformed */
    /* repaired */
    uint64_t commands;            /* commands issued (retransmissions not counted) */
    uint64_t tokens_from_events;  /* tokens delivered from TOKEN events */
    uint64_t tokens_from_reads;   /* tokens read back from the output buffer */
    uint64_t recovery_reads;      /* READ commands for missing tokens */
    uint64_t status_polls;        /* STATUS commands because a run went quiet */
    /* the device's counters (one STATUS command) */
    uint64_t device_bad_frames;     /* frames the device rejected */
    uint64_t device_dup_commands;   /* retransmissions it recognised and answered */
    uint64_t device_events_sent;
    uint64_t device_events_dropped; /* its transmit FIFO was full */
} cw_link_stats;

/* Fills *out; asks the device for its counters with one STATUS command
 * (not while cw_device_generate() runs). CW_ERR_UNSUPPORTED on devices
 * that are not link devices; when STATUS fails, its error, with the host
 * counts filled in and the device counts 0. */
int cw_device_link_stats(cw_device *dev, cw_link_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* CLOCKWORK_H */
