// top: cw_device
// params: -GLANES=2 -GK=2 -GWBITS=8 -GPROG_DEPTH=256 -GWGT_LINES=1024 -GSCL_DEPTH=256 -GCST_DEPTH=256 -GACT_DEPTH=512 -GKV_DEPTH=8192 -GMAX_CTX=128 -GCONFIG_HASH=64'h0123456789abcdef -GEV_DEPTH=4 -GIDLE_CYCLES=2000
// sources: tests/rtl/tb_link_fuzz.vlt
/*
 * tb_link_fuzz.cpp - random and malformed input into the RTL link engine
 * (cw_device = cw_link_engine + cw_core), from a fixed, printed seed:
 *
 *   garbage      random bytes, some with sync bytes in them
 *   command      frames with a good CRC and random type, seq, length and
 *                payload: WRITE/READ with random region, offset and length
 *                (in range, at the end, past the end, overflowing 32 bits),
 *                RUN with random arguments, unknown types, response and
 *                event types, wrong payload lengths for every command
 *   duplicate    a command sent again at once (replayed or run again)
 *   truncated    a good frame cut short, followed by silence or at once by
 *                the next frame
 *   bad length   a good frame whose length field (and header check) lies
 *   damaged      a good frame with one bit flipped
 *   busy         a WRITE into a running core
 *   program      random instructions written and run (cancelled if long)
 *
 * After every input the device must answer INFO within a bounded number of
 * cycles (a retransmission after the parser's idle timeout is allowed after
 * inputs that leave a partial frame). A command with a good CRC must get
 * the status docs/protocol.md gives (a C++ model of the checks), a frame
 * with a bad one no answer. A monitor on the core's write port (public
 * through tb_link_fuzz.vlt) checks that every write is inside the region
 * and byte range of the WRITE being committed, and counts them against the
 * words the accepted WRITEs cover. A shadow of every region is compared
 * with READs along the way and whole at the end; then a real program runs
 * with the tokens and cycles the ISA gives. The RTL assertions (--assert)
 * are on throughout.
 */
#include "Vcw_device___024root.h"
#include "tb_link_dev.h"
#include "tb_prog.h"

#include <cstring>
#include <vector>

using namespace tb;
using Host = LinkHost;

static const int FRAMES = 3000;

/* The byte range the WRITE being committed may touch (none: no write). */
struct Window {
    bool on = false;
    unsigned region = 0;
    uint64_t lo = 0, hi = 0;
};

/* The device with a monitor on the core's write port. */
struct Dev : LinkDev {
    Window win;
    uint64_t writes = 0, bad_writes = 0;
    explicit Dev(Bench<Vcw_device> &bench) : LinkDev(bench) {}

    /* this cycle's write happens on the edge */
    void before_edge() override
    {
        auto *r = m->rootp;
        if (!r->cw_device__DOT__wr_en)
            return;
        unsigned reg = r->cw_device__DOT__wr_region;
        uint64_t a = 4ull * r->cw_device__DOT__wr_addr;
        writes++;
        bool ok = a + 4 <= region_size(reg) && win.on && reg == win.region && a + 4 > win.lo &&
                  a < win.hi;
        if (!ok && ++bad_writes <= 10)
            b.check(false, "write to region %u byte %llu outside [%llu, %llu) of region %u (%s)",
                    reg, (unsigned long long)a, (unsigned long long)win.lo,
                    (unsigned long long)win.hi, win.region, win.on ? "open" : "closed");
    }
};

/* ------------------------------------------------------------ the model */

/* Status and response length docs/protocol.md gives a command with a good
 * CRC, the core idle (running: a run is in progress). -1: no answer. */
struct Expect {
    int status = -1;
    unsigned len = 0;
};

static int range_status(unsigned region, uint32_t off, uint32_t n)
{
    uint64_t sz = region_size(region);
    if (sz == 0)
        return CW_LINK_ST_BAD_REGION;
    if (off > sz || n > sz - off)
        return CW_LINK_ST_OUT_OF_RANGE;
    return CW_LINK_ST_OK;
}

