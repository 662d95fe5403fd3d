// top: cw_device
// params: -GLANES=2 -GK=2 -GWBITS=8 -GPROG_DEPTH=256 -GWGT_LINES=1024 -GSCL_DEPTH=256 -GCST_DEPTH=256 -GACT_DEPTH=512 -GKV_DEPTH=8192 -GMAX_CTX=128 -GCONFIG_HASH=64'h0123456789abcdef -GEV_DEPTH=4 -GIDLE_CYCLES=2000
/*
 * tb_link.cpp - the device side of the link protocol in RTL (cw_device =
 * cw_link_engine + cw_core), driven with frames built by the C codec
 * (driver/link_frame.c): INFO, WRITE then READ back against a shadow of
 * every region (aligned and unaligned, so partial words go through
 * read-modify-write), every refusal status, tiny programs run with their
 * TOKEN/DONE/ERROR events and the OUTPUT region read back, duplicates
 * replayed (a RUN is not started twice), damaged, garbage and truncated
 * input rejected with the device answering afterwards, CANCEL and RESET,
 * and whole sessions of the real host library (driver/link_host.c) over a
 * transport that ticks the model, on a clean link and on one that damages
 * bytes.
 */
#include "tb_link_dev.h"
#include "tb_prog.h"

#include <atomic>
#include <cstring>
#include <vector>

using atomic_int = std::atomic<int>; /* link_host.h declares a C11 atomic_int pointer */
extern "C" {
#include "../../driver/link_host.h"
#include "../../driver/link_transport.h"
}

using namespace tb;
using Dev = LinkDev;
using Host = LinkHost;

/* ------------------------------------------------------------ raw frames */

static void test_info(Host &h)
{
    bool ok = h.cmd(CW_LINK_CMD_INFO, {});
    h.b.check(ok && h.fr.len == 64, "INFO: response %d len %u", ok, h.fr.len);
    if (!ok)
        return;
    const uint8_t *p = h.fr.payload;
    h.b.check(p[0] == 0 && p[1] == 1 && p[2] == 0 && p[3] == 8 && cw_get16(p + 4) == 1024,
              "INFO header %u %u %u %u %u", p[0], p[1], p[2], p[3], cw_get16(p + 4));
    h.b.check(cw_get64(p + 8) == HASH, "INFO hash %llx", (unsigned long long)cw_get64(p + 8));
    h.b.check(cw_get32(p + 16) == 4 && cw_get32(p + 20) == (uint32_t)CTX,
              "INFO lanes %u ctx %u", cw_get32(p + 16), cw_get32(p + 20));
    for (int i = 0; i < 8; i++)
        h.b.check(cw_get32(p + 32 + 4 * i) == SZ[i], "INFO region %d: %u bytes, want %u", i,
                  cw_get32(p + 32 + 4 * i), SZ[i]);
}

static bool do_write1(Host &h, Shadow &s, int region, uint32_t off, const std::vector<uint8_t> &d);

/* WRITE in chunks of at most 1016 bytes */
static bool do_write(Host &h, Shadow &s, int region, uint32_t off, const std::vector<uint8_t> &d)
{
    bool ok = true;
    size_t i = 0;
    do {
        size_t n = d.size() - i < 1016 ? d.size() - i : 1016;
        ok &= do_write1(h, s, region, off + (uint32_t)i,
                        std::vector<uint8_t>(d.begin() + (long)i, d.begin() + (long)(i + n)));
        i += n;
    } while (i < d.size());
    return ok;
}

static bool do_write1(Host &h, Shadow &s, int region, uint32_t off, const std::vector<uint8_t> &d)
{
    bool ok = h.cmd(CW_LINK_CMD_WRITE, io_req(region, off, d));
    ok = h.b.check(ok && h.fr.len == 12 && h.fr.payload[0] == 0 &&
                       cw_get32(h.fr.payload + 4) == off &&
                       cw_get32(h.fr.payload + 8) == d.size(),
                   "WRITE region %d off %u n %zu: ok %d status %u", region, off, d.size(), ok,
                   h.fr.payload[0]);
    if (ok)
        s.write(region, off, d);
    return ok;
}

