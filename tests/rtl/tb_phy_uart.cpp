// top: cw_tb_uarts
/*
 * tb_phy_uart.cpp - cw_phy_uart at baud divisors 4, 7, 16 and 101: each
 * one's transmitter looped into its receiver carries random bytes intact
 * under random valid/ready; a sender whose bit time is 3% off either way is
 * still received; a byte with a bad stop bit is dropped (err_frame); bytes
 * that find the receive FIFO full are dropped (err_overrun) while those
 * before them arrive.
 */
#include "Vcw_tb_uarts.h"
#include "tb_common.h"

#include <deque>
#include <vector>

static const int DIV[4] = { 4, 7, 16, 101 };

struct Line {
    /* a bit-banged sender: frames of (start, 8 data, stop) at `bit` cycles */
    std::deque<int> levels; /* one entry per cycle */
    void send(int byte, double bit, bool bad_stop = false)
    {
        int bits[10];
        bits[0] = 0;
        for (int i = 0; i < 8; i++)
            bits[1 + i] = (byte >> i) & 1;
        bits[9] = bad_stop ? 0 : 1;
        double t = 0;
        for (int b = 0; b < 10; b++) {
            double end = t + bit;
            for (int c = (int)t; c < (int)end; c++)
                levels.push_back(bits[b]);
            t = (double)(int)end + (end - (int)end);
        }
        for (int c = 0; c < (int)(2 * bit); c++)
            levels.push_back(1); /* idle between bytes */
    }
};

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_tb_uarts> b("tb_phy_uart", 5);
    Vcw_tb_uarts *m = b.m.get();
    m->rst = 1;
    m->uart_rx = 0xF;
    m->tx_valid = 0;
    m->rx_ready = 0;
    for (int i = 0; i < 4; i++)
        b.tick();
    m->rst = 0;

    /* 1. loopback with random valid/ready */
    std::vector<uint8_t> sent[4], got[4];
    std::deque<uint8_t> todo[4];
    for (int g = 0; g < 4; g++)
        for (int i = 0; i < (g == 3 ? 60 : 300); i++)
            todo[g].push_back((uint8_t)b.rng.next());
    int errs = 0;
    for (uint64_t c = 0; c < 200000; c++) {
        uint32_t txv = 0, txd = 0, rxr = 0;
        for (int g = 0; g < 4; g++) {
            if (!todo[g].empty() && b.rng.range(0, 3) != 0) {
                txv |= 1u << g;
                txd |= (uint32_t)todo[g].front() << (8 * g);
            }
            if (b.rng.range(0, 1))
                rxr |= 1u << g;
        }
        m->tx_valid = txv;
        m->tx_data = txd;
        m->rx_ready = rxr;
        m->uart_rx = m->uart_tx; /* loopback */
        m->eval();
        for (int g = 0; g < 4; g++) {
            if ((txv >> g & 1) && (m->tx_ready >> g & 1)) {
                sent[g].push_back(todo[g].front());
                todo[g].pop_front();
            }
            if ((rxr >> g & 1) && (m->rx_valid >> g & 1))
                got[g].push_back((uint8_t)(m->rx_data >> (8 * g)));
        }
        errs += __builtin_popcount(m->err_frame | m->err_overrun);
        b.tick();
    }
    for (int g = 0; g < 4; g++)
        b.check(got[g] == sent[g] && todo[g].empty(),
                "divisor %d loopback: sent %zu, got %zu, left %zu", DIV[g], sent[g].size(),
                got[g].size(), todo[g].size());
    b.check(errs == 0, "loopback: %d error pulses", errs);

    /* 2. a sender 3% slow and 3% fast; 3. a bad stop bit; 4. overrun */
    for (int g = 0; g < 4; g++) {
        /* divisor 4 resolves a quarter bit: it tolerates about 2.5% */
        double e = DIV[g] == 4 ? 0.02 : 0.03;
        for (double skew : { 1 - e, 1 + e }) {
            Line l;
            std::vector<uint8_t> want;
            for (int i = 0; i < 20; i++) {
                uint8_t x = (uint8_t)b.rng.next();
                want.push_back(x);
                l.send(x, DIV[g] * skew);
            }
            std::vector<uint8_t> r;
            m->rx_ready = 0xF;
            while (!l.levels.empty()) {
                m->uart_rx = (uint8_t)(0xF & ~((l.levels.front() ? 0 : 1) << g));
                l.levels.pop_front();
                m->eval();
                if (m->rx_valid >> g & 1)
                    r.push_back((uint8_t)(m->rx_data >> (8 * g)));
                b.tick();
            }
            b.check(r == want, "divisor %d, bit time x%.2f: %zu of %zu bytes right", DIV[g], skew,
                    r.size(), want.size());
        }
        Line l;
        l.send(0x5A, DIV[g], true);
        l.send(0x3C, DIV[g]);
        int frame_err = 0;
        std::vector<uint8_t> r;
        while (!l.levels.empty()) {
            m->uart_rx = (uint8_t)(0xF & ~((l.levels.front() ? 0 : 1) << g));
            l.levels.pop_front();
            m->eval();
            if (m->rx_valid >> g & 1)
                r.push_back((uint8_t)(m->rx_data >> (8 * g)));
            frame_err += m->err_frame >> g & 1;
            b.tick();
        }
        b.check(frame_err == 1 && r.size() == 1 && r[0] == 0x3C,
                "divisor %d: bad stop bit: %d errors, %zu bytes", DIV[g], frame_err, r.size());
        /* overrun: 12 bytes into an 8-entry FIFO nobody reads */
        Line o;
        for (int i = 0; i < 12; i++)
            o.send(i, DIV[g]);
        m->rx_ready = 0;
        int over = 0;
        while (!o.levels.empty()) {
            m->uart_rx = (uint8_t)(0xF & ~((o.levels.front() ? 0 : 1) << g));
            o.levels.pop_front();
            m->eval();
            over += m->err_overrun >> g & 1;
            b.tick();
        }
        r.clear();
        m->rx_ready = 0xF;
        for (int i = 0; i < 20; i++) {
            m->eval();
            if (m->rx_valid >> g & 1)
                r.push_back((uint8_t)(m->rx_data >> (8 * g)));
            b.tick();
        }
        bool first8 = r.size() == 8;
        for (size_t i = 0; first8 && i < 8; i++)
            first8 = r[i] == i;
        b.check(over == 4 && first8, "divisor %d: overrun: %d dropped, %zu kept", DIV[g], over,
                r.size());
    }
    return b.finish();
}