static Expect expect(uint8_t type, const std::vector<uint8_t> &p, bool running)
{
    Expect e;
    size_t len = p.size();
    if (type & 0xC0)
        return e;
    e.len = 1;
    switch (type) {
    case CW_LINK_CMD_INFO:
    case CW_LINK_CMD_STATUS:
    case CW_LINK_CMD_CANCEL:
    case CW_LINK_CMD_RESET:
        if (len != 0)
            e.status = CW_LINK_ST_BAD_LENGTH;
        else
            e.status = CW_LINK_ST_OK, e.len = type == CW_LINK_CMD_INFO     ? 64
                                              : type == CW_LINK_CMD_STATUS ? 40
                                              : type == CW_LINK_CMD_CANCEL ? 12
                                                                           : 8;
        break;
    case CW_LINK_CMD_WRITE:
        if (len < 8) {
            e.status = CW_LINK_ST_BAD_LENGTH;
            break;
        }
        e.len = 12;
        e.status = range_status(p[0], cw_get32(&p[4]), (uint32_t)len - 8);
        if (e.status == CW_LINK_ST_OK && running)
            e.status = CW_LINK_ST_BUSY;
        break;
    case CW_LINK_CMD_READ: {
        if (len != 12) {
            e.status = CW_LINK_ST_BAD_LENGTH;
            break;
        }
        uint16_t n = cw_get16(&p[8]);
        e.len = 8;
        e.status = n > 1016 ? CW_LINK_ST_BAD_ARG : range_status(p[0], cw_get32(&p[4]), n);
        if (e.status == CW_LINK_ST_OK && running && p[0] != 7)
            e.status = CW_LINK_ST_BUSY;
        if (e.status == CW_LINK_ST_OK)
            e.len = 8u + n;
        break;
    }
    case CW_LINK_CMD_RUN: {
        if (len != 16) {
            e.status = CW_LINK_ST_BAD_LENGTH;
            break;
        }
        uint32_t np = cw_get32(&p[0]), st = cw_get32(&p[4]);
        e.len = 8;
        if (running)
            e.status = CW_LINK_ST_BUSY;
        else if (np == 0 || st == 0 || np > (uint32_t)CTX || st > (uint32_t)CTX)
            e.status = CW_LINK_ST_BAD_ARG;
        else
            e.status = CW_LINK_ST_OK;
        break;
    }
    default:
        e.status = CW_LINK_ST_BAD_COMMAND;
        break;
    }
    return e;
}

/* ------------------------------------------------------------ the fuzzer */

enum Kind { K_GARBAGE, K_COMMAND, K_DUP, K_TRUNC, K_BADLEN, K_DAMAGED, K_BUSY, K_PROGRAM, K_N };
static const char *const kind_name[K_N] = { "garbage",   "command", "duplicate", "truncated",
                                            "bad length", "damaged", "busy",      "program" };

struct Fuzz {
    Host &h;
    Dev &d;
    tb::Bench<Vcw_device> &b;
    tb::Rng &rng;
    Shadow sh;
    long sent[K_N] = {};
    long status_count[8] = {};
    long no_answer = 0, info_retries = 0, error_events = 0, done_events = 0, runs = 0;
    long done_errors = 0; /* DONE events with exit reason ERROR */
    long cancels = 0, busy_stops = 0, reads_checked = 0, bytes_compared = 0;
    long error_codes[16] = {};
    uint64_t words_expected = 0, max_info_cycles = 0;
    bool partial = false; /* the last input may leave the parser mid-frame */

    Fuzz(Host &host, Dev &dev) : h(host), d(dev), b(host.b), rng(host.b.rng) {}