static void check_read(Host &h, const Shadow &s, int region, uint32_t off, uint16_t n)
{
    bool ok = h.cmd(CW_LINK_CMD_READ, read_req(region, off, n));
    if (!h.b.check(ok && h.fr.len == 8 + n && h.fr.payload[0] == 0 &&
                       h.fr.payload[1] == region && cw_get32(h.fr.payload + 4) == off,
                   "READ region %d off %u n %u: ok %d len %u status %u", region, off, n, ok,
                   h.fr.len, h.fr.payload[0]))
        return;
    int bad = 0;
    for (uint16_t i = 0; i < n; i++) {
        bool d = h.fr.payload[8 + i] != s.r[region][off + i];
        if (d && bad < 8 && getenv("CW_VERBOSE"))
            printf("  region %d byte %u: %02x want %02x\n", region, off + i, h.fr.payload[8 + i],
                   s.r[region][off + i]);
        bad += d;
    }
    h.b.check(bad == 0, "READ region %d off %u n %u: %d bytes differ", region, off, n, bad);
}

static void test_write_read(Host &h, Shadow &s)
{
    tb::Rng &rng = h.b.rng;
    load_shadow(h, s);
    for (uint32_t a = 0; a < SZ[0]; a++)
        h.b.check((a / 4) % 8 < 5 || s.r[0][a] == 0, "PROGRAM byte %u (word %u of 8) not 0", a,
                  (a / 4) % 8);
    for (uint32_t a = 3; a < SZ[2]; a += 4)
        h.b.check(s.r[2][a] == 0, "SCALES byte %u not 0", a);
    /* aligned, then unaligned at both ends, in every writable region */
    const int regions[] = { 0, 1, 2, 3, 6 };
    for (int r : regions) {
        std::vector<uint8_t> d(64);
        for (auto &x : d)
            x = (uint8_t)rng.next();
        do_write(h, s, r, 32, d);
        check_read(h, s, r, 32, 64);
        std::vector<uint8_t> e(7);
        for (auto &x : e)
            x = (uint8_t)rng.next();
        do_write(h, s, r, 45, e);   /* inside one span of words, both ends partial */
        do_write(h, s, r, 3, { 0xAB });
        do_write(h, s, r, 6, { 0x11, 0x22, 0x33, 0x44, 0x55 });
        check_read(h, s, r, 0, 100);
        check_read(h, s, r, 5, 3);
    }
    /* random chunks, up to the largest */
    for (int i = 0; i < 24; i++) {
        int r = regions[rng.range(0, 4)];
        uint32_t n = (uint32_t)rng.range(0, i < 4 ? 1016 : 200);
        if (n > SZ[r])
            n = SZ[r];
        uint32_t off = (uint32_t)rng.range(0, SZ[r] - n);
        std::vector<uint8_t> d(n);
        for (auto &x : d)
            x = (uint8_t)rng.next();
        do_write(h, s, r, off, d);
        uint32_t m = (uint32_t)rng.range(0, 1016);
        if (m > SZ[r])
            m = SZ[r];
        uint32_t roff = (uint32_t)rng.range(0, SZ[r] - m);
        check_read(h, s, r, roff, (uint16_t)m);
    }
    /* the ends of a region */
    do_write(h, s, 3, SZ[3] - 5, { 1, 2, 3, 4, 5 });
    check_read(h, s, 3, SZ[3] - 16, 16);
    check_read(h, s, 7, SZ[7] - 16, 16);
}

static void expect_status(Host &h, uint8_t type, const std::vector<uint8_t> &p, uint8_t st,
                          const char *what)
{
    bool ok = h.cmd(type, p);
    h.b.check(ok && h.fr.payload[0] == st, "%s: ok %d status %u, want %u", what, ok,
              ok ? h.fr.payload[0] : 255, st);
}

