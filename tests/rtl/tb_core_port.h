/*
 * tb_core_port.h - driving a Verilated core through cw_core's ports (cw_core,
 * and cw_serial_core, which has the same): reset, words and programs
 * through the write port, a run started or run to its end with its tokens
 * collected. tb_core_drive.h adds what only cw_core has.
 */
#ifndef CW_TB_CORE_PORT_H
#define CW_TB_CORE_PORT_H

#include "tb_common.h"
#include "tb_prog.h"

#include <functional>
#include <vector>

namespace tb {

template <class M> struct CorePort {
    Bench<M> &b;
    M *m;
    /* called on every cycle of run(), inputs and outputs settled, before its edge */
    std::function<void()> each_cycle;
    explicit CorePort(Bench<M> &bench) : b(bench), m(bench.m.get()) {}

    /* Inputs idle, reset held 3 cycles, then one cycle out of reset. */
    void reset()
    {
        m->wr_en = 0;
        m->run_start = 0;
        m->cancel = 0;
        m->hr_en = 0;
        m->rst = 1;
        for (int i = 0; i < 3; i++)
            b.tick();
        m->rst = 0;
        b.tick();
    }
    /* One 32-bit word into a region, one cycle. */
    void write(int region, uint32_t word, uint32_t data)
    {
        m->wr_en = 1;
        m->wr_region = (uint8_t)region;
        m->wr_addr = word;
        m->wr_data = data;
        b.tick();
        m->wr_en = 0;
    }
    /* One 32-bit word through the host read port, two cycles; false when
     * hr_valid did not come. */
    bool read(int region, uint32_t word, uint32_t *data)
    {
        m->hr_en = 1;
        m->hr_region = (uint8_t)region;
        m->hr_addr = word;
        b.tick();
        m->hr_en = 0;
        b.tick();
        *data = m->hr_data;
        return m->hr_valid;
    }
    /* Instruction i into PROGRAM words 8i..8i+4. */
    void program(const std::vector<cw_instr> &p)
    {
        for (size_t i = 0; i < p.size(); i++) {
            unsigned char w[CW_INSTR_BYTES];
            cw_instr_encode(&p[i], w);
            for (int j = 0; j < 5; j++)
                write(0, (uint32_t)(8 * i + j),
                      (uint32_t)w[4 * j] | (uint32_t)w[4 * j + 1] << 8 |
                          (uint32_t)w[4 * j + 2] << 16 | (uint32_t)w[4 * j + 3] << 24);
        }
    }
    /* run_start for one cycle. */
    void start(int n_prompt, int steps)
    {
        m->run_n_prompt = (uint16_t)n_prompt;
        m->run_steps = (uint16_t)steps;
        m->run_start = 1;
        b.tick();
        m->run_start = 0;
    }
    struct Tok {
        int pos, id;
        uint64_t cycle;
    };
    /* Starts a run, collects the tokens' (pos, id, cycle) until run_done (or
     * max cycles; cancels after cancel_at cycles when given). */
    std::vector<Tok> run(int n_prompt, int steps, uint64_t max = 100000, uint64_t cancel_at = 0)
    {
        std::vector<Tok> toks;
        start(n_prompt, steps);
        for (uint64_t c = 0; c < max; c++) {
            if (m->tok_valid) /* the last token comes with run_done */
                toks.push_back({ m->tok_pos, (int)m->tok_id, m->tok_cycle });
            if (m->run_done)
                break;
            m->cancel = cancel_at && c == cancel_at;
            if (each_cycle)
                each_cycle();
            b.tick();
            m->cancel = 0;
        }
        b.check(m->run_done, "run did not finish in %llu cycles", (unsigned long long)max);
        b.tick();
        b.check(!m->busy, "busy after the run");
        return toks;
    }
};

} // namespace tb

#endif