    uint32_t rand_off(unsigned region)
    {
        uint32_t sz = region_size(region);
        switch (rng.range(0, 9)) {
        case 0: return sz;
        case 1: return sz - (uint32_t)rng.range(0, 16);
        case 2: return (uint32_t)rng.next();
        case 3: return 0xFFFFFFFFu - (uint32_t)rng.range(0, 8);
        default: return sz ? (uint32_t)rng.range(0, sz - 1) : (uint32_t)rng.range(0, 64);
        }
    }
    unsigned rand_region()
    {
        static const unsigned common[6] = { 0, 1, 2, 3, 6, 7 };
        return rng.range(0, 9) < 7 ? common[rng.range(0, 5)] : (unsigned)rng.range(0, 255);
    }
    std::vector<uint8_t> bytes(size_t n)
    {
        std::vector<uint8_t> v(n);
        for (auto &x : v)
            x = (uint8_t)rng.next();
        return v;
    }
    /* a command with a good CRC and random fields */
    void random_command(uint8_t &type, std::vector<uint8_t> &p)
    {
        static const uint8_t cmds[7] = { CW_LINK_CMD_INFO,   CW_LINK_CMD_WRITE,  CW_LINK_CMD_READ,
                                         CW_LINK_CMD_RUN,    CW_LINK_CMD_CANCEL, CW_LINK_CMD_RESET,
                                         CW_LINK_CMD_STATUS };
        int t = (int)rng.range(0, 99);
        bool bad_len = rng.range(0, 9) == 0;
        if (t < 35) {
            type = CW_LINK_CMD_WRITE;
            unsigned r = rand_region();
            size_t n = (size_t)(rng.range(0, 3) == 0 ? rng.range(0, 1016) : rng.range(0, 64));
            p = io_req(r, rand_off(r), bytes(n));
            if (bad_len)
                p.resize((size_t)rng.range(0, 7));
        } else if (t < 60) {
            type = CW_LINK_CMD_READ;
            unsigned r = rand_region();
            uint16_t n = (uint16_t)(rng.range(0, 9) == 0 ? rng.range(0, 65535) : rng.range(0, 1016));
            p = read_req(r, rand_off(r), n);
            if (bad_len)
                p.resize((size_t)rng.range(0, 40));
        } else if (t < 70) {
            type = CW_LINK_CMD_RUN;
            auto arg = [&]() -> uint32_t {
                switch (rng.range(0, 5)) {
                case 0: return 0;
                case 1: return (uint32_t)CTX + (uint32_t)rng.range(1, 3);
                case 2: return (uint32_t)rng.next();
                default: return (uint32_t)rng.range(1, CTX);
                }
            };
            p = le32v({ arg(), arg(), (uint32_t)rng.next(), (uint32_t)rng.next() });
            if (bad_len)
                p.resize((size_t)rng.range(0, 24));
        } else if (t < 85) {
            type = cmds[rng.range(0, 6)];
            if (type == CW_LINK_CMD_WRITE || type == CW_LINK_CMD_READ || type == CW_LINK_CMD_RUN)
                type = CW_LINK_CMD_STATUS;
            p = bad_len ? bytes((size_t)rng.range(1, 64)) : std::vector<uint8_t>();
        } else if (t < 95) {
            do
                type = (uint8_t)rng.range(0, 0x3F);
            while (type >= CW_LINK_CMD_INFO && type <= CW_LINK_CMD_STATUS);
            p = bytes((size_t)rng.range(0, 100));
        } else {
            type = (uint8_t)(rng.range(0, 1) ? 0x80 | rng.range(0, 0x7F) : 0x40 | rng.range(0, 0x3F));
            p = bytes((size_t)rng.range(0, 64));
        }
    }

    /* After every input: INFO answered within bounded cycles (after a
     * partial frame, a retransmission once the idle timeout has passed). */
    void alive()
    {
        uint16_t s = ++h.seq;
        auto f = h.frame(CW_LINK_CMD_INFO, s, {});
        uint64_t c0 = b.cycle;
        h.send(f);
        bool ok = h.resp(CW_LINK_CMD_INFO, s, partial ? 1500 : 4000);
        if (!ok && partial) {
            info_retries++;
            h.run_cycles(IDLE + 100);
            h.send(f);
            ok = h.resp(CW_LINK_CMD_INFO, s, 4000);
        }
        uint64_t dt = b.cycle - c0;
        max_info_cycles = dt > max_info_cycles ? dt : max_info_cycles;
        b.check(ok && h.fr.len == 64 && h.fr.payload[0] == 0 && cw_get64(h.fr.payload + 8) == HASH &&
                    h.fr.payload[2] != CW_LINK_CORE_RUNNING,
                "device did not answer INFO (ok %d len %u state %u) after %llu cycles", ok,
                ok ? h.fr.len : 0, ok ? h.fr.payload[2] : 255, (unsigned long long)dt);
        partial = false;
    }