static void test_refusals(Host &h)
{
    expect_status(h, CW_LINK_CMD_INFO, { 1 }, CW_LINK_ST_BAD_LENGTH, "INFO with a payload");
    expect_status(h, CW_LINK_CMD_STATUS, { 1, 2 }, CW_LINK_ST_BAD_LENGTH, "STATUS with a payload");
    expect_status(h, CW_LINK_CMD_WRITE, { 1, 0, 0 }, CW_LINK_ST_BAD_LENGTH, "short WRITE");
    expect_status(h, CW_LINK_CMD_READ, io_req(1, 0, {}), CW_LINK_ST_BAD_LENGTH, "READ of 8");
    expect_status(h, CW_LINK_CMD_RUN, { 1, 0, 0, 0 }, CW_LINK_ST_BAD_LENGTH, "short RUN");
    expect_status(h, CW_LINK_CMD_CANCEL, { 0 }, CW_LINK_ST_BAD_LENGTH, "CANCEL with a payload");
    expect_status(h, CW_LINK_CMD_RESET, { 0 }, CW_LINK_ST_BAD_LENGTH, "RESET with a payload");
    expect_status(h, 0x20, {}, CW_LINK_ST_BAD_COMMAND, "unknown command");
    expect_status(h, CW_LINK_CMD_WRITE, io_req(4, 0, { 1, 2, 3, 4 }), CW_LINK_ST_BAD_REGION,
                  "WRITE to ACT (absent)");
    expect_status(h, CW_LINK_CMD_WRITE, io_req(9, 0, { 1 }), CW_LINK_ST_BAD_REGION,
                  "WRITE to region 9");
    expect_status(h, CW_LINK_CMD_READ, read_req(5, 0, 4), CW_LINK_ST_BAD_REGION, "READ of KV");
    expect_status(h, CW_LINK_CMD_WRITE, io_req(3, SZ[3] - 3, { 1, 2, 3, 4 }),
                  CW_LINK_ST_OUT_OF_RANGE, "WRITE past CONST");
    expect_status(h, CW_LINK_CMD_WRITE, io_req(3, 0xFFFFFFFFu, { 1 }), CW_LINK_ST_OUT_OF_RANGE,
                  "WRITE at offset 2^32-1");
    expect_status(h, CW_LINK_CMD_READ, read_req(6, SZ[6], 1), CW_LINK_ST_OUT_OF_RANGE,
                  "READ past PROMPT");
    expect_status(h, CW_LINK_CMD_READ, read_req(1, 0, 1017), CW_LINK_ST_BAD_ARG, "READ of 1017");
    expect_status(h, CW_LINK_CMD_RUN, le32v({ 0, 4, 0, 0 }), CW_LINK_ST_BAD_ARG, "RUN no prompt");
    expect_status(h, CW_LINK_CMD_RUN, le32v({ 1, CTX + 1, 0, 0 }), CW_LINK_ST_BAD_ARG,
                  "RUN past the context");
    /* responses and events sent to a device are dropped without an answer */
    h.send(h.frame(0x81, 5, {}));
    h.send(h.frame(0x41, 5, std::vector<uint8_t>(20, 0)));
    h.b.check(!h.next(3000), "a response or event frame was answered");
}

struct Status {
    uint8_t state, exit, err;
    uint32_t run_id, tokens, steps, rejected, dups, events, dropped;
    uint64_t cycle;
};

static Status get_status(Host &h)
{
    Status s = {};
    if (!h.b.check(h.cmd(CW_LINK_CMD_STATUS, {}) && h.fr.len == 40, "STATUS"))
        return s;
    const uint8_t *p = h.fr.payload;
    s.state = p[1], s.exit = p[2], s.err = p[3];
    s.run_id = cw_get32(p + 4), s.tokens = cw_get32(p + 8), s.steps = cw_get32(p + 12);
    s.cycle = cw_get64(p + 16);
    s.rejected = cw_get32(p + 24), s.dups = cw_get32(p + 28), s.events = cw_get32(p + 32);
    s.dropped = cw_get32(p + 36);
    return s;
}

/* Runs a program to the end; checks events against the expected tokens
 * (prompt-forced) and the OUTPUT region. Returns the TOKEN events seen. */
