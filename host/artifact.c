/*
 * artifact.c - the artifact object: META codec, validation of every
 * section against the target, save and open (docs/artifact.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "error.h"
#include "fileio.h"
#include "model.h"
#include "target.h"
#include "ucode.h"

static const char *const mem_names[CW_MEM_COUNT] = { "prog", "wgt", "scl", "cst", "act", "kv" };
static const char *const mem_units[CW_MEM_COUNT] = {
    "instructions", "weight lines", "scale entries", "constant words", "scratch words",
    "cache values",
};

const char *cw_memory_name(int mem)
{
    return mem >= 0 && mem < CW_MEM_COUNT ? mem_names[mem] : "?";
}

const char *cw_memory_unit(int mem)
{
    return mem >= 0 && mem < CW_MEM_COUNT ? mem_units[mem] : "?";
}

void cw_compile_params_default(cw_compile_params *p)
{
    memset(p, 0, sizeof *p);
    p->target = "sim";
    p->weight_bits = 16;
}

/* ------------------------------------------------------------ META codec
 *
 *   0 u32 meta version          4 i32 x 8 model (dim .. seq_len, shared)
 *  36 i32 weight_bits          40 i32 context        44 i32 n_instructions
 *  48 char[32] target name     80 i32 x 12 target fields (docs/isa.md order)
 * 128 u64 macs_base           136 u64 macs_per_pos
 * 144 i32 kv_dim              148 i32 n_kv_heads
 * 152 i32 target kvbits (written only when not 16; 0, as in artifacts older
 *     than the field, reads as 16)
 * 156 i32 target serial (1 for the serial core; 0 otherwise and in older
 *     artifacts)                             160..191 reserved (0)
 */
static const size_t target_field_offsets[12] = {
    offsetof(cw_target_config, lanes),      offsetof(cw_target_config, k),
    offsetof(cw_target_config, vlanes),     offsetof(cw_target_config, wbits),
    offsetof(cw_target_config, clock_mhz),  offsetof(cw_target_config, prog_depth),
    offsetof(cw_target_config, wgt_lines),  offsetof(cw_target_config, scl_depth),
    offsetof(cw_target_config, cst_depth),  offsetof(cw_target_config, act_depth),
    offsetof(cw_target_config, kv_depth),   offsetof(cw_target_config, max_ctx),
};

void cw_meta_encode(const cw_artifact_info *in, int kv_dim, int n_kv_heads,
                    unsigned char out[CW_META_BYTES])
{
    memset(out, 0, CW_META_BYTES);
    const cw_model_config *m = &in->model;
    const int32_t mv[8] = { m->dim, m->hidden_dim, m->n_layers, m->n_heads,
                            m->n_kv_heads, m->vocab_size, m->seq_len, m->shared_classifier };
    cw_write_le32(out, CW_META_VERSION);
    for (int i = 0; i < 8; i++)
        cw_write_le32s(out + 4 + 4 * i, mv[i]);
    cw_write_le32s(out + 36, in->weight_bits);
    cw_write_le32s(out + 40, in->context);
    cw_write_le32s(out + 44, in->n_instructions);
    memcpy(out + 48, in->target.name, 32);
    for (int i = 0; i < 12; i++)
        cw_write_le32s(out + 80 + 4 * i,
                       *(const int *)((const char *)&in->target + target_field_offsets[i]));
    cw_write_le64(out + 128, in->macs_base);
    cw_write_le64(out + 136, in->macs_per_pos);
    cw_write_le32s(out + 144, kv_dim);
    cw_write_le32s(out + 148, n_kv_heads);
    if (in->target.kvbits != 16)
        cw_write_le32s(out + 152, in->target.kvbits);
    cw_write_le32s(out + 156, in->target.serial);
}

/* Decodes META and checks it: the model shape, the target fields (whose
 * hash must be the header's), and the derived geometry. */