    /* Events of a run: ERROR (with its code) and DONE. */
    bool collect_events(uint64_t max)
    {
        bool done = false;
        auto note = [&](const cw_link_frame &e) {
            if (e.type == CW_LINK_EV_ERROR) {
                error_events++;
                uint32_t code = cw_get32(e.payload + 8);
                b.check(e.len == 16 && code >= 1 && code <= CW_CORE_ERR_WATCHDOG,
                        "ERROR event with code %u", code);
                error_codes[code < 16 ? code : 15]++;
            }
            if (e.type == CW_LINK_EV_DONE) {
                done = true, done_events++;
                done_errors += e.payload[16] == CW_LINK_EXIT_ERROR;
            }
        };
        for (auto &e : h.events)
            note(e);
        h.events.clear();
        while (!done && h.next(max, true))
            note(h.fr);
        return done;
    }
    /* A run was started: let it end, or cancel it; the core is idle after. */
    void finish_run()
    {
        runs++;
        if (!collect_events(5000)) {
            cancels++;
            b.check(h.cmd(CW_LINK_CMD_CANCEL, {}) && h.fr.payload[0] == 0, "CANCEL of a long run");
            b.check(collect_events(20000), "no DONE after CANCEL");
        }
    }

    /* Sends one command with a good CRC and checks its answer. */
    void command(uint8_t type, const std::vector<uint8_t> &p, bool running, bool dup_next)
    {
        Expect e = expect(type, p, running);
        bool write_ok = type == CW_LINK_CMD_WRITE && e.status == CW_LINK_ST_OK;
        if (write_ok) {
            d.win.on = true;
            d.win.region = p[0];
            d.win.lo = cw_get32(&p[4]);
            d.win.hi = d.win.lo + (p.size() - 8);
        }
        uint16_t s = (uint16_t)rng.next();
        if (s == h.seq) /* never a duplicate of the last command by chance */
            s++;
        auto f = h.frame(type, s, p);
        h.send(f);
        if (e.status < 0) {
            no_answer++;
            b.check(!h.next(600), "frame type %02x was answered (%02x)", type, h.fr.type);
            return;
        }
        bool ok = h.resp(type, s);
        b.check(ok && h.fr.len == e.len && h.fr.payload[0] == e.status,
                "type %02x len %zu: ok %d status %u len %u, want status %d len %u", type, p.size(),
                ok, ok ? h.fr.payload[0] : 255, ok ? h.fr.len : 0, e.status, e.len);
        h.seq = s;
        if (!ok) {
            d.win.on = false;
            return;
        }
        status_count[e.status]++;
        std::vector<uint8_t> r1(h.fr.payload, h.fr.payload + h.fr.len);
        if (write_ok) {
            uint32_t n = (uint32_t)(p.size() - 8), off = cw_get32(&p[4]);
            sh.write(p[0], off, &p[8], n);
            if (n)
                words_expected += (off + n - 1) / 4 - off / 4 + 1;
        }
        if (type == CW_LINK_CMD_READ && e.status == CW_LINK_ST_OK && p[0] != 7) {
            uint32_t off = cw_get32(&p[4]);
            uint16_t n = cw_get16(&p[8]);
            int bad = 0;
            for (uint16_t i = 0; i < n; i++)
                bad += h.fr.payload[8 + i] != sh.r[p[0]][off + i];
            b.check(bad == 0, "READ region %u off %u n %u: %d bytes differ", p[0], off, n, bad);
            reads_checked++;
            bytes_compared += n;
        }
        if (dup_next) {
            /* the same bytes again: a side effect is replayed, not redone */
            sent[K_DUP]++;
            h.send(f);
            bool ok2 = h.resp(type, s);
            bool side = type == CW_LINK_CMD_WRITE || type == CW_LINK_CMD_RUN ||
                        type == CW_LINK_CMD_CANCEL || type == CW_LINK_CMD_RESET;
            std::vector<uint8_t> r2(h.fr.payload, h.fr.payload + (ok2 ? h.fr.len : 0));
            if (side || type == CW_LINK_CMD_READ)
                b.check(ok2 && r1 == r2, "duplicate of type %02x: a different response", type);
            else
                b.check(ok2 && r2.size() == r1.size() && r2[0] == r1[0],
                        "duplicate of type %02x: status %u", type, ok2 ? r2[0] : 255);
        }
        d.win.on = false;
        if (type == CW_LINK_CMD_RUN && e.status == CW_LINK_ST_OK)
            finish_run();
    }