static int run_program(Host &h, Shadow &sh, const std::vector<cw_instr> &prog, int n_prompt,
                       int steps, const char *what)
{
    tb::Bench<Vcw_device> &b = h.b;
    auto pb = prog_bytes(prog);
    do_write(h, sh, 0, 0, pb);
    std::vector<uint32_t> prompt(n_prompt);
    for (int i = 0; i < n_prompt; i++)
        prompt[i] = 300 + 7 * i;
    do_write(h, sh, 6, 0, le32v(prompt));
    Status before = get_status(h);
    h.events.clear();
    bool ok = h.cmd(CW_LINK_CMD_RUN, le32v({ (uint32_t)n_prompt, (uint32_t)steps, 0, 0 }));
    uint32_t run_id = ok ? cw_get32(h.fr.payload + 4) : 0;
    b.check(ok && h.fr.payload[0] == 0 && run_id == before.run_id + 1, "%s: RUN status %u id %u",
            what, ok ? h.fr.payload[0] : 255, run_id);
    b.check(wait_done(h, 200000), "%s: no DONE", what);
    uint64_t pp = per_pos(prog);
    int ntok = 0;
    uint32_t last_pos = 0;
    for (auto &e : h.events) {
        if (e.type != CW_LINK_EV_TOKEN)
            continue;
        ntok++;
        uint32_t rid = cw_get32(e.payload), pos = cw_get32(e.payload + 4);
        uint32_t tok = cw_get32(e.payload + 8);
        uint64_t cyc = cw_get64(e.payload + 12);
        b.check(e.len == 20 && rid == run_id && pos > last_pos && pos >= 1 &&
                    pos <= (uint32_t)steps && tok == prompt[pos] && cyc == pp * pos,
                "%s: TOKEN run %u pos %u tok %u cycle %llu", what, rid, pos, tok,
                (unsigned long long)cyc);
        last_pos = pos;
    }
    const cw_link_frame &d = h.events.back();
    b.check(d.type == CW_LINK_EV_DONE && d.len == 20 && cw_get32(d.payload) == run_id &&
                cw_get32(d.payload + 4) == (uint32_t)steps &&
                cw_get64(d.payload + 8) == pp * steps && d.payload[16] == CW_LINK_EXIT_STEPS,
            "%s: DONE run %u tokens %u cycles %llu exit %u", what, cw_get32(d.payload),
            cw_get32(d.payload + 4), (unsigned long long)cw_get64(d.payload + 8), d.payload[16]);
    Status s = get_status(h);
    b.check(s.state == CW_LINK_CORE_DONE && s.exit == CW_LINK_EXIT_STEPS &&
                s.tokens == (uint32_t)steps && s.steps == (uint32_t)steps && s.run_id == run_id &&
                s.cycle == pp * steps,
            "%s: STATUS state %u exit %u tokens %u steps %u cycle %llu", what, s.state, s.exit,
            s.tokens, s.steps, (unsigned long long)s.cycle);
    b.check(ntok + (int)(s.dropped - before.dropped) == steps,
            "%s: %d TOKEN events + %u dropped != %d", what, ntok, s.dropped - before.dropped,
            steps);
    /* the OUTPUT region holds every record */
    check_output(h, prompt, steps, pp, what);
    return ntok;
}