static int meta_decode(const unsigned char *b, uint64_t len, const char *origin,
                       uint64_t header_hash, cw_artifact *a)
{
    if (len != CW_META_BYTES)
        return cw_fail(CW_ERR_FORMAT, "%s: META section is %llu bytes, expected %d", origin,
                       (unsigned long long)len, CW_META_BYTES);
    if (cw_read_le32(b) != CW_META_VERSION)
        return cw_fail(CW_ERR_UNSUPPORTED, "%s: META version %u, expected %d", origin,
                       cw_read_le32(b), CW_META_VERSION);
    cw_artifact_info *in = &a->info;
    cw_model_config *m = &in->model;
    m->dim = cw_read_le32s(b + 4);
    m->hidden_dim = cw_read_le32s(b + 8);
    m->n_layers = cw_read_le32s(b + 12);
    m->n_heads = cw_read_le32s(b + 16);
    m->n_kv_heads = cw_read_le32s(b + 20);
    m->vocab_size = cw_read_le32s(b + 24);
    m->seq_len = cw_read_le32s(b + 28);
    m->shared_classifier = cw_read_le32s(b + 32);
    size_t n_floats;
    if (m->vocab_size <= 0 || (m->shared_classifier != 0 && m->shared_classifier != 1) ||
        cw_model_config_check(m, &n_floats) != CW_OK)
        return cw_fail(CW_ERR_FORMAT, "%s: META model shape is invalid", origin);
    in->weight_bits = cw_read_le32s(b + 36);
    in->context = cw_read_le32s(b + 40);
    in->n_instructions = cw_read_le32s(b + 44);

    /* The target: rebuild its text and parse it, so every range check and
     * the hash are the ones a target file gets. */
    char name[33], text[1024];
    memcpy(name, b + 48, 32);
    name[32] = '\0';
    if (strlen(name) == 0 || strlen(name) > 31 || strpbrk(name, " \t\n#"))
        return cw_fail(CW_ERR_FORMAT, "%s: META target name is invalid", origin);
    static const char *const keys[12] = {
        "lanes", "k", "vlanes", "wbits", "clock_mhz", "prog_depth",
        "wgt_lines", "scl_depth", "cst_depth", "act_depth", "kv_depth", "max_ctx",
    };
    int o = snprintf(text, sizeof text, "name %s\n", name);
    for (int i = 0; i < 12; i++)
        o += snprintf(text + o, sizeof text - (size_t)o, "%s %d\n", keys[i],
                      cw_read_le32s(b + 80 + 4 * i));
    if (cw_read_le32s(b + 152) != 0)
        o += snprintf(text + o, sizeof text - (size_t)o, "kvbits %d\n", cw_read_le32s(b + 152));
    if (cw_read_le32s(b + 156) != 0)
        snprintf(text + o, sizeof text - (size_t)o, "serial %d\n", cw_read_le32s(b + 156));
    if (cw_target_parse(text, origin, &in->target) != CW_OK)
        return CW_ERR_FORMAT;
    if (in->target.hash != header_hash)
        return cw_fail(CW_ERR_FORMAT, "%s: target configuration hash mismatch", origin);
    in->macs_base = cw_read_le64(b + 128);
    in->macs_per_pos = cw_read_le64(b + 136);
    a->kv_dim = cw_read_le32s(b + 144);
    a->n_kv_heads = cw_read_le32s(b + 148);

    const cw_target_config *t = &in->target;
    if (in->weight_bits != 8 && in->weight_bits != 16)
        return cw_fail(CW_ERR_FORMAT, "%s: weight_bits = %d", origin, in->weight_bits);
    if (in->weight_bits > t->wbits)
        return cw_fail(CW_ERR_FORMAT, "%s: %d-bit weights on a %d-bit target", origin,
                       in->weight_bits, t->wbits);
    int ctx_max = m->seq_len < t->max_ctx ? m->seq_len : t->max_ctx;
    if (in->context < 1 || in->context > ctx_max)
        return cw_fail(CW_ERR_FORMAT, "%s: context %d outside 1..%d", origin, in->context,
                       ctx_max);
    if (in->n_instructions < 1 || in->n_instructions > t->prog_depth)
        return cw_fail(CW_ERR_FORMAT, "%s: %d instructions (program memory holds %d)", origin,
                       in->n_instructions, t->prog_depth);
    if (a->n_kv_heads != m->n_kv_heads || a->kv_dim != m->n_kv_heads * (m->dim / m->n_heads))
        return cw_fail(CW_ERR_FORMAT, "%s: META cache geometry disagrees with the model", origin);
    return CW_OK;
}

/* ------------------------------------------------------------- validation */

static const cw_section *need(const cw_container *c, uint32_t type, const char *what,
                              const char *origin, int *rc)
{
    const cw_section *s = cw_container_find(c, type);
    if (!s && *rc == CW_OK)
        *rc = cw_fail(CW_ERR_FORMAT, "%s: the %s section is missing", origin, what);
    return s;
}

/* A serial target's CST starts with the function tables (cw_uc_tables()):
 * the serial core reads them there, the other devices from their own. */
static int tables_match(const cw_artifact *a)
{
    uint32_t tab[CW_UC_TAB_WORDS];
    if (a->cst_words < (uint64_t)cw_uc_tables(tab))
        return 0;
    for (int i = 0; i < CW_UC_TAB_WORDS; i++)
        if (cw_read_le32(a->cst + 4 * (size_t)i) != tab[i])
            return 0;
    return 1;
}

