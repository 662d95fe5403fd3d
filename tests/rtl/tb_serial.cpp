// top: cw_serial_engine
// params: -GUCODE_WORDS=2048 -GUCODE_HEX="rtl/serial/cw_serial_ucode.hex"
/*
 * tb_serial.cpp - the serial core's micro-engine (rtl/serial/) against its
 * C model (host/ucode.c): synthetic models compiled for the icebreaker
 * (8-bit weight lanes) and for sim (16-bit lanes, with 16- and 8-bit
 * weights) run instruction by instruction on two ref cores, one through
 * cw_uc_exec(), one through the RTL, whose memory port this bench serves
 * from the core's memories (cw_uc_mem_read/write). After every instruction
 * all memories, NEXT and the cycles must agree. The core's scratch (SCR)
 * is filled with random words before each instruction, so a program that
 * read it before writing it would differ.
 *
 * The images the RTL reads are the committed rtl/serial/cw_serial_*.hex;
 * this bench first checks that they are the microprograms' and the
 * tables' (cw_uc_rom_build(), cw_uc_table()). `make ucode` rewrites them
 * (CW_WRITE_UCODE=DIR).
 */
#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "Vcw_serial_engine.h"
#include "tb_common.h"

using std::atomic_int; // ref_core.h's cancel flag (C11 <stdatomic.h>)
extern "C" {
#include "artifact.h"
#include "clockwork.h"
#include "isa.h"
#include "ref_core.h"
#include "ucode.h"
}

static const char *const ROM_DIR = "rtl/serial";
static const int ROM_WORDS = 2048;

/* The three generated images the RTL reads: the microcode, each variant's
 * entry address, and the function tables one after another. */
struct Image {
    const char *file;
    std::string text;
};

static std::vector<Image> images(const cw_uc_rom &r)
{
    std::vector<Image> v = { { "cw_serial_ucode.hex", "" }, { "cw_serial_entry.hex", "" },
                             { "cw_serial_tables.hex", "" } };
    char line[40];
    for (int i = 0; i < r.n; i++) {
        snprintf(line, sizeof line, "%08x%08x%08x\n", r.words[i][2], r.words[i][1],
                 r.words[i][0]);
        v[0].text += line;
    }
    for (int i = 0; i < CW_UC_VARIANTS; i++) {
        snprintf(line, sizeof line, "%04x\n", r.entry[i]);
        v[1].text += line;
    }
    for (int s = CW_US_EXP2; s <= CW_US_SIG; s++) {
        int n;
        const uint32_t *tab = cw_uc_table(s, &n);
        for (int i = 0; i < n; i++) {
            snprintf(line, sizeof line, "%08x\n", tab[i]);
            v[2].text += line;
        }
    }
    return v;
}

static std::string read_text(const char *path)
{
    std::string s;
    FILE *f = fopen(path, "rb");
    if (!f)
        return s;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        s.append(buf, n);
    fclose(f);
    return s;
}

struct Rtl {
    tb::Bench<Vcw_serial_engine> &b;
    cw_uc_rom &rom;
    std::vector<int64_t> scr;
};

/* Runs one instruction's microprogram on the RTL against core c; returns
 * the cycles from its first micro-operation to DONE, or -1 on an error. */