static void test_runs(Host &h, Shadow &sh)
{
    /* slow: every TOKEN goes out; fast: the 4-deep FIFO overflows */
    int n = run_program(h, sh, prog_slow(60), 12, 10, "slow run");
    h.b.check(n == 10, "slow run: %d TOKEN events, want 10", n);
    n = run_program(h, sh, prog_fast(), 40, 30, "fast run");
    h.b.check(n < 30, "fast run: %d TOKEN events (expected drops)", n);
    printf("tb_link: fast run: %d of 30 tokens as events, the rest read back\n", n);
    /* READ of a core region while running is refused; OUTPUT is served */
    do_write(h, sh, 0, 0, prog_bytes(prog_slow(200)));
    bool ok = h.cmd(CW_LINK_CMD_RUN, le32v({ 40, 30, 0, 0 }));
    h.b.check(ok && h.fr.payload[0] == 0, "long run started");
    expect_status(h, CW_LINK_CMD_READ, read_req(0, 0, 4), CW_LINK_ST_BUSY, "READ PROGRAM while running");
    expect_status(h, CW_LINK_CMD_WRITE, io_req(3, 0, { 1, 2, 3, 4 }), CW_LINK_ST_BUSY,
                  "WRITE while running");
    expect_status(h, CW_LINK_CMD_RUN, le32v({ 1, 1, 0, 0 }), CW_LINK_ST_BUSY, "RUN while running");
    expect_status(h, CW_LINK_CMD_READ, read_req(7, 0, 16), CW_LINK_ST_OK, "READ OUTPUT while running");
    /* CANCEL: the response says DONE, a DONE event says CANCELLED */
    h.run_cycles(2000);
    h.events.clear();
    ok = h.cmd(CW_LINK_CMD_CANCEL, {});
    h.b.check(ok && h.fr.len == 12 && h.fr.payload[0] == 0 && h.fr.payload[1] == CW_LINK_CORE_DONE,
              "CANCEL: state %u", ok ? h.fr.payload[1] : 255);
    uint32_t ntok = ok ? cw_get32(h.fr.payload + 8) : 0;
    h.b.check(ntok > 0 && ntok < 30, "CANCEL after %u tokens", ntok);
    bool done = false;
    while (!done && h.next(20000, true))
        done = h.fr.type == CW_LINK_EV_DONE;
    h.b.check(done && h.fr.payload[16] == CW_LINK_EXIT_CANCELLED &&
                  cw_get32(h.fr.payload + 4) == ntok,
              "cancelled run: DONE exit %u tokens %u", h.fr.payload[16], cw_get32(h.fr.payload + 4));
    Status s = get_status(h);
    h.b.check(s.state == CW_LINK_CORE_DONE && s.exit == CW_LINK_EXIT_CANCELLED, "STATUS after CANCEL");
    expect_status(h, CW_LINK_CMD_CANCEL, {}, CW_LINK_ST_OK, "CANCEL when not running");

    /* RESET during a run: IDLE, no more events, memory kept */
    ok = h.cmd(CW_LINK_CMD_RUN, le32v({ 40, 30, 0, 0 }));
    h.run_cycles(1500);
    ok = h.cmd(CW_LINK_CMD_RESET, {});
    h.b.check(ok && h.fr.len == 8 && h.fr.payload[0] == 0 && h.fr.payload[1] == CW_LINK_CORE_IDLE,
              "RESET: state %u", ok ? h.fr.payload[1] : 255);
    h.events.clear();
    h.run_cycles(20000);
    h.b.check(!h.next(10, true), "an event after RESET (type %02x)", h.fr.type);
    s = get_status(h);
    h.b.check(s.state == CW_LINK_CORE_IDLE && s.tokens == 0 && s.exit == 0, "STATUS after RESET: state %u tokens %u", s.state, s.tokens);
    check_read(h, sh, 0, 0, 64);

    /* a core error: ERROR then DONE with exit reason ERROR */
    do_write(h, sh, 0, 0, prog_bytes({ ins(42) }));
    h.events.clear();
    ok = h.cmd(CW_LINK_CMD_RUN, le32v({ 4, 4, 0, 0 }));
    int seen_err = 0;
    done = false;
    for (auto &e : h.events)
        seen_err |= e.type == CW_LINK_EV_ERROR;
    while (!done && h.next(20000, true)) {
        if (h.fr.type == CW_LINK_EV_ERROR)
            seen_err = h.b.check(h.fr.len == 16 && cw_get32(h.fr.payload + 8) == 1,
                                 "ERROR event code %u", cw_get32(h.fr.payload + 8));
        done = h.fr.type == CW_LINK_EV_DONE;
    }
    h.b.check(seen_err && done && h.fr.payload[16] == CW_LINK_EXIT_ERROR && h.fr.payload[17] == 1,
              "error run: ERROR %d, DONE exit %u err %u", seen_err, h.fr.payload[16], h.fr.payload[17]);
    s = get_status(h);
    h.b.check(s.state == CW_LINK_CORE_ERROR && s.err == 1, "STATUS after the error: %u %u", s.state, s.err);
}