    void one()
    {
        int k = (int)rng.range(0, 99);
        if (k < 10) { /* garbage, with sync bytes now and then */
            sent[K_GARBAGE]++;
            auto g = bytes((size_t)rng.range(1, 300));
            for (int i = 0; i < 3; i++)
                if (rng.range(0, 1))
                    g[(size_t)rng.range(0, (int64_t)g.size() - 1)] = i == 1 ? 0xC3 : 0xA5;
            h.send(g);
            partial = true;
            h.run_cycles(g.size() + 50);
        } else if (k < 70) {
            sent[K_COMMAND]++;
            uint8_t type;
            std::vector<uint8_t> p;
            random_command(type, p);
            command(type, p, false, (type & 0xC0) == 0 && rng.range(0, 9) == 0);
        } else if (k < 78) { /* a good frame cut short */
            sent[K_TRUNC]++;
            uint8_t type;
            std::vector<uint8_t> p;
            random_command(type, p);
            auto f = h.frame(type, (uint16_t)rng.next(), p);
            f.resize((size_t)rng.range(1, (int64_t)f.size() - 1));
            h.send(f);
            partial = true;
            if (rng.range(0, 1))
                h.run_cycles(IDLE + 100); /* silence: abandoned */
        } else if (k < 85) { /* the length field lies, its header check agrees */
            sent[K_BADLEN]++;
            uint8_t type;
            std::vector<uint8_t> p;
            random_command(type, p);
            auto f = h.frame(type, (uint16_t)rng.next(), p);
            uint16_t len = (uint16_t)rng.range(0, 1100);
            if (len == p.size())
                len++;
            f[6] = (uint8_t)len, f[7] = (uint8_t)(len >> 8);
            uint32_t c = cw_link_crc32c(&f[2], 6);
            f[8] = (uint8_t)c, f[9] = (uint8_t)(c >> 8);
            h.send(f);
            partial = true;
            b.check(!h.next(1500), "a frame with a lying length was answered (%02x)", h.fr.type);
        } else if (k < 93) { /* one bit flipped past the sync bytes */
            sent[K_DAMAGED]++;
            uint8_t type;
            std::vector<uint8_t> p;
            random_command(type, p);
            auto f = h.frame(type, (uint16_t)rng.next(), p);
            f[(size_t)rng.range(2, (int64_t)f.size() - 1)] ^= (uint8_t)(1u << rng.range(0, 7));
            h.send(f);
            partial = true;
            b.check(!h.next(1500), "a damaged frame was answered (%02x)", h.fr.type);
        } else if (k < 96) {
            busy_write();
        } else {
            random_program();
        }
        alive();
    }

    /* WRITE, READ and RUN while a long program runs: refused, no write. */
    void busy_write()
    {
        sent[K_BUSY]++;
        write_all(0, prog_bytes(prog_slow(62)));
        bool ok = h.cmd(CW_LINK_CMD_RUN, le32v({ 1, (uint32_t)CTX, 0, 0 }));
        b.check(ok && h.fr.payload[0] == 0, "RUN of the slow program");
        status_count[0] += ok;
        for (int i = 0; i < 3; i++) {
            unsigned r = rand_region();
            auto data = bytes((size_t)rng.range(1, 64));
            command(CW_LINK_CMD_WRITE, io_req(r, rand_off(r), data), true, false);
        }
        command(CW_LINK_CMD_READ, read_req(1, 0, 16), true, false);
        command(CW_LINK_CMD_READ, read_req(7, 0, 16), true, false);
        command(CW_LINK_CMD_RUN, le32v({ 1, 1, 0, 0 }), true, false);
        busy_stops++;
        if (rng.range(0, 1)) {
            command(CW_LINK_CMD_CANCEL, {}, true, false);
            b.check(collect_events(5000), "no DONE after CANCEL");
        } else {
            command(CW_LINK_CMD_RESET, {}, true, false); /* no events after it */
            h.events.clear();
        }
    }