static long run_rtl(Rtl &x, cw_ref_core *c, const cw_instr *in, cw_uc_run *rs)
{
    auto *m = x.b.m.get();
    const cw_target_config *t = &c->t;
    for (auto &w : x.scr)
        w = (int64_t)x.b.rng.next();
    m->entry = (uint32_t)x.rom.entry[cw_uc_variant(in, t)];
    m->start = 1;
    x.b.tick();
    m->start = 0;
    uint64_t pending = 0;
    long cycles = 0;
    for (long guard = 0; guard < 50000000; guard++) {
        m->fld_val = (uint64_t)cw_uc_field(in, rs, t, m->fld_sel);
        m->m_err = 0;
        m->eval();
        if (!m->busy_q)
            return m->err_q ? -1 : cycles;
        int64_t addr = (int64_t)m->m_addr;
        bool scr = m->m_space == CW_US_SCR;
        bool scr_ok = addr >= 0 && (uint64_t)addr < x.scr.size();
        if (m->m_re) {
            int64_t v = 0;
            bool ok = scr ? scr_ok : cw_uc_mem_read(c, m->m_space, addr, &v) == CW_OK;
            if (scr && ok)
                v = x.scr[(size_t)addr];
            m->m_err = !ok;
            pending = (uint64_t)v;
        }
        if (m->m_we) {
            bool ok = scr ? scr_ok
                          : cw_uc_mem_write(c, m->m_space, addr, (int64_t)m->m_wdata) == CW_OK;
            if (scr && ok)
                x.scr[(size_t)addr] = (int64_t)m->m_wdata;
            m->m_err = !ok;
        }
        m->eval();
        if (m->next_we)
            rs->next = (int)(int64_t)m->next_val;
        cycles++;
        x.b.tick();
        m->m_rdata = pending;
    }
    return -1;
}

template <class T> static long first_diff(const T *a, const T *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return (long)i;
    return -1;
}

/* A synthetic model compiled for `target`, `positions` positions through
 * both cores; returns the instructions run. */