static void test_duplicates(Host &h, Shadow &sh)
{
    tb::Bench<Vcw_device> &b = h.b;
    do_write(h, sh, 0, 0, prog_bytes(prog_slow(60)));
    Status s0 = get_status(h);
    /* a RUN sent twice starts one run; the same response comes back */
    uint16_t sq = ++h.seq;
    auto f = h.frame(CW_LINK_CMD_RUN, sq, le32v({ 8, 3, 0, 0 }));
    h.send(f);
    bool ok = h.resp(CW_LINK_CMD_RUN, sq);
    std::vector<uint8_t> r1(h.fr.payload, h.fr.payload + h.fr.len);
    h.send(f);
    ok = ok && h.resp(CW_LINK_CMD_RUN, sq);
    std::vector<uint8_t> r2(h.fr.payload, h.fr.payload + h.fr.len);
    b.check(ok && r1 == r2 && r1.size() == 8 && cw_get32(&r1[4]) == s0.run_id + 1,
            "duplicate RUN: responses differ or wrong run id");
    for (int i = 0; i < 3 && h.next(100000, true);)
        i += h.fr.type == CW_LINK_EV_DONE ? 3 : 0;
    /* later, during the same run or not: still the same response */
    h.send(f);
    ok = h.resp(CW_LINK_CMD_RUN, sq);
    b.check(ok && cw_get32(h.fr.payload + 4) == s0.run_id + 1 && h.fr.payload[0] == 0,
            "third RUN copy: status %u id %u", h.fr.payload[0], cw_get32(h.fr.payload + 4));
    Status s1 = get_status(h);
    b.check(s1.run_id == s0.run_id + 1 && s1.dups == s0.dups + 2, "after duplicates: run %u dups %u (was %u %u)",
            s1.run_id, s1.dups, s0.run_id, s0.dups);
    /* a duplicate WRITE is not executed again (change the memory in between
     * with another WRITE: the replay must not restore the first data) */
    sq = ++h.seq;
    auto w = h.frame(CW_LINK_CMD_WRITE, sq, io_req(3, 100, { 9, 9, 9, 9 }));
    h.send(w);
    ok = h.resp(CW_LINK_CMD_WRITE, sq);
    sh.write(3, 100, { 9, 9, 9, 9 });
    h.send(w);
    ok = ok && h.resp(CW_LINK_CMD_WRITE, sq);
    b.check(ok && h.fr.payload[0] == 0 && cw_get32(h.fr.payload + 8) == 4, "duplicate WRITE replay");
    /* a READ duplicate is executed again (fresh data) */
    sq = ++h.seq;
    auto rd = h.frame(CW_LINK_CMD_READ, sq, read_req(3, 100, 4));
    h.send(rd);
    ok = h.resp(CW_LINK_CMD_READ, sq);
    b.check(ok && h.fr.payload[8] == 9, "READ before");
    do_write(h, sh, 3, 100, { 7, 7, 7, 7 });
    h.send(rd);
    ok = h.resp(CW_LINK_CMD_READ, sq);
    b.check(ok && h.fr.payload[8] == 7, "READ duplicate not executed again: %u", h.fr.payload[8]);
    /* the same seq with other contents is a new command */
    sq = h.seq;
    h.send(h.frame(CW_LINK_CMD_READ, sq, read_req(3, 96, 4)));
    ok = h.resp(CW_LINK_CMD_READ, sq);
    b.check(ok && cw_get32(h.fr.payload + 4) == 96, "same seq, other CRC: executed");
}