    /* a WRITE of any length, in pieces of at most 1016 bytes */
    void write_all(unsigned region, const std::vector<uint8_t> &data)
    {
        for (size_t i = 0; i < data.size(); i += 1016) {
            size_t n = data.size() - i < 1016 ? data.size() - i : 1016;
            command(CW_LINK_CMD_WRITE,
                    io_req(region, (uint32_t)i,
                           std::vector<uint8_t>(data.begin() + (long)i, data.begin() + (long)(i + n))),
                    false, false);
        }
    }

    /* Random instructions (opcodes 0..11, small fields) written and run. */
    void random_program()
    {
        sent[K_PROGRAM]++;
        int n = (int)rng.range(1, 12);
        std::vector<cw_instr> prog((size_t)n);
        for (int i = 0; i < n; i++) {
            cw_instr in = {};
            in.op = (uint8_t)rng.range(0, 11);
            in.flags = (uint8_t)rng.range(0, 7);
            in.er_dst = (uint8_t)rng.range(0, 255), in.er_src = (uint8_t)rng.range(0, 255);
            in.er_src2 = (uint8_t)rng.range(0, 255);
            in.imm = (int8_t)rng.range(-8, 8);
            in.dst = (uint16_t)(2 * rng.range(0, 300)), in.src = (uint16_t)(2 * rng.range(0, 300));
            in.n = (uint16_t)rng.range(0, 40), in.aux = (uint16_t)(2 * rng.range(0, 12));
            in.a24 = (uint32_t)rng.range(0, 300), in.b24 = (uint32_t)rng.range(0, 4);
            if (i == n - 1)
                in.op = CW_OP_END;
            prog[(size_t)i] = in;
        }
        command(CW_LINK_CMD_WRITE, io_req(0, 0, prog_bytes(prog)), false, false);
        uint32_t np = (uint32_t)rng.range(1, CTX), st = (uint32_t)rng.range(1, 8);
        command(CW_LINK_CMD_RUN, le32v({ np, st, 0, 0 }), false, false);
    }

    /* every region read whole and compared with the shadow */
    void compare_all()
    {
        for (unsigned r = 0; r < 7; r++)
            for (uint32_t off = 0; off < SZ[r]; off += 1016) {
                uint16_t n = (uint16_t)(SZ[r] - off < 1016 ? SZ[r] - off : 1016);
                command(CW_LINK_CMD_READ, read_req(r, off, n), false, false);
            }
    }
};

/* The real program at the end: prompt-forced tokens, ISA cycle stamps,
 * TOKEN events (or read back) and DONE. */
