/*
 * tb_link_dev.h - what the link benches (tb_link, tb_link_fuzz) share: the
 * device they build (cw_device with the `// params:` line both carry) and
 * its region sizes, config hash, context and parser idle timeout; the
 * device with a byte queue on each side; the host end that frames commands
 * with the C codec (driver/link_frame.c) and waits for their responses;
 * request payloads; a shadow of what READ must give back, loaded from the
 * device's random initial memories; a run's events up to DONE and its
 * OUTPUT records checked.
 */
#ifndef CW_TB_LINK_DEV_H
#define CW_TB_LINK_DEV_H

#include "Vcw_device.h"
#include "tb_common.h"

#include <cstring>
#include <deque>
#include <vector>

extern "C" {
#include "clockwork.h"
#include "isa.h"
#include "../../driver/link_crc.h"
#include "../../driver/link_frame.h"
#include "../../driver/link_proto.h"
}

namespace tb {

/* The device's parameters as the link shows them. */
static const int CTX = 128;
static const uint32_t SZ[8] = { 256 * 32, 1024 * 4, 256 * 4, 256 * 4, 0, 0, 128 * 4, 128 * 16 };
static const uint64_t HASH = 0x0123456789abcdefull;
static const int IDLE = 2000;

inline uint32_t region_size(unsigned r) { return r < 8 ? SZ[r] : 0; }

/* The device with a byte queue on each side. */
struct LinkDev {
    Bench<Vcw_device> &b;
    Vcw_device *m;
    std::deque<uint8_t> to_dev;
    std::vector<uint8_t> from_dev;
    size_t taken = 0;  /* from_dev bytes consumed by the host */
    int stall_pct = 0; /* tx_ready low this % of cycles */
    explicit LinkDev(Bench<Vcw_device> &bench) : b(bench), m(bench.m.get()) {}
    virtual ~LinkDev() {}

    /* A look at the model each cycle, its inputs set, before the edge. */
    virtual void before_edge() {}
    void tick()
    {
        m->rx_valid = !to_dev.empty();
        m->rx_data = to_dev.empty() ? 0 : to_dev.front();
        m->tx_ready = stall_pct == 0 || (int)b.rng.range(0, 99) >= stall_pct;
        m->eval();
        before_edge();
        bool rx = m->rx_valid && m->rx_ready;
        bool tx = m->tx_valid && m->tx_ready;
        uint8_t byte = m->tx_data;
        b.tick();
        if (rx)
            to_dev.pop_front();
        if (tx)
            from_dev.push_back(byte);
    }
    void reset()
    {
        m->rst = 1;
        m->rx_valid = 0;
        m->tx_ready = 1;
        for (int i = 0; i < 4; i++)
            b.tick();
        m->rst = 0;
        b.tick();
    }
    size_t available() const { return from_dev.size() - taken; }
};

/* The host end of the benches that build frames themselves. */
struct LinkHost {
    LinkDev &d;
    Bench<Vcw_device> &b;
    cw_link_decoder dec;
    cw_link_frame fr;
    std::vector<cw_link_frame> events;
    uint16_t seq; /* the last command's */
    LinkHost(LinkDev &dev, uint16_t first_seq) : d(dev), b(dev.b), seq(first_seq)
    {
        cw_link_dec_init(&dec, CW_LINK_DEC_RESCAN);
    }