static void test_damage(Host &h, Shadow &sh)
{
    tb::Bench<Vcw_device> &b = h.b;
    Status s0 = get_status(h);
    /* a flipped payload byte: no answer, counted as a bad CRC */
    auto f = h.frame(CW_LINK_CMD_WRITE, ++h.seq, io_req(3, 0, { 1, 2, 3, 4, 5, 6, 7, 8 }));
    f[13] ^= 0x40;
    h.send(f);
    b.check(!h.next(4000), "a damaged WRITE was answered");
    /* a damaged length: header check fails */
    f = h.frame(CW_LINK_CMD_INFO, ++h.seq, {});
    f[6] ^= 0x01;
    h.send(f);
    b.check(!h.next(4000), "a damaged header was answered");
    /* an oversize length with a good header check */
    {
        uint8_t hdr[10] = { 0xA5, 0xC3, 0x02, 0, 1, 0, 0x01, 0x08 }; /* len 0x801 */
        uint32_t c = cw_link_crc32c(hdr + 2, 6);
        hdr[8] = (uint8_t)c, hdr[9] = (uint8_t)(c >> 8);
        h.send(std::vector<uint8_t>(hdr, hdr + 10));
        b.check(!h.next(4000), "an oversize frame was answered");
    }
    /* garbage, sync-like garbage, then a good INFO */
    std::vector<uint8_t> g(300);
    for (auto &x : g)
        x = (uint8_t)b.rng.next();
    g[10] = 0xA5, g[11] = 0xA5, g[12] = 0xC3, g[100] = 0xA5;
    h.send(g);
    b.check(h.cmd(CW_LINK_CMD_INFO, {}) && h.fr.len == 64, "INFO after garbage");
    /* a truncated frame, the line goes quiet past the timeout, then INFO */
    f = h.frame(CW_LINK_CMD_WRITE, ++h.seq, io_req(3, 0, std::vector<uint8_t>(40, 1)));
    f.resize(25);
    h.send(f);
    h.run_cycles(IDLE + 200);
    b.check(h.cmd(CW_LINK_CMD_INFO, {}) && h.fr.len == 64, "INFO after a truncated frame");
    /* truncated and followed at once: that INFO is swallowed (DROP mode),
     * the retransmission is answered */
    f.resize(20);
    h.send(f);
    uint16_t sq = ++h.seq;
    auto info = h.frame(CW_LINK_CMD_INFO, sq, {});
    h.send(info);
    b.check(!h.resp(CW_LINK_CMD_INFO, sq, 3000), "INFO right behind a truncated frame answered");
    h.run_cycles(IDLE + 200);
    h.send(info);
    b.check(h.resp(CW_LINK_CMD_INFO, sq), "INFO retransmitted after a truncated frame");
    Status s1 = get_status(h);
    b.check(s1.rejected >= s0.rejected + 4, "rejected frames %u -> %u", s0.rejected, s1.rejected);
    /* memory untouched by the damaged WRITE */
    check_read(h, sh, 3, 0, 16);
    /* back-pressure on the transmit side: a long READ with a stalling PHY */
    h.d.stall_pct = 60;
    check_read(h, sh, 1, 0, 1016);
    h.d.stall_pct = 0;
}

/* ------------------------------------------------------------ host library */

/* A transport whose reads tick the model until bytes come out (or a cycle
 * budget passes: a timeout), optionally damaging bytes in both directions. */
struct SimTransport {
    cw_link_transport t;
    Dev *d;
    uint64_t budget = 30000;
    int flip_ppm = 0; /* per-byte corruption, parts per million */
    tb::Rng rng{ 7 };
    uint64_t flipped = 0;
    uint8_t maybe_flip(uint8_t x)
    {
        if (flip_ppm && (int)(rng.next() % 1000000) < flip_ppm) {
            flipped++;
            return (uint8_t)(x ^ (1u << (rng.next() % 8)));
        }
        return x;
    }
};

static int st_write(cw_link_transport *t, const void *buf, size_t n)
{
    SimTransport *s = (SimTransport *)t->impl;
    const uint8_t *p = (const uint8_t *)buf;
    for (size_t i = 0; i < n; i++)
        s->d->to_dev.push_back(s->maybe_flip(p[i]));
    return CW_OK;
}

static int st_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    SimTransport *s = (SimTransport *)t->impl;
    Dev *d = s->d;
    (void)timeout_ms;
    for (uint64_t c = 0; c < s->budget && !d->available(); c++)
        d->tick();
    size_t k = 0;
    uint8_t *o = (uint8_t *)buf;
    while (k < n && d->available())
        o[k++] = s->maybe_flip(d->from_dev[d->taken++]);
    return (int)k;
}

static void st_close(cw_link_transport *) {}

static const cw_link_transport_ops st_ops = { st_write, st_read, st_close };

struct Collected {
    std::vector<cw_link_token> toks;
};

static int on_tok(void *user, const cw_link_token *t)
{
    ((Collected *)user)->toks.push_back(*t);
    return 0;
}