static void real_run(Fuzz &z)
{
    Host &h = z.h;
    tb::Bench<Vcw_device> &b = h.b;
    const std::vector<cw_instr> prog = prog_slow(20);
    z.command(CW_LINK_CMD_WRITE, io_req(0, 0, prog_bytes(prog)), false, false);
    std::vector<uint32_t> prompt(12);
    for (int i = 0; i < 12; i++)
        prompt[i] = 500 + 3 * (uint32_t)i;
    z.command(CW_LINK_CMD_WRITE, io_req(6, 0, le32v(prompt)), false, false);
    const uint64_t pp = per_pos(prog);
    h.events.clear();
    bool ok = h.cmd(CW_LINK_CMD_RUN, le32v({ 12, 10, 0, 0 }));
    b.check(ok && h.fr.payload[0] == 0, "final RUN");
    b.check(wait_done(h, 100000), "final run: no DONE");
    int ntok = 0;
    for (auto &e : h.events)
        if (e.type == CW_LINK_EV_TOKEN) {
            uint32_t pos = cw_get32(e.payload + 4);
            ntok++;
            b.check(pos >= 1 && pos <= 10 && cw_get32(e.payload + 8) == prompt[pos] &&
                        cw_get64(e.payload + 12) == pp * pos,
                    "final run: TOKEN pos %u tok %u cycle %llu", pos, cw_get32(e.payload + 8),
                    (unsigned long long)cw_get64(e.payload + 12));
        } else if (e.type == CW_LINK_EV_DONE) {
            b.check(cw_get32(e.payload + 4) == 10 && cw_get64(e.payload + 8) == pp * 10 &&
                        e.payload[16] == CW_LINK_EXIT_STEPS,
                    "final run: DONE tokens %u exit %u", cw_get32(e.payload + 4), e.payload[16]);
        } else {
            b.check(false, "final run: event %02x", e.type);
        }
    check_output(h, prompt, 10, pp, "final run");
    printf("tb_link_fuzz: final run: 10 tokens (%d as events), %llu cycles per position\n", ntok,
           (unsigned long long)pp);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_device> b("tb_link_fuzz", 2024);
    Dev d(b);
    d.reset();
    Host h(d, 1);
    Fuzz z(h, d);
    load_shadow(h, z.sh);
    uint32_t rej0 = 0;
    if (h.cmd(CW_LINK_CMD_STATUS, {}))
        rej0 = cw_get32(h.fr.payload + 24);

    for (int i = 0; i < FRAMES; i++) {
        z.one();
        if (i % 500 == 499)
            z.compare_all();
    }
    z.compare_all();

    bool ok = h.cmd(CW_LINK_CMD_STATUS, {});
    uint32_t rejected = ok ? cw_get32(h.fr.payload + 24) - rej0 : 0;
    b.check(d.bad_writes == 0, "%llu writes outside their window", (unsigned long long)d.bad_writes);
    b.check(d.writes == z.words_expected, "monitor saw %llu word writes, the accepted WRITEs cover %llu",
            (unsigned long long)d.writes, (unsigned long long)z.words_expected);
    b.check(z.error_events == z.done_errors, "%ld ERROR events, %ld DONE with exit reason ERROR",
            z.error_events, z.done_errors);
    real_run(z);

    long total = 0;
    for (int k = 0; k < K_N; k++)
        total += z.sent[k];
    printf("tb_link_fuzz: %ld inputs:", total);
    for (int k = 0; k < K_N; k++)
        printf(" %s %ld%s", kind_name[k], z.sent[k], k + 1 < K_N ? "," : "\n");
    printf("tb_link_fuzz: responses by status: OK %ld, BAD_COMMAND %ld, BAD_LENGTH %ld, "
           "BAD_REGION %ld, OUT_OF_RANGE %ld, BUSY %ld, BAD_ARG %ld; %ld frames unanswered "
           "as they should be (response/event types)\n",
           z.status_count[0], z.status_count[1], z.status_count[2], z.status_count[3],
           z.status_count[4], z.status_count[5], z.status_count[6], z.no_answer);
    printf("tb_link_fuzz: parser rejected %u frames; INFO after every input, %ld needed the "
           "retransmission after the idle timeout, slowest answer %llu cycles\n",
           rejected, z.info_retries, (unsigned long long)z.max_info_cycles);
    printf("tb_link_fuzz: %ld runs of what the fuzzer wrote (%ld cancelled as long), %ld long runs "
           "stopped by CANCEL or RESET; %ld ERROR events, %ld DONE; error codes:",
           z.runs, z.cancels, z.busy_stops, z.error_events, z.done_events);
    for (int c = 1; c < 16; c++)
        if (z.error_codes[c])
            printf(" %d x%ld", c, z.error_codes[c]);
    printf("\n");
    printf("tb_link_fuzz: %llu word writes seen by the monitor (all inside their WRITE), "
           "%ld READs compared with the shadow (%ld bytes)\n",
           (unsigned long long)d.writes, z.reads_checked, z.bytes_compared);
    printf("tb_link_fuzz: %llu cycles\n", (unsigned long long)b.cycle);
    return b.finish();
}
