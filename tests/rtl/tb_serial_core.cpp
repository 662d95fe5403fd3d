// top: cw_serial_core
// params: -GLANES=2 -GK=4 -GWBITS=16 -GPROG_DEPTH=128 -GWGT_LINES=4096 -GSCL_DEPTH=1024 -GCST_DEPTH=4096 -GACT_DEPTH=512 -GKV_DEPTH=4096 -GMAX_CTX=64 -GKV_BITS=9
/*
 * tb_serial_core.cpp - the serial core itself (rtl/serial/cw_serial_core.v:
 * its sequencer, memories, field and memory multiplexers, write port,
 * token records) on a configuration the icebreaker device does not have:
 * 16-bit weight lanes (lines of 2 x 4) and 9-bit KV cache entries. A
 * synthetic model compiled for that configuration (as a target file with
 * `serial 1`) is loaded through the write port and run with 16-bit and with
 * 8-bit weights; every token and its cycle stamp must equal the ref core's
 * (cw_ref_core_run: the hls/ kernels, cycles by cw_instr_latency()). Then
 * the OUTPUT records and the loaded regions through the host read port,
 * and the refusals at issue: a zero length (error 2).
 */
#include <atomic>
#include <cstring>
#include <vector>

#include "Vcw_serial_core.h"
#include "tb_core_port.h"

using std::atomic_int; // ref_core.h's cancel flag (C11 <stdatomic.h>)
extern "C" {
#include "artifact.h"
#include "clockwork.h"
#include "isa.h"
#include "ref_core.h"
}

static const char *const TARGET =
    "name serial16\nlanes 2\nk 4\nvlanes 1\nwbits 16\nclock_mhz 24\nprog_depth 128\n"
    "wgt_lines 4096\nscl_depth 1024\ncst_depth 4096\nact_depth 512\nkv_depth 4096\n"
    "max_ctx 64\nkvbits 9\nserial 1\n";

using Bench = tb::Bench<Vcw_serial_core>;
using Port = tb::CorePort<Vcw_serial_core>;
using Tok = Port::Tok;

static void write_bytes(Port &c, int region, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        for (size_t j = 0; j < 4 && i + j < n; j++)
            v |= (uint32_t)p[i + j] << (8 * j);
        c.write(region, (uint32_t)(i / 4), v);
    }
}

static int on_ref_token(void *user, const cw_token_event *ev)
{
    ((std::vector<Tok> *)user)->push_back({ ev->pos, ev->token, ev->cycle });
    return 0;
}