int cw_artifact_from_container(cw_container *c, const char *origin, cw_artifact **out)
{
    int rc = CW_OK;
    cw_artifact *a = calloc(1, sizeof *a);
    if (!a) {
        cw_container_free(c);
        return cw_fail(CW_ERR_NO_MEMORY, "%s: out of memory", origin);
    }
    a->c = *c;
    memset(c, 0, sizeof *c);
    const cw_section *meta = need(&a->c, CW_SEC_META, "META", origin, &rc);
    const cw_section *prog = need(&a->c, CW_SEC_PROG, "PROG", origin, &rc);
    const cw_section *wgt = need(&a->c, CW_SEC_WGT, "WGT", origin, &rc);
    const cw_section *scl = need(&a->c, CW_SEC_SCL, "SCL", origin, &rc);
    const cw_section *cst = need(&a->c, CW_SEC_CST, "CST", origin, &rc);
    const cw_section *cyc = need(&a->c, CW_SEC_CYCLES, "CYCLES", origin, &rc);
    const cw_section *plan = need(&a->c, CW_SEC_PLAN, "PLAN", origin, &rc);
    if (rc == CW_OK)
        rc = meta_decode(meta->data, meta->length, origin, a->c.target_hash, a);
    cw_artifact_info *in = &a->info;
    const cw_target_config *t = &in->target;
    if (rc == CW_OK) {
        a->line_bytes = t->lanes * t->k * t->wbits / 8;
        if (prog->length != (uint64_t)in->n_instructions * CW_INSTR_BYTES)
            rc = cw_fail(CW_ERR_FORMAT, "%s: PROG holds %llu bytes for %d instructions", origin,
                         (unsigned long long)prog->length, in->n_instructions);
        else if (wgt->length % (uint64_t)a->line_bytes != 0 ||
                 wgt->length / (uint64_t)a->line_bytes > (uint64_t)t->wgt_lines)
            rc = cw_fail(CW_ERR_FORMAT, "%s: WGT is %llu bytes: not whole lines or too many",
                         origin, (unsigned long long)wgt->length);
        else if (scl->length % 4 || scl->length / 4 > (uint64_t)t->scl_depth)
            rc = cw_fail(CW_ERR_FORMAT, "%s: SCL is %llu bytes", origin,
                         (unsigned long long)scl->length);
        else if (cst->length % 4 || cst->length / 4 > (uint64_t)t->cst_depth)
            rc = cw_fail(CW_ERR_FORMAT, "%s: CST is %llu bytes", origin,
                         (unsigned long long)cst->length);
        else if (cyc->length != (uint64_t)in->context * 8)
            rc = cw_fail(CW_ERR_FORMAT, "%s: CYCLES is %llu bytes for a context of %d", origin,
                         (unsigned long long)cyc->length, in->context);
        else if (plan->length != CW_MEM_COUNT * 8)
            rc = cw_fail(CW_ERR_FORMAT, "%s: PLAN is %llu bytes", origin,
                         (unsigned long long)plan->length);
    }
    if (rc == CW_OK) {
        a->wgt = wgt->data;
        a->wgt_lines = wgt->length / (uint64_t)a->line_bytes;
        a->scl = scl->data;
        a->scl_entries = scl->length / 4;
        a->cst = cst->data;
        a->cst_words = cst->length / 4;
        a->prog = calloc((size_t)in->n_instructions, sizeof *a->prog);
        a->cycles = calloc((size_t)in->context, sizeof *a->cycles);
        if (!a->prog || !a->cycles)
            rc = cw_fail(CW_ERR_NO_MEMORY, "%s: out of memory", origin);
    }
    for (int i = 0; rc == CW_OK && i < in->n_instructions; i++) {
        cw_instr_decode(prog->data + (size_t)i * CW_INSTR_BYTES, &a->prog[i]);
        rc = cw_instr_check(&a->prog[i], i ? &a->prog[i - 1] : NULL, i, t);
        if (rc != CW_OK) {
            char why[400];
            snprintf(why, sizeof why, "%s", cw_last_error());
            rc = cw_fail(CW_ERR_FORMAT, "%s: %s", origin, why);
        }
    }
    if (rc == CW_OK && t->serial && !tables_match(a))
        rc = cw_fail(CW_ERR_FORMAT, "%s: CST does not start with the %d words of the function "
                     "tables a serial target reads there", origin, CW_UC_TAB_WORDS);
    if (rc == CW_OK && a->prog[in->n_instructions - 1].op != CW_OP_END)
        rc = cw_fail(CW_ERR_FORMAT, "%s: the program does not end with END", origin);
    if (rc == CW_OK) {
        const uint64_t cap[CW_MEM_COUNT] = {
            (uint64_t)t->prog_depth, (uint64_t)t->wgt_lines, (uint64_t)t->scl_depth,
            (uint64_t)t->cst_depth,  (uint64_t)t->act_depth, (uint64_t)t->kv_depth,
        };
        for (int i = 0; i < CW_MEM_COUNT; i++) {
            in->mem_used[i] = cw_read_le64(plan->data + 8 * i);
            in->mem_capacity[i] = cap[i];
            if (in->mem_used[i] > cap[i])
                rc = cw_fail(CW_ERR_FORMAT, "%s: PLAN uses %llu of %s (%llu)", origin,
                             (unsigned long long)in->mem_used[i], mem_names[i],
                             (unsigned long long)cap[i]);
        }
        for (int p = 0; p < in->context; p++)
            a->cycles[p] = cw_read_le64(cyc->data + 8 * (size_t)p);
    }
    if (rc != CW_OK) {
        cw_artifact_close(a);
        return rc;
    }
    *out = a;
    return CW_OK;
}