    std::vector<uint8_t> frame(uint8_t type, uint16_t s, const std::vector<uint8_t> &p)
    {
        std::vector<uint8_t> f(CW_LINK_MAX_FRAME);
        f.resize(cw_link_encode(f.data(), f.size(), type, s, p.data(), p.size()));
        return f;
    }
    void send(const std::vector<uint8_t> &f) { d.to_dev.insert(d.to_dev.end(), f.begin(), f.end()); }
    /* The next frame from the device within max cycles (events are kept
     * aside when want_event is false). */
    bool next(uint64_t max, bool want_event = false)
    {
        for (uint64_t c = 0; c < max; c++) {
            while (d.available()) {
                size_t used = 0;
                int got = cw_link_dec_feed(&dec, &d.from_dev[d.taken], d.available(), &used, &fr);
                d.taken += used;
                if (!got)
                    break;
                if ((fr.type & 0xC0) == 0x40 && !want_event) {
                    events.push_back(fr);
                    continue;
                }
                return true;
            }
            d.tick();
        }
        return false;
    }
    /* The response to (type, s); any other non-event frame is a failure. */
    bool resp(uint8_t type, uint16_t s, uint64_t max = 20000)
    {
        while (next(max)) {
            if (fr.type == (type | 0x80) && fr.seq == s)
                return true;
            b.check(false, "unexpected frame type %02x seq %u (waiting for %02x seq %u)", fr.type,
                    fr.seq, type | 0x80, s);
        }
        return false;
    }
    /* Sends a command and waits for its response (false: none in max cycles). */
    bool cmd(uint8_t type, const std::vector<uint8_t> &p, uint64_t max = 20000)
    {
        send(frame(type, ++seq, p));
        return resp(type, seq, max);
    }
    void run_cycles(uint64_t n)
    {
        for (uint64_t i = 0; i < n; i++)
            d.tick();
    }
};

/* ------------------------------------------------------------ payloads */

inline std::vector<uint8_t> le32v(const std::vector<uint32_t> &w)
{
    std::vector<uint8_t> v;
    for (uint32_t x : w)
        for (int i = 0; i < 4; i++)
            v.push_back((uint8_t)(x >> (8 * i)));
    return v;
}

/* WRITE's payload (READ's response has the same header) */
inline std::vector<uint8_t> io_req(unsigned region, uint32_t off, const std::vector<uint8_t> &data)
{
    std::vector<uint8_t> p(8, 0);
    p[0] = (uint8_t)region;
    cw_put32(&p[4], off);
    p.insert(p.end(), data.begin(), data.end());
    return p;
}

inline std::vector<uint8_t> read_req(unsigned region, uint32_t off, uint16_t n)
{
    std::vector<uint8_t> p(12, 0);
    p[0] = (uint8_t)region;
    cw_put32(&p[4], off);
    cw_put16(&p[8], n);
    return p;
}

/* ------------------------------------------------------------ the shadow */

/* What READ must give back after a WRITE: PROGRAM keeps words 0..4 of each
 * 8, SCALES the low 3 bytes of each word; OUTPUT (written by the core)
 * ignores writes. */
struct Shadow {
    std::vector<uint8_t> r[8];
    Shadow()
    {
        for (int i = 0; i < 8; i++)
            r[i].assign(SZ[i], 0);
    }
    void write(unsigned region, uint32_t off, const uint8_t *d, size_t n)
    {
        for (size_t i = 0; i < n; i++) {
            uint32_t a = off + (uint32_t)i;
            if ((region == 0 && (a / 4) % 8 >= 5) || (region == 2 && a % 4 == 3) || region == 7)
                continue;
            r[region][a] = d[i];
        }
    }
    void write(unsigned region, uint32_t off, const std::vector<uint8_t> &d)
    {
        write(region, off, d.data(), d.size());
    }
};

/* The memories start random (randReset): READ every region into the shadow
 * as it is, in pieces of at most 1016 bytes. */
inline void load_shadow(LinkHost &h, Shadow &s)
{
    for (unsigned r = 0; r < 8; r++)
        for (uint32_t off = 0; off < SZ[r]; off += 1016) {
            uint16_t n = (uint16_t)(SZ[r] - off < 1016 ? SZ[r] - off : 1016);
            bool ok = h.cmd(CW_LINK_CMD_READ, read_req(r, off, n));
            if (h.b.check(ok && h.fr.payload[0] == 0 && h.fr.len == 8u + n, "initial READ %u", r))
                memcpy(&s.r[r][off], h.fr.payload + 8, n);
        }
}

/* ------------------------------------------------------------ runs */

/* Events of a started run into h.events until DONE (false: no DONE within
 * max cycles of silence). */
inline bool wait_done(LinkHost &h, uint64_t max)
{
    bool done = false;
    for (auto &e : h.events)
        done |= e.type == CW_LINK_EV_DONE;
    while (!done && h.next(max, true)) {
        h.events.push_back(h.fr);
        done = h.fr.type == CW_LINK_EV_DONE;
    }
    return done;
}

/* The OUTPUT region after a run of steps positions with prompt-forced
 * tokens: record k is (pos k + 1, prompt[k + 1], cycle pp * (k + 1)). */
inline void check_output(LinkHost &h, const std::vector<uint32_t> &prompt, int steps, uint64_t pp,
                         const char *what)
{
    bool ok = h.cmd(CW_LINK_CMD_READ, read_req(7, 0, (uint16_t)(16 * steps)));
    if (h.b.check(ok && h.fr.payload[0] == 0 && h.fr.len == 8 + 16 * steps, "%s: READ OUTPUT", what))
        for (int k = 0; k < steps; k++) {
            const uint8_t *e = h.fr.payload + 8 + 16 * k;
            h.b.check(cw_get32(e) == (uint32_t)k + 1 && cw_get32(e + 4) == prompt[k + 1] &&
                          cw_get64(e + 8) == pp * (k + 1),
                      "%s: OUTPUT entry %d: pos %u tok %u cycle %llu", what, k, cw_get32(e),
                      cw_get32(e + 4), (unsigned long long)cw_get64(e + 8));
        }
}

} // namespace tb

#endif
