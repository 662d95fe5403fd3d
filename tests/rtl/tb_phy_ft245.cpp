// top: cw_phy_ft245
// params: -GDEPTH=8
/*
 * tb_phy_ft245.cpp - cw_phy_ft245 against a behavioural FT245 synchronous
 * FIFO chip, with two unrelated clocks (ft_clk 60 MHz, the link clock at
 * 50, 37 and 133 MHz): random bytes both ways arrive intact and in order
 * while the chip stalls RXF#/TXE# at random and the link side stalls
 * valid/ready; the chip model checks the bus rules on every edge (a byte
 * moves only with RD#/WR# and RXF#/TXE# low, RD# only after a cycle of
 * OE#, never both sides driving the bus, no WR# during OE#).
 */
#include "Vcw_phy_ft245.h"
#include "tb_common.h"

#include <deque>
#include <vector>

struct Chip {
    std::deque<uint8_t> to_fpga;    /* host -> FPGA bytes in the chip */
    std::vector<uint8_t> from_fpga; /* what the FPGA wrote */
    bool rxf_n = true, txe_n = true;
    int prev_oe_n = 1;
    long violations = 0;
};

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_phy_ft245> b("tb_phy_ft245", 9);
    Vcw_phy_ft245 *m = b.m.get();
    /* time in picoseconds; ft_clk 60 MHz */
    const uint64_t FT_HALF = 8333;
    const uint64_t CLK_HALVES[3] = { 10000, 13513, 3759 }; /* 50, 37, 133 MHz */

    for (int round = 0; round < 3; round++) {
        const uint64_t CLK_HALF = CLK_HALVES[round];
        Chip chip;
        std::vector<uint8_t> h2d, d2h, got_h2d;
        std::deque<uint8_t> d2h_todo;
        for (int i = 0; i < 3000; i++)
            h2d.push_back((uint8_t)b.rng.next());
        for (int i = 0; i < 3000; i++)
            d2h_todo.push_back((uint8_t)b.rng.next());
        std::vector<uint8_t> d2h_want(d2h_todo.begin(), d2h_todo.end());
        chip.to_fpga.assign(h2d.begin(), h2d.end());
        int stall_rx = round == 1 ? 70 : 30, stall_tx = round == 2 ? 70 : 30;

        m->clk = 0;
        m->ft_clk = 0;
        m->rst = 1;
        m->rx_ready = 0;
        m->tx_valid = 0;
        m->ft_rxf_n = 1;
        m->ft_txe_n = 1;
        m->ft_data_i = 0;
        m->eval();
        uint64_t t = 0, next_clk = CLK_HALF, next_ft = FT_HALF;
        int clk_edges = 0, ft_live = 0; /* ft_clk edges since reset ended */
        bool link_ready = false, link_valid = false;
        while (t < 4000000000ull) {
            bool clk_edge = next_clk <= next_ft;
            t = clk_edge ? next_clk : next_ft;
            if (clk_edge) {
                next_clk += CLK_HALF;
                if (!m->clk) { /* rising edge of the link clock */
                    clk_edges++;
                    if (clk_edges == 8)
                        m->rst = 0;
                    /* inputs were set after the last falling edge; sample */
                    m->eval();
                    bool took = link_ready && m->rx_valid;
                    uint8_t rb = m->rx_data;
                    bool gave = link_valid && m->tx_ready;
                    m->clk = 1;
                    m->eval();
                    if (took)
                        got_h2d.push_back(rb);
                    if (gave)
                        d2h_todo.pop_front();
                } else {
                    m->clk = 0;
                    /* new link-side inputs, away from the rising edge */
                    link_ready = !m->rst && b.rng.range(0, 99) >= 25;
                    link_valid = !m->rst && !d2h_todo.empty() && b.rng.range(0, 99) >= 25;
                    m->rx_ready = link_ready;
                    m->tx_valid = link_valid;
                    m->tx_data = link_valid ? d2h_todo.front() : 0;
                    m->eval();
                }
            } else {
                next_ft += FT_HALF;
                if (!m->ft_clk) { /* rising edge of ft_clk: the chip samples */
                    m->eval();
                    /* the chip stays idle until the reset has reached the ft_clk domain */
                    bool live = ++ft_live > 4;
                    if (m->rst)
                        ft_live = 0;
                    int rd_n = live ? m->ft_rd_n : 1, wr_n = live ? m->ft_wr_n : 1;
                    int oe_n = live ? m->ft_oe_n : 1;
                    if (live && !oe_n && m->ft_data_oe)
                        chip.violations++; /* both drive the bus */
                    if (!rd_n && chip.prev_oe_n)
                        chip.violations++; /* RD# without a cycle of OE# first */
                    if (!wr_n && !oe_n)
                        chip.violations++;
                    if (!wr_n && !m->ft_data_oe)
                        chip.violations++; /* writing an undriven bus */
                    if (!rd_n && !chip.rxf_n)
                        chip.to_fpga.pop_front();
                    if (!wr_n && !chip.txe_n)
                        chip.from_fpga.push_back(m->ft_data_o);
                    chip.prev_oe_n = oe_n;
                    m->ft_clk = 1;
                    m->eval();
                    /* the chip's outputs change after the edge */
                    chip.rxf_n = !live || chip.to_fpga.empty() || b.rng.range(0, 99) < stall_rx;
                    chip.txe_n = !live || b.rng.range(0, 99) < stall_tx;
                    m->ft_rxf_n = chip.rxf_n;
                    m->ft_txe_n = chip.txe_n;
                    m->ft_data_i = !oe_n && !chip.to_fpga.empty() ? chip.to_fpga.front()
                                                                   : (uint8_t)b.rng.next();
                    m->eval();
                } else {
                    m->ft_clk = 0;
                    m->eval();
                }
            }
            if (got_h2d.size() == h2d.size() && chip.from_fpga.size() == d2h_want.size())
                break;
        }
        b.check(got_h2d == h2d, "round %d: host->device %zu of %zu bytes, %s", round,
                got_h2d.size(), h2d.size(), got_h2d == h2d ? "equal" : "differ");
        b.check(chip.from_fpga == d2h_want, "round %d: device->host %zu of %zu bytes", round,
                chip.from_fpga.size(), d2h_want.size());
        b.check(chip.violations == 0, "round %d: %ld bus rule violations", round, chip.violations);
        printf("tb_phy_ft245: round %d: %.1f us of ft_clk for 3000 bytes each way\n", round,
               (double)t / 1e6);
        m->rst = 1;
        for (int i = 0; i < 20; i++) { /* reset both domains */
            m->clk = !m->clk;
            m->ft_clk = !m->ft_clk;
            m->eval();
        }
    }
    return b.finish();
}
