// top: cw_tb_ram
/*
 * tb_ram.cpp - cw_ram_rmw against cw_ram: every word written first, then
 * random lane writes (bursts to one word, back to back) and reads (right
 * after a write to the same word, or anywhere), never both on one cycle
 * (cw_ram_rmw's one restriction); every read's data compared on the next
 * cycle, for a split depth (200 words) and a power of two (256).
 */
#include "Vcw_tb_ram.h"
#include "tb_common.h"

static void set_wide(VlWide<4> &w, const uint32_t v[4])
{
    for (int i = 0; i < 4; i++)
        w[i] = v[i];
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_tb_ram> b("tb_ram", 7);
    auto *m = b.m.get();
    m->we = 0;
    m->re = 0;
    m->rst = 1;
    for (int i = 0; i < 3; i++)
        b.tick();
    m->rst = 0;
    /* every word written whole (the memories start with random contents) */
    for (int a = 0; a < 256; a++) {
        uint32_t v[4];
        for (int i = 0; i < 4; i++)
            v[i] = (uint32_t)b.rng.next();
        m->we = 1;
        m->waddr = (uint8_t)a;
        m->wlanes = 0xf;
        set_wide(m->wdata, v);
        b.tick();
    }
    m->we = 0;
    int last_w = 0, reads = 0;
    for (int cyc = 0; cyc < 200000; cyc++) {
        int op = (int)b.rng.range(0, 9);
        m->we = 0;
        m->re = 0;
        if (op < 5) { /* a write: often the last word again */
            uint32_t v[4];
            for (int i = 0; i < 4; i++)
                v[i] = (uint32_t)b.rng.next();
            if (b.rng.range(0, 2) != 0)
                last_w = (int)b.rng.range(0, 255);
            m->we = 1;
            m->waddr = (uint8_t)last_w;
            m->wlanes = b.rng.range(0, 3) ? (uint8_t)(1u << b.rng.range(0, 3))
                                          : (uint8_t)b.rng.range(0, 15);
            set_wide(m->wdata, v);
        } else if (op < 8) { /* a read: often the word just written */
            m->re = 1;
            m->raddr = (uint8_t)(b.rng.range(0, 1) ? last_w : b.rng.range(0, 255));
        }
        bool rd = m->re;
        int ra = m->raddr;
        b.tick();
        if (rd) {
            reads++;
            bool ok = true, ok2 = true;
            for (int i = 0; i < 4; i++) {
                ok = ok && m->ref2_rdata[i] == m->rmw2_rdata[i];
                if (ra < 200)
                    ok2 = ok2 && m->ref_rdata[i] == m->rmw_rdata[i];
            }
            b.check(ok, "depth 256: read of word %d differs (%08x vs %08x ...)", ra,
                    m->rmw2_rdata[0], m->ref2_rdata[0]);
            b.check(ok2, "depth 200: read of word %d differs (%08x vs %08x ...)", ra,
                    m->rmw_rdata[0], m->ref_rdata[0]);
        }
    }
    printf("tb_ram: %d reads compared\n", reads);
    return b.finish();
}
