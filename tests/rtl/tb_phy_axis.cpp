// top: cw_phy_axis
// params: -GDATA_BYTES=4
/*
 * tb_phy_axis.cpp - cw_phy_axis (32-bit streams; tb_phy_axis_b1 runs the
 * same at 8 bits): host->device words with random tkeep patterns become
 * the kept bytes in order; device->host link frames (random lengths, the
 * last byte flagged) become words with tkeep contiguous from lane 0 and
 * tlast on each frame's last word; random tvalid/tready/valid/ready stalls
 * on all four sides; master outputs held stable while tvalid waits.
 */
#include "Vcw_phy_axis.h"
#include "tb_common.h"

#include <deque>
#include <vector>

#ifndef TB_DB
#define TB_DB 4
#define TB_NAME "tb_phy_axis"
#endif

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_phy_axis> b(TB_NAME, 13);
    Vcw_phy_axis *m = b.m.get();
    const int DB = TB_DB;
    const uint64_t MASK = DB == 8 ? ~0ull : (1ull << (8 * DB)) - 1;
    m->rst = 1;
    m->s_axis_tvalid = 0;
    m->m_axis_tready = 0;
    m->rx_ready = 0;
    m->tx_valid = 0;
    for (int i = 0; i < 3; i++)
        b.tick();
    m->rst = 0;

    /* host -> device: words with random keeps */
    struct Word {
        uint64_t data;
        uint32_t keep;
    };
    std::deque<Word> s_todo;
    std::vector<uint8_t> s_want, s_got;
    for (int i = 0; i < 4000; i++) {
        Word w = { b.rng.next() & MASK, (uint32_t)(b.rng.next() & ((1u << DB) - 1)) };
        if (i % 3 == 0)
            w.keep = (1u << DB) - 1;
        s_todo.push_back(w);
        for (int l = 0; l < DB; l++)
            if (w.keep >> l & 1)
                s_want.push_back((uint8_t)(w.data >> (8 * l)));
    }
    /* device -> host: frames */
    std::deque<std::pair<uint8_t, bool>> t_todo;
    std::vector<std::vector<uint8_t>> frames;
    for (int f = 0; f < 400; f++) {
        int n = (int)b.rng.range(1, 40);
        std::vector<uint8_t> fr;
        for (int i = 0; i < n; i++) {
            uint8_t x = (uint8_t)b.rng.next();
            fr.push_back(x);
            t_todo.push_back({ x, i == n - 1 });
        }
        frames.push_back(fr);
    }
    std::vector<std::vector<uint8_t>> got_frames(1);
    bool held = false;
    uint64_t held_data = 0;
    uint32_t held_keep = 0;
    int held_last = 0, bad_keep = 0, unstable = 0;

    for (uint64_t c = 0; c < 200000; c++) {
        bool sv = !s_todo.empty() && b.rng.range(0, 99) < 70;
        m->s_axis_tvalid = sv;
        m->s_axis_tdata = sv ? s_todo.front().data : 0;
        m->s_axis_tkeep = sv ? s_todo.front().keep : 0;
        m->s_axis_tlast = 0;
        m->rx_ready = b.rng.range(0, 99) < 70;
        bool tv = !t_todo.empty() && b.rng.range(0, 99) < 70;
        m->tx_valid = tv;
        m->tx_data = tv ? t_todo.front().first : 0;
        m->tx_last = tv ? t_todo.front().second : 0;
        m->m_axis_tready = b.rng.range(0, 99) < 60;
        m->eval();
        if (sv && m->s_axis_tready)
            s_todo.pop_front();
        if (m->rx_valid && m->rx_ready)
            s_got.push_back(m->rx_data);
        if (tv && m->tx_ready)
            t_todo.pop_front();
        if (m->m_axis_tvalid) {
            if (held && (m->m_axis_tdata != held_data || m->m_axis_tkeep != held_keep ||
                         m->m_axis_tlast != held_last))
                unstable++;
            held = !m->m_axis_tready;
            held_data = m->m_axis_tdata, held_keep = m->m_axis_tkeep, held_last = m->m_axis_tlast;
            if (m->m_axis_tready) {
                uint32_t k = m->m_axis_tkeep;
                if (k == 0 || (k & (k + 1)) != 0 || (!m->m_axis_tlast && k != (1u << DB) - 1))
                    bad_keep++;
                for (int l = 0; l < DB; l++)
                    if (k >> l & 1)
                        got_frames.back().push_back((uint8_t)(m->m_axis_tdata >> (8 * l)));
                if (m->m_axis_tlast)
                    got_frames.emplace_back();
            }
        } else {
            held = false;
        }
        b.tick();
        if (s_todo.empty() && t_todo.empty() && s_got.size() == s_want.size() &&
            got_frames.size() == frames.size() + 1)
            break;
    }
    got_frames.pop_back();
    b.check(s_got == s_want, "host->device: %zu of %zu bytes, %s", s_got.size(), s_want.size(),
            s_got == s_want ? "equal" : "differ");
    b.check(got_frames == frames, "device->host: %zu of %zu frames", got_frames.size(),
            frames.size());
    b.check(bad_keep == 0, "%d words with a bad tkeep", bad_keep);
    b.check(unstable == 0, "%d master words changed while waiting for tready", unstable);
    return b.finish();
}