static void model_run(Port &c, const cw_target_config &t, const char *tpath, int bits)
{
    Bench &b = c.b;
    cw_model_config cfg = { 32, 64, 2, 4, 2, 64, 64, 1 };
    const char *mpath = "build/tb_serial_core.bin";
    cw_model *model = nullptr;
    cw_artifact *a = nullptr;
    cw_compile_params cp;
    cw_compile_params_default(&cp);
    cp.target = tpath;
    cp.weight_bits = bits;
    if (cw_model_write_synthetic(mpath, &cfg, 5) != CW_OK || cw_model_open(mpath, &model) != CW_OK ||
        cw_compile(model, &cp, &a) != CW_OK) {
        b.check(false, "synthetic model for %s: %s", tpath, cw_last_error());
        cw_model_close(model);
        return;
    }
    /* the images, as the link engine writes them */
    std::vector<unsigned char> prog((size_t)a->info.n_instructions * CW_PROG_STRIDE, 0);
    for (int i = 0; i < a->info.n_instructions; i++)
        cw_instr_encode(&a->prog[i], prog.data() + (size_t)i * CW_PROG_STRIDE);
    /* TOK at the first position is the prompt's first token: BOS, or not */
    const uint32_t prompt[] = { bits == 16 ? (uint32_t)CW_TOKEN_BOS : 7u, 11, 3, 29 };
    const int n_prompt = 4, steps = 12;
    write_bytes(c, 0, prog.data(), prog.size());
    write_bytes(c, 1, a->wgt, (size_t)(a->wgt_lines * (uint64_t)a->line_bytes));
    write_bytes(c, 2, a->scl, (size_t)(a->scl_entries * 4));
    write_bytes(c, 3, a->cst, (size_t)(a->cst_words * 4));
    write_bytes(c, 6, (const unsigned char *)prompt, sizeof prompt);

    cw_ref_core rc;
    cw_ref_core_init(&rc, &t);
    cw_ref_core_write(&rc, CW_REG_PROG, 0, prog.data(), prog.size());
    cw_ref_core_write(&rc, CW_REG_WGT, 0, a->wgt, a->wgt_lines * (uint64_t)a->line_bytes);
    cw_ref_core_write(&rc, CW_REG_SCL, 0, a->scl, a->scl_entries * 4);
    cw_ref_core_write(&rc, CW_REG_CST, 0, a->cst, a->cst_words * 4);
    cw_ref_core_write(&rc, CW_REG_PROMPT, 0, prompt, sizeof prompt);
    std::vector<Tok> want, got;
    int rrc = cw_ref_core_run(&rc, a->info.n_instructions, n_prompt, steps, on_ref_token, &want,
                              nullptr, nullptr);
    b.check(rrc == CW_OK, "%d-bit: the ref core: %s", bits, cw_last_error());
    got = c.run(n_prompt, steps, 100000000);
    b.check(!c.m->err, "%d-bit: the serial core stopped with error %d", bits, c.m->err_code);
    b.check(got.size() == want.size(), "%d-bit: %zu tokens, the ref core %zu", bits, got.size(),
            want.size());
    for (size_t i = 0; i < got.size() && i < want.size(); i++)
        b.check(got[i].pos == want[i].pos && got[i].id == want[i].id &&
                    got[i].cycle == want[i].cycle,
                "%d-bit: token %zu: position %d, id %d, cycle %llu; the ref core %d, %d, %llu",
                bits, i, got[i].pos, got[i].id, (unsigned long long)got[i].cycle, want[i].pos,
                want[i].id, (unsigned long long)want[i].cycle);
    printf("tb_serial_core: %d-bit weights: %zu tokens, last stamp %llu cycles\n", bits,
           got.size(), got.empty() ? 0ull : (unsigned long long)got.back().cycle);

    /* the OUTPUT records through the host read port */
    for (size_t i = 0; i < got.size(); i++) {
        uint32_t w[4];
        for (int j = 0; j < 4; j++)
            b.check(c.read(7, (uint32_t)(4 * i + (size_t)j), &w[j]), "OUTPUT read without hr_valid");
        uint64_t cyc = (uint64_t)w[2] | (uint64_t)w[3] << 32;
        b.check((int)(w[0] & 0xffff) == got[i].pos && (int)w[1] == got[i].id &&
                    cyc == got[i].cycle,
                "OUTPUT record %zu: %u %u %llu", i, w[0], w[1], (unsigned long long)cyc);
    }
    /* the loaded regions read back (the idle core's memories), and words
     * outside them read as 0 */
    struct Region {
        int region;
        const unsigned char *p;
        size_t bytes;
        uint32_t past; /* a word outside the region */
    } regions[] = {
        { 0, prog.data(), prog.size(), 5 },    /* word 5 of an instruction */
        { 1, a->wgt, (size_t)(a->wgt_lines * (uint64_t)a->line_bytes), (uint32_t)(t.wgt_lines * (t.lanes * t.k * t.wbits / 32)) },
        { 2, a->scl, (size_t)(a->scl_entries * 4), (uint32_t)t.scl_depth },
        { 3, a->cst, (size_t)(a->cst_words * 4), (uint32_t)t.cst_depth },
        { 6, (const unsigned char *)prompt, sizeof prompt, (uint32_t)t.max_ctx },
    };
    long words = 0;
    for (const Region &r : regions) {
        for (size_t i = 0; i < r.bytes; i += 4 * (1 + b.rng.next() % 16), words++) {
            uint32_t v = 0, want_v = 0;
            for (size_t j = 0; j < 4 && i + j < r.bytes; j++)
                want_v |= (uint32_t)r.p[i + j] << (8 * j);
            b.check(c.read(r.region, (uint32_t)(i / 4), &v) && v == want_v,
                    "region %d word %zu read back as %08x, written %08x", r.region, i / 4, v,
                    want_v);
        }
        uint32_t v = 1;
        b.check(c.read(r.region, r.past, &v) && v == 0, "region %d word %u (outside) read as %08x",
                r.region, r.past, v);
    }
    printf("tb_serial_core: %ld loaded words read back\n", words);
    /* a WRITE to OUTPUT is ignored (docs/protocol.md): every OUTPUT word
     * written, PROMPT (beside it in the data memory's order) and the
     * records are unchanged */
    for (uint32_t i = 0; i < (uint32_t)t.max_ctx * 4; i++)
        c.write(7, i, 0xdeadbeefu ^ i);
    for (size_t i = 0; i < sizeof prompt / 4; i++) {
        uint32_t v = 0;
        b.check(c.read(6, (uint32_t)i, &v) && v == (uint32_t)prompt[i],
                "PROMPT word %zu after writes to OUTPUT: %08x", i, v);
    }
    for (size_t i = 0; i < got.size(); i++) {
        uint32_t v = 0;
        b.check(c.read(7, (uint32_t)(4 * i + 1), &v) && v == (uint32_t)got[i].id,
                "OUTPUT record %zu's id after writes to OUTPUT: %08x", i, v);
    }
    cw_ref_core_free(&rc);
    cw_artifact_close(a);
    cw_model_close(model);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    const char *tpath = "build/tb_serial16.target";
    FILE *f = fopen(tpath, "w");
    if (!f || fputs(TARGET, f) < 0 || fclose(f) != 0) {
        printf("tb_serial_core: cannot write %s\n0 passed, 1 failed\n", tpath);
        return 1;
    }
    cw_target_config t;
    if (cw_target_get(tpath, &t) != CW_OK) {
        printf("tb_serial_core: %s\n0 passed, 1 failed\n", cw_last_error());
        return 1;
    }
    Bench b("tb_serial_core", 23);
    Port c(b);
    auto *m = b.m.get();
    c.reset();
    model_run(c, t, tpath, 16);
    model_run(c, t, tpath, 8);

    /* an instruction with a zero length stops the run with error 2 at pc 0 */
    cw_instr bad;
    memset(&bad, 0, sizeof bad);
    bad.op = CW_OP_NORM16;
    c.program({ bad });
    std::vector<Tok> none = c.run(1, 1);
    b.check(m->err && m->err_code == 2 && m->err_pc == 0 && none.empty(),
            "a zero-length NORM16: error %d at %u, %zu tokens", m->err_code, m->err_pc,
            none.size());
    return b.finish();
}