int cw_artifact_open(const char *path, cw_artifact **out)
{
    cw_clear_error();
    if (!path || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_artifact_open: NULL argument");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cw_fail(CW_ERR_IO, "%s: cannot open: %s", path, cw_errno_text());
    uint64_t len;
    int rc = cw_file_length(f, path, &len);
    if (rc != CW_OK) {
        fclose(f);
        return rc;
    }
    if (len > ((uint64_t)1 << 32)) {
        fclose(f);
        return cw_fail(CW_ERR_FORMAT, "%s: %llu bytes is larger than any artifact", path,
                       (unsigned long long)len);
    }
    unsigned char *b = malloc(len ? (size_t)len : 1);
    if (!b) {
        fclose(f);
        return cw_fail(CW_ERR_NO_MEMORY, "%s: cannot allocate %llu bytes", path,
                       (unsigned long long)len);
    }
    size_t got = fread(b, 1, (size_t)len, f);
    fclose(f);
    if (got != len) {
        free(b);
        return cw_fail(CW_ERR_IO, "%s: read failed", path);
    }
    cw_container c;
    if ((rc = cw_container_parse(b, len, path, &c)) != CW_OK)
        return rc;
    return cw_artifact_from_container(&c, path, out);
}

int cw_artifact_save(const cw_artifact *a, const char *path)
{
    cw_clear_error();
    if (!a || !path)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_artifact_save: NULL argument");
    cw_tmpfile tf;
    FILE *f;
    int rc = cw_tmpfile_open(&tf, path, &f);
    if (rc != CW_OK)
        return rc;
    if (fwrite(a->c.bytes, 1, (size_t)a->c.n_bytes, f) != a->c.n_bytes) {
        cw_tmpfile_abort(&tf, f);
        return cw_fail(CW_ERR_IO, "%s: write failed", path);
    }
    return cw_tmpfile_commit(&tf, f);
}

void cw_artifact_close(cw_artifact *a)
{
    if (!a)
        return;
    cw_container_free(&a->c);
    free(a->prog);
    free(a->cycles);
    free(a);
}

int cw_artifact_get_info(const cw_artifact *a, cw_artifact_info *out)
{
    if (!a || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_artifact_get_info: NULL argument");
    *out = a->info;
    return CW_OK;
}

int cw_artifact_cycles(const cw_artifact *a, int pos, uint64_t *cycles)
{
    if (!a || !cycles || pos < 0 || pos >= a->info.context)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_artifact_cycles: position %d outside 0..%d", pos,
                       a ? a->info.context - 1 : 0);
    *cycles = a->cycles[pos];
    return CW_OK;
}

int cw_artifact_schedule(const cw_artifact *a, int pos, cw_sched_entry *out, int max, int *n)
{
    cw_clear_error();
    if (!a || (max > 0 && !out) || pos < 0 || pos >= a->info.context)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_artifact_schedule: bad argument");
    uint64_t t = 0;
    for (int i = 0; i < a->info.n_instructions; i++) {
        const cw_instr *in = &a->prog[i];
        uint64_t lat = cw_instr_latency(in, pos, &a->info.target), macs = 0;
        if (in->op == CW_OP_MATVEC)
            macs = (uint64_t)in->n * in->aux;
        else if (in->op == CW_OP_ATTN)
            macs = 2 * (uint64_t)in->n * in->aux * (uint64_t)(pos + 1);
        if (i < max)
            out[i] = (cw_sched_entry){ i, cw_op_name(in->op), cw_unit_name(cw_op_unit(in->op)),
                                       t, lat, macs };
        t += lat;
    }
    if (n)
        *n = a->info.n_instructions;
    return CW_OK;
}
