/*
 * tb_prog.h - programs for the benches that run the core (tb_core,
 * tb_watchdog, tb_link, tb_link_fuzz): the small target their `// params:`
 * lines build (LANES=2 K=2 WBITS=8 ... MAX_CTX=128) as a cw_target_config,
 * instruction and program builders, a program's PROGRAM-region bytes and
 * its cycles per position as the ISA gives them.
 */
#ifndef CW_TB_PROG_H
#define CW_TB_PROG_H

#include <cstdint>
#include <vector>

extern "C" {
#include "clockwork.h"
#include "isa.h"
}

namespace tb {

/* The benches' parameters, as a target for cw_instr_latency(). */
inline cw_target_config small_target()
{
    cw_target_config t = {};
    t.lanes = 2, t.k = 2, t.vlanes = 1, t.wbits = 8, t.clock_mhz = 24;
    t.prog_depth = 256, t.wgt_lines = 1024, t.scl_depth = 256, t.cst_depth = 256;
    t.act_depth = 512, t.kv_depth = 8192, t.max_ctx = 128;
    return t;
}

/* An instruction with every field but the opcode 0. */
inline cw_instr ins(int op)
{
    cw_instr i = {};
    i.op = (uint8_t)op;
    return i;
}

/* ARGMAX over one word: with a prompt that forces every token, the ids do
 * not depend on ACT's random contents. */
inline cw_instr argmax1()
{
    cw_instr a = ins(CW_OP_ARGMAX);
    a.src = 0;
    a.n = 1;
    return a;
}

/* A minimal position: NOP, ARGMAX, END. */
inline std::vector<cw_instr> prog_fast() { return { ins(CW_OP_NOP), argmax1(), ins(CW_OP_END) }; }

/* A slower one: nops NOPs, ARGMAX, END. */
inline std::vector<cw_instr> prog_slow(int nops)
{
    std::vector<cw_instr> p((size_t)nops, ins(CW_OP_NOP));
    p.push_back(argmax1());
    p.push_back(ins(CW_OP_END));
    return p;
}

/* The program as the PROGRAM region holds it (instruction i at byte
 * CW_PROG_STRIDE * i, the rest of each stride 0). */
inline std::vector<uint8_t> prog_bytes(const std::vector<cw_instr> &p)
{
    std::vector<uint8_t> v(p.size() * CW_PROG_STRIDE, 0);
    for (size_t i = 0; i < p.size(); i++)
        cw_instr_encode(&p[i], &v[i * CW_PROG_STRIDE]);
    return v;
}

/* Cycles per position the ISA gives the program on the small target. */
inline uint64_t per_pos(const std::vector<cw_instr> &p)
{
    const cw_target_config t = small_target();
    uint64_t c = 0;
    for (auto &in : p)
        c += cw_instr_latency(&in, 0, &t);
    return c;
}

} // namespace tb

#endif