static void session(Dev &d, int flip_ppm, const char *what)
{
    tb::Bench<Vcw_device> &b = d.b;
    SimTransport st;
    st.t.ops = &st_ops;
    st.t.impl = &st;
    st.d = &d;
    st.flip_ppm = flip_ppm;
    cw_link_host_params p;
    cw_link_host_params_default(&p);
    p.timeout_ms = 50;
    p.poll_ms = 20;
    p.max_retries = 30;
    cw_link_host *h = nullptr;
    int rc = cw_link_host_open(&st.t, &p, &h);
    if (!b.check(rc == CW_OK, "%s: open: %d %s", what, rc, cw_last_error()))
        return;
    const cw_link_info *info = cw_link_host_cached_info(h);
    b.check(info->config_hash == HASH && info->ctx_len == (uint32_t)CTX &&
                info->region_size[1] == SZ[1],
            "%s: INFO through the host", what);
    /* weights-sized transfer, unaligned, chunked, read back */
    std::vector<uint8_t> w(3001);
    for (auto &x : w)
        x = (uint8_t)b.rng.next();
    rc = cw_link_host_write(h, 1, 7, w.data(), w.size(), nullptr, nullptr);
    std::vector<uint8_t> r(w.size());
    int rc2 = cw_link_host_read(h, 1, 7, r.data(), r.size());
    b.check(rc == CW_OK && rc2 == CW_OK && r == w, "%s: WRITE/READ 3001 bytes: %d %d %s", what,
            rc, rc2, cw_last_error());
    /* a program, then generate: a slow one (events) and a fast one (read-back) */
    for (int fast = 0; fast < 2; fast++) {
        auto prog = fast ? prog_fast() : prog_slow(50);
        auto pb = prog_bytes(prog);
        rc = cw_link_host_write(h, 0, 0, pb.data(), pb.size(), nullptr, nullptr);
        b.check(rc == CW_OK, "%s: program write: %s", what, cw_last_error());
        std::vector<uint32_t> prompt(60);
        for (size_t i = 0; i < prompt.size(); i++)
            prompt[i] = 1000 + (uint32_t)i * 3;
        Collected c;
        cw_link_run_result res = {};
        int steps = 50;
        rc = cw_link_host_generate(h, prompt.data(), (uint32_t)prompt.size(), (uint32_t)steps,
                                   on_tok, &c, &res);
        uint64_t pp = per_pos(prog);
        bool good = rc == CW_OK && (int)c.toks.size() == steps;
        for (size_t i = 0; good && i < c.toks.size(); i++)
            good = c.toks[i].pos == i + 1 && c.toks[i].token == prompt[i + 1] &&
                   c.toks[i].cycle == pp * (i + 1);
        b.check(good, "%s: generate (%s): rc %d (%s), %zu tokens", what, fast ? "fast" : "slow",
                rc, rc ? cw_last_error() : "", c.toks.size());
        b.check(res.exit_reason == CW_LINK_EXIT_STEPS && res.cycles == pp * steps,
                "%s: result exit %u cycles %llu", what, res.exit_reason,
                (unsigned long long)res.cycles);
    }
    cw_link_host_stats hs;
    cw_link_host_get_stats(h, &hs);
    cw_link_status ds = {};
    rc = cw_link_host_status(h, &ds);
    printf("tb_link: %s: %llu commands, %llu retransmits, tokens %llu from events / %llu from "
           "reads; device: %u rejected, %u duplicates, %u events, %u dropped; %llu bytes damaged\n",
           what, (unsigned long long)hs.commands, (unsigned long long)hs.retransmits,
           (unsigned long long)hs.tokens_from_events, (unsigned long long)hs.tokens_from_reads,
           ds.rx_bad_frames, ds.dup_commands, ds.events_sent, ds.events_dropped,
           (unsigned long long)st.flipped);
    b.check(rc == CW_OK && hs.tokens_from_reads > 0 && hs.tokens_from_events > 0,
            "%s: both token paths used", what);
    if (flip_ppm)
        b.check(hs.retransmits > 0 && st.flipped > 0, "%s: the faults did something", what);
    cw_link_host_close(h);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tb::Bench<Vcw_device> b("tb_link", 11);
    Dev d(b);
    d.reset();
    Host h(d, 100);
    Shadow sh;

    test_info(h);
    test_write_read(h, sh);
    test_refusals(h);
    test_runs(h, sh);
    test_duplicates(h, sh);
    test_damage(h, sh);
    session(d, 0, "session");
    session(d, 2000, "session with damage");
    printf("tb_link: %llu cycles\n", (unsigned long long)b.cycle);
    return b.finish();
}