static long run_model(Rtl &x, const char *target, int wbits, int positions)
{
    auto &b = x.b;
    cw_model_config cfg = { 32, 64, 2, 4, 2, 64, 128, 1 };
    char path[256];
    snprintf(path, sizeof path, "build/tb_serial_%s_%d.bin", target, wbits);
    if (cw_model_write_synthetic(path, &cfg, 11) != CW_OK)
        return b.check(false, "synthetic model: %s", cw_last_error()), 0;
    cw_model *model = nullptr;
    cw_artifact *a = nullptr;
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = target;
    cp.weight_bits = wbits;
    if (cw_model_open(path, &model) != CW_OK || cw_compile(model, &cp, &a) != CW_OK) {
        b.check(false, "compile for %s: %s", target, cw_last_error());
        cw_model_close(model);
        return 0;
    }
    cw_target_config t;
    cw_target_get(target, &t);
    cw_ref_core ca, cb;
    cw_ref_core_init(&ca, &t);
    cw_ref_core_init(&cb, &t);
    for (cw_ref_core *c : { &ca, &cb }) {
        memcpy(c->mem[CW_REG_WGT], a->wgt, (size_t)(a->wgt_lines * (uint64_t)a->line_bytes));
        memcpy(c->mem[CW_REG_SCL], a->scl, (size_t)(a->scl_entries * 4));
        memcpy(c->mem[CW_REG_CST], a->cst, (size_t)(a->cst_words * 4));
        const uint32_t prompt[] = { CW_TOKEN_BOS, 9, 21 };
        memcpy(c->mem[CW_REG_PROMPT], prompt, sizeof prompt);
    }
    x.scr.assign(CW_UC_SCR_WORDS + (size_t)t.max_ctx, 0);
    const int n_prompt = 3;
    int tok = CW_TOKEN_BOS;
    long instrs = 0, total = 0;
    for (int pos = 0; pos < positions && b.failed == 0; pos++) {
        cw_uc_run ra = { pos, tok, -1, n_prompt }, rb = ra;
        uint64_t pos_cycles = 0;
        for (int pc = 0; pc < a->info.n_instructions && b.failed == 0; pc++) {
            const cw_instr *in = &a->prog[pc];
            if (cw_uc_variant(in, &t) < 0)
                continue; /* NOP, END: the sequencer's */
            uint64_t want = 0;
            if (cw_uc_exec(&ca, in, &ra, &want) != CW_OK) {
                b.check(false, "%s pos %d instr %d: C model: %s", target, pos, pc, cw_last_error());
                break;
            }
            long got = run_rtl(x, &cb, in, &rb);
            instrs++;
            pos_cycles += want;
            const char *op = cw_op_name(in->op);
            if (!b.check(got >= 0, "%s pos %d instr %d (%s): the RTL stopped with an error",
                         target, pos, pc, op))
                break;
            b.check((uint64_t)got == want, "%s pos %d instr %d (%s): %ld cycles, the model %llu",
                    target, pos, pc, op, got, (unsigned long long)want);
            long d;
            if ((d = first_diff(ca.act, cb.act, (size_t)t.act_depth)) >= 0)
                b.check(false, "%s pos %d instr %d (%s): ACT[%ld] = %lld, the model %lld", target,
                        pos, pc, op, d, (long long)cb.act[d], (long long)ca.act[d]);
            if ((d = first_diff(ca.er, cb.er, 256)) >= 0)
                b.check(false, "%s pos %d instr %d (%s): E[%ld] = %d, the model %d", target, pos,
                        pc, op, d, cb.er[d], ca.er[d]);
            if ((d = first_diff(ca.kc, cb.kc, (size_t)t.kv_depth)) >= 0 ||
                (d = first_diff(ca.vc, cb.vc, (size_t)t.kv_depth)) >= 0 ||
                (d = first_diff(ca.ke, cb.ke, (size_t)cw_kve_depth(&t))) >= 0 ||
                (d = first_diff(ca.ve, cb.ve, (size_t)cw_kve_depth(&t))) >= 0)
                b.check(false, "%s pos %d instr %d (%s): the KV cache differs at %ld", target,
                        pos, pc, op, d);
        }
        b.check(ra.next == rb.next, "%s pos %d: NEXT %d, the model %d", target, pos, rb.next,
                ra.next);
        total += (long)pos_cycles;
        tok = ra.next;
    }
    printf("tb_serial: %s, %d-bit weights: %ld instructions, %ld cycles of microcode\n", target,
           wbits, instrs, total);
    cw_ref_core_free(&ca);
    cw_ref_core_free(&cb);
    cw_artifact_close(a);
    cw_model_close(model);
    return instrs;
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    cw_uc_rom rom;
    if (cw_uc_rom_build(&rom, ROM_WORDS) != CW_OK) {
        printf("tb_serial: %s\n0 passed, 1 failed\n", cw_last_error());
        return 1;
    }
    std::vector<Image> imgs = images(rom);
    const char *out = getenv("CW_WRITE_UCODE");
    if (out && *out) {
        for (const Image &im : imgs) {
            std::string path = std::string(out) + "/" + im.file, tmp = path + ".tmp";
            FILE *f = fopen(tmp.c_str(), "wb");
            bool ok = f && fwrite(im.text.data(), 1, im.text.size(), f) == im.text.size();
            ok = f && fclose(f) == 0 && ok;
            if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
                fprintf(stderr, "tb_serial: cannot write %s\n", path.c_str());
                remove(tmp.c_str());
                return 1;
            }
            printf("tb_serial: wrote %s\n", path.c_str());
        }
        return 0;
    }
    for (const Image &im : imgs) {
        std::string path = std::string(ROM_DIR) + "/" + im.file;
        if (read_text(path.c_str()) != im.text) {
            printf("tb_serial: %s is not the image of host/ucode_ops.c's microprograms and "
                   "hls/cw_tables.h (run `make ucode`)\n0 passed, 1 failed\n", path.c_str());
            return 1;
        }
    }
    tb::Bench<Vcw_serial_engine> b("tb_serial", 17);
    b.m->rst = 1;
    b.tick();
    b.tick();
    b.m->rst = 0;
    Rtl x{ b, rom, {} };
    printf("tb_serial: microcode ROM of %d words\n", rom.n);
    run_model(x, "icebreaker", 8, 5);
    run_model(x, "sim", 16, 2);
    run_model(x, "sim", 8, 2);
    cw_uc_rom_free(&rom);
    return b.finish();
}
