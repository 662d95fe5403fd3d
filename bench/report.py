#!/usr/bin/env python3
"""report.py - docs/performance.md and its SVG plots from a clockwork_bench JSON file.

usage: report.py RESULTS.json --md OUT.md --img DIR [--img-rel REL] [--copy-json PATH]

Every figure in the page comes from the JSON; the prose is here. Python 3
standard library only. Files are written to a temporary name and renamed.
"""
import argparse
import json
import math
import os
import shutil
import sys


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def fmt(v, digits=3):
    """A number with `digits` significant digits and thousands separators."""
    if v is None:
        return "—"
    if isinstance(v, int) or (abs(v) >= 10 ** digits and float(v).is_integer()):
        return f"{int(round(v)):,}"
    if v == 0:
        return "0"
    mag = int(math.floor(math.log10(abs(v))))
    dec = max(0, digits - 1 - mag)
    return f"{v:,.{dec}f}"


def fmt_us(v):
    return "—" if v is None else fmt(v, 3)


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


# --------------------------------------------------------------- SVG helpers

def nice_ticks(lo, hi, n=6):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    t = math.floor(lo / step) * step
    out = []
    while t <= hi + step * 1e-9:
        out.append(t)
        t += step
    return out


class Plot:
    """A minimal SVG x/y plot with a frame, ticks, labels and a legend."""

    def __init__(self, title, xlabel, ylabel, xr, yr, logx=False, logy=False,
                 w=760, h=420):
        self.w, self.h = w, h
        self.l, self.r, self.t, self.b = 78, 20, 40, 52
        self.xr, self.yr, self.logx, self.logy = xr, yr, logx, logy
        self.items = []
        self.legend = []
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.legend_at = (None, None)  # (x, y) of the legend's first line; None: top right

    def _tx(self, v):
        lo, hi = self.xr
        if self.logx:
            v, lo, hi = math.log10(v), math.log10(lo), math.log10(hi)
        return self.l + (v - lo) / (hi - lo) * (self.w - self.l - self.r)

    def _ty(self, v):
        lo, hi = self.yr
        if self.logy:
            v, lo, hi = math.log10(v), math.log10(lo), math.log10(hi)
        return self.h - self.b - (v - lo) / (hi - lo) * (self.h - self.t - self.b)

    def line(self, xs, ys, color, width=1.5, dash=None, label=None):
        pts = " ".join(f"{self._tx(x):.1f},{self._ty(y):.1f}" for x, y in zip(xs, ys))
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.items.append(f'<polyline fill="none" stroke="{color}" stroke-width="{width}"{d} '
                          f'points="{pts}"/>')
        if label:
            self.legend.append((label, color, "line", dash))

    def points(self, xs, ys, color, r=2.2, label=None, titles=None, square=False):
        for i, (x, y) in enumerate(zip(xs, ys)):
            tip = f"<title>{titles[i]}</title>" if titles else ""
            X, Y = self._tx(x), self._ty(y)
            if square:
                self.items.append(f'<rect x="{X - r:.1f}" y="{Y - r:.1f}" width="{2 * r}" '
                                  f'height="{2 * r}" fill="{color}">{tip}</rect>')
            else:
                self.items.append(f'<circle cx="{X:.1f}" cy="{Y:.1f}" r="{r}" fill="none" '
                                  f'stroke="{color}" stroke-width="1">{tip}</circle>')
        if label:
            self.legend.append((label, color, "square" if square else "point", None))

    def bars(self, edges, counts, color, label=None):
        for i, c in enumerate(counts):
            if c <= 0:
                continue
            x0, x1 = self._tx(edges[i]), self._tx(edges[i + 1])
            y0, y1 = self._ty(0), self._ty(c)
            self.items.append(f'<rect x="{x0:.1f}" y="{y1:.1f}" width="{max(x1 - x0 - 0.5, 0.5):.1f}" '
                              f'height="{y0 - y1:.1f}" fill="{color}"><title>{edges[i]:.0f}–'
                              f'{edges[i + 1]:.0f} µs: {c}</title></rect>')
        if label:
            self.legend.append((label, color, "bar", None))

    def vline(self, x, color, text):
        X = self._tx(x)
        self.items.append(f'<line x1="{X:.1f}" y1="{self.t}" x2="{X:.1f}" y2="{self.h - self.b}" '
                          f'stroke="{color}" stroke-dasharray="4,3"/>'
                          f'<text x="{X + 4:.1f}" y="{self.t + 14}" fill="{color}">{text}</text>')

    def _ticks(self, lo, hi, log):
        if not log:
            return [t for t in nice_ticks(lo, hi) if lo - 1e-9 <= t <= hi + 1e-9]
        out = []
        e = math.floor(math.log10(lo))
        while 10 ** e <= hi * 1.0001:
            for m in (1, 2, 5):
                v = m * 10 ** e
                if lo <= v <= hi:
                    out.append(v)
            e += 1
        return out

    def svg(self):
        W, H, L, R, T, B = self.w, self.h, self.l, self.r, self.t, self.b
        o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{L}" y="22" font-size="14">{esc(self.title)}</text>']
        for t in self._ticks(*self.xr, self.logx):
            X = self._tx(t)
            o.append(f'<line x1="{X:.1f}" y1="{T}" x2="{X:.1f}" y2="{H - B}" stroke="#e4e4e4"/>'
                     f'<text x="{X:.1f}" y="{H - B + 16}" text-anchor="middle">{tick(t)}</text>')
        for t in self._ticks(*self.yr, self.logy):
            Y = self._ty(t)
            o.append(f'<line x1="{L}" y1="{Y:.1f}" x2="{W - R}" y2="{Y:.1f}" stroke="#e4e4e4"/>'
                     f'<text x="{L - 6}" y="{Y + 4:.1f}" text-anchor="end">{tick(t)}</text>')
        o.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" '
                 f'stroke="#888"/>')
        o.extend(self.items)
        o.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 12}" text-anchor="middle">'
                 f'{esc(self.xlabel)}</text>')
        o.append(f'<text transform="translate(16,{(T + H - B) / 2:.0f}) rotate(-90)" '
                 f'text-anchor="middle">{esc(self.ylabel)}</text>')
        lx, ly = self.legend_at
        y = ly if ly is not None else T + 16
        for label, color, kind, dash in self.legend:
            x = lx if lx is not None else W - R - 290
            if kind == "line":
                d = f' stroke-dasharray="{dash}"' if dash else ""
                o.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{color}" '
                         f'stroke-width="2"{d}/>')
            elif kind == "point":
                o.append(f'<circle cx="{x + 11}" cy="{y - 4}" r="3" fill="none" stroke="{color}"/>')
            elif kind == "square":
                o.append(f'<rect x="{x + 9}" y="{y - 6}" width="4" height="4" fill="{color}"/>')
            else:
                o.append(f'<rect x="{x + 4}" y="{y - 10}" width="14" height="10" fill="{color}"/>')
            o.append(f'<text x="{x + 28}" y="{y}">{esc(label)}</text>')
            y += 17
        o.append("</svg>\n")
        return "\n".join(o)


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tick(v):
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


# --------------------------------------------------------------- the plots

COLORS = {"sim": "#3b6ea8", "ulx3s-85f": "#c0504d", "icebreaker": "#5a9a4a"}


def plot_cycles(res, path):
    devs = [d for d in res["devices"] if d.get("kind") == "accelerator" and d.get("runs")]
    if not devs:
        return False
    prompt = res["workload"]["prompt_tokens"]
    ymax = max(max(d["predicted_cycles"]) for d in devs)
    n = max(len(d["predicted_cycles"]) for d in devs)
    p = Plot("Device cycles per token by position: predicted (line), measured (markers)",
             "position", "cycles", (0, n), (0, ymax * 1.12))
    p.legend_at = (p.l + 0.45 * (p.w - p.l - p.r), p.t + 0.45 * (p.h - p.t - p.b))
    # targets with the same table share one line
    groups = []
    for d in devs:
        t = d["target"]["name"]
        g = next((g for g in groups if g["pred"] == d["predicted_cycles"]), None)
        if g is None:
            groups.append({"pred": d["predicted_cycles"], "ideal": d["ideal_cycles"],
                           "targets": [t]})
        elif t not in g["targets"]:
            g["targets"].append(t)
    palette = ["#3b6ea8", "#c0504d", "#5a9a4a", "#8064a2"]
    for k, g in enumerate(groups):
        names = " and ".join(g["targets"])
        xs = list(range(len(g["pred"])))
        p.line(xs, g["pred"], palette[k % 4], label=f"predicted, {names}")
        p.line(xs, g["ideal"], palette[k % 4], width=1, dash="5,4",
               label=f"MAC-bound ideal, {names}")
    marks = ["#c0504d", "#3b6ea8", "#5a9a4a", "#8064a2"]
    for k, d in enumerate(x for x in devs if x["uri"].startswith("sim")):
        meas = d["runs"][0]["measured_cycles"]
        xs = list(range(len(meas)))
        step = max(1, len(xs) // 100)
        sel = xs[k % step::step] if step > 1 else xs
        p.points(sel, [meas[i] for i in sel], marks[k % 4], r=2.6 if k == 0 else 1.6,
                 square=k > 0, label=f"measured, {d['uri']} ({len(d['runs'])} runs, all equal)",
                 titles=[f"{d['uri']} position {i}: {meas[i]} cycles" for i in sel])
    if prompt > 1:
        p.vline(prompt - 1, "#999", "prompt ends")
    write_atomic(path, p.svg())
    return True


def plot_cpu_latency(res, path):
    cpu = next((d for d in res["devices"] if d["uri"] == "cpu" and d.get("runs")), None)
    if not cpu:
        return False
    xs = sorted(v for r in cpu["runs"] for v in r["wall_us"] if v > 0)
    if not xs:
        return False
    # logarithmic bins: a token preempted by other work lands far to the right
    lo, hi = xs[0] / 1.05, xs[-1] * 1.05
    nb = 48
    edges = [lo * (hi / lo) ** (i / nb) for i in range(nb + 1)]
    counts = [0] * nb
    for v in xs:
        k = int(math.log(v / lo) / math.log(hi / lo) * nb)
        counts[min(nb - 1, max(0, k))] += 1
    s = cpu["wall_us_per_token"]
    p = Plot(f"cpu (float32): host wall time per token, {len(cpu['runs'])} runs x "
             f"{cpu['tokens']} tokens (logarithmic bins)", "µs per token", "tokens",
             (lo, hi), (0, max(counts) * 1.15), logx=True)
    p.bars(edges, counts, "#3b6ea8")
    p.vline(s["median"], "#c0504d", f"median {s['median']:.0f}")
    p.vline(s["p99"], "#5a9a4a", f"p99 {s['p99']:.0f}")
    write_atomic(path, p.svg())
    return True


def plot_scaling(res, path):
    pts = {}
    for sh in res.get("scaling", []):
        for t in sh.get("targets", []):
            if t.get("fits"):
                pts.setdefault(t["target"], []).append(
                    (t["macs_per_token_mean"], t["cycles_per_token_mean"],
                     t["mac_bound_ideal_mean"], sh))
    if not pts:
        return False
    allx = [x for v in pts.values() for x, _, _, _ in v]
    ally = [y for v in pts.values() for _, y, i, _ in v] + \
           [i for v in pts.values() for _, _, i, _ in v]
    p = Plot("Scaling: cycles per token against MACs per token (synthetic checkpoints)",
             "MACs per token (mean over the context)", "cycles per token",
             (min(allx) / 1.5, max(allx) * 1.5), (min(ally) / 1.5, max(ally) * 1.5),
             logx=True, logy=True)
    p.legend_at = (p.w - p.r - 230, p.h - p.b - 75)
    for t, v in sorted(pts.items()):
        v.sort()
        c = COLORS.get(t, "#555")
        p.line([x for x, _, _, _ in v], [y for _, y, _, _ in v], c, label=f"{t}: compiled")
        p.line([x for x, _, _, _ in v], [i for _, _, i, _ in v], c, width=1, dash="5,4",
               label=f"{t}: MAC-bound ideal")
        p.points([x for x, _, _, _ in v], [y for _, y, _, _ in v], c,
                 titles=[f"dim {s['dim']}, {s['layers']} layers, context {s['seq_len']}: "
                         f"{y:.0f} cycles" for _, y, _, s in v])
    write_atomic(path, p.svg())
    return True


# --------------------------------------------------------------- the page

def device_name(uri):
    return {"cpu": "float32 forward pass (llama2.c's arithmetic)",
            "int": "integer forward pass (hls/ kernels)"}.get(
        uri, "functional model" if uri.startswith("ref") else
        "Verilated RTL" if uri.startswith("sim") else "")


def page(res, img_rel, plots, json_rel):
    m, c, tl, wl = res["machine"], res["commit"], res["tools"], res["workload"]
    devs = res["devices"]
    out = []
    w = out.append
    w("# Performance\n")
    w("<!-- Generated by `make bench` (bench/report.py from the JSON of bench/clockwork_bench);"
      " edit those, not this file. -->\n")
    w("What clockwork costs in time, on the host and on the device, as `make bench` measures it. "
      "Every figure below comes from one run of the command named here, on the machine named "
      "here; the raw measurements are in "
      f"[`{json_rel}`]({json_rel}) (every token's wall time and device cycles, every run).\n")
    w("## Where these figures come from\n")
    w("| | |\n| --- | --- |")
    w(f"| command | `{res['command']}` ({res['mode']} sizes), {res['when']} |")
    w(f"| machine | {m['cpu']}, {m['cores']} cores, {m['memory']} memory, {m['os']} |")
    w(f"| load average | {m['load_average_start']} at the start, {m['load_average_end']} at the "
      "end (1, 5, 15 min; other work on the machine shows in the wall times, never in the "
      "cycles) |")
    w(f"| commit | `{c['id'][:12]}`{' with uncommitted changes' if c['dirty'] else ''} |")
    w(f"| tools | {tl['cc']}; {tl['verilator']}; {tl['yosys']}; {tl['python']}; libclockwork "
      f"{tl['libclockwork']} |")
    prompt = f"\"{wl['prompt']}\"" if wl["prompt"] else "BOS only"
    w(f"| workload | {wl['model']} (dim {wl['dim']}, {wl['layers']} layers, {wl['heads']} heads / "
      f"{wl['kv_heads']} kv, vocab {wl['vocab']}), prompt {prompt} ({wl['prompt_tokens']} "
      f"tokens with BOS), {wl['steps']} positions, greedy |")
    w(f"| repetitions | {wl['reps']} runs per cpu / int / ref device, {wl['sim_reps']} per sim "
      "device on the `sim` target (one fewer on the boards' configurations); every run opens "
      "the device afresh |")
    w(f"| duration | {fmt(res['timing']['devices_s'])} s of device runs, "
      f"{fmt(res['timing']['scaling_s'])} s of scaling study |")
    w("")
    chk = res["checks"]
    w(f"**Cycle check: {'passed' if chk['passed'] else 'FAILED'}.** Every position of every run "
      "on `ref` and `sim` took exactly the cycles the compiler predicted "
      f"({chk['cycle_mismatches']} positions differ; the largest spread of a position's cycles "
      f"across runs is {chk['cycle_spread']}). This equality is the only assertion `make bench` "
      "makes; wall times are reported, never checked.\n")

    # ---- host wall time
    w("## Host wall time per token\n")
    w("The time between consecutive token callbacks (the first token: from the call to "
      "`cw_device_generate`), on the host. Median and p99 are medians over the runs of each "
      "run's figure; max is the largest token time of any run. Tokens per second: tokens over "
      "the wall time of `cw_device_generate`, median over the runs. `ref` and `sim` time the "
      "simulators on this CPU, not the hardware (that is the next table).\n")
    w("| device | what runs | weights | runs | median µs | p99 µs | max µs | tokens/s | "
      "tokens equal to cpu |")
    w("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for d in devs:
        if not d.get("runs"):
            continue
        s = d["wall_us_per_token"]
        bits = "float32" if d["uri"] == "cpu" else f"{d['weight_bits']}-bit"
        w(f"| `{d['uri']}` | {device_name(d['uri'])} | {bits} | {d['runs_completed']} | "
          f"{fmt_us(s['median'])} | {fmt_us(s['p99'])} | {fmt_us(s['max_all_runs'])} | "
          f"{fmt(d['tokens_per_s'])} | {d['leading_tokens_equal_to_cpu']} of {d['tokens']} |")
    w("")
    groups = {}
    for d in devs:
        if d.get("runs") and d["uri"] != "cpu":
            groups.setdefault(d["weight_bits"], []).append(d)
    agree = []
    for bits, ds in sorted(groups.items()):
        same = all(d["token_ids"] == ds[0]["token_ids"] for d in ds)
        names = ", ".join(f"`{d['uri']}`" for d in ds)
        agree.append(f"with {bits}-bit weights, {names} {'give the same tokens' if same else 'DIFFER'}")
    w("\"Tokens equal to cpu\" counts the leading generated tokens identical to the float32 "
      "device's (docs/numerics.md has the accuracy study); " + "; ".join(agree) + ".\n")
    if "cpu_latency" in plots:
        w(f"![cpu per-token latency]({img_rel}/{plots['cpu_latency']})\n")

    # ---- device cycles
    w("## Device cycles per token\n")
    w("Cycles per token are means over the run's positions (they grow with the position: "
      "attention covers every earlier position). *Predicted* is the compiler's table "
      "(`cw_artifact_cycles`), *measured* the core's own count (`cw_token_event.cycles`). The "
      "MAC-bound ideal is the position's multiply-accumulates over the matrix unit's "
      "`lanes x k` MACs per cycle; efficiency is ideal over measured. Tokens per second at the "
      "clock: the clock over the measured mean.\n")
    w("| device | target | MACs/cycle | weights | predicted | measured | positions differing | "
      "MAC-bound ideal | efficiency | clock | tokens/s at the clock |")
    w("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    notfit = []
    for d in devs:
        if d.get("kind") != "accelerator" or not d.get("runs"):
            if d["uri"].startswith(("ref", "sim")) and d.get("error"):
                notfit.append(d)
            continue
        t, cy = d["target"], d["cycles_per_token"]
        w(f"| `{d['uri']}` | `{t['name']}` | {t['lanes']} x {t['k']} | {d['weight_bits']}-bit | "
          f"{fmt(cy['predicted_mean'], 5)} | {fmt(cy['measured_mean'], 5)} | {cy['mismatches']} | "
          f"{fmt(cy['mac_bound_ideal_mean'], 5)} | {100 * cy['efficiency']:.1f} % | "
          f"{t['clock_mhz']} MHz | {fmt(d['device_tokens_per_s_at_clock'])} |")
    w("")
    w("Clocks are the targets' `clock_mhz` (targets/*.target); a board's committed Fmax "
      "replaces its target clock here once its bitstream and timing report are in "
      "`bitstreams/`. The `sim` target's 100 MHz is nominal: no board has that configuration.\n")
    for d in notfit:
        reason = d["error"].split(": ", 1)[-1]
        w(f"- `{d['uri']}` ({d['weight_bits']}-bit): {esc(reason)}")
    if notfit:
        w("")
    if "cycles" in plots:
        w(f"![cycles per token by position]({img_rel}/{plots['cycles']})\n")

    # ---- repeatability
    w("## Repeatability: device cycles against wall time\n")
    w("Across the runs of each device: the largest difference between two runs' cycle counts "
      "at the same position (it must be zero, and is), next to the spread of the host wall "
      "time: the range of the runs' generation times as a share of their median, and the "
      "median over positions of the range of one token's time across the runs.\n")
    w("| device | runs | device cycles: largest range at a position | wall: range of run "
      "times | wall: median per-token range µs |")
    w("| --- | ---: | ---: | ---: | ---: |")
    for d in devs:
        if not d.get("runs"):
            continue
        sp = d["spread"]
        cyc = str(sp["device_cycles_max_range"]) if d.get("kind") == "accelerator" else "— (host)"
        w(f"| `{d['uri']}` | {d['runs_completed']} | {cyc} | "
          f"{sp['wall_generate_range_pct']:.1f} % | {fmt_us(sp['wall_per_position_range_us_median'])} |")
    w("")

    # ---- sim
    sims = [d for d in devs if d["uri"].startswith("sim") and d.get("runs")]
    if sims:
        w("## The Verilated RTL (`sim`)\n")
        w("Simulated cycles per second: the core's cycle count at the last token over the wall "
          "time of the generation. The whole run: opening the device (loading the Verilated "
          "library), uploading the artifact over the link protocol into the Verilated device, and generating; "
          "medians over the runs.\n")
        w("| device | simulated cycles/s | open s | upload s | generate s | whole run s |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for d in sims:
            w(f"| `{d['uri']}` | {fmt(d['device_cycles_per_s'])} | {fmt(d['open_s'])} | "
              f"{fmt(d['load_s'])} | {fmt(d['generate_s'])} | {fmt(d['whole_run_s'])} |")
        w("")

    # ---- link
    w("## Link transports\n")
    w("Artifact upload: the time of `cw_device_load_artifact` for the bytes it places in device "
      "memory (program, weight lines, row scales, constants), median over the runs. Per-token "
      "host overhead: the host process's CPU time (user + system, `getrusage`) during "
      "`cw_device_generate`, per token: over a link the core runs in another process, so this "
      "is the host's own work per token (the session, framing, CRC, system calls). On the "
      "baseline rows (*none*: the same core reached directly, in process) it includes the "
      "core's simulation. The wall difference is the transport's median generation time minus "
      "the baseline's, per token: `clockwork serve` runs the `ref` core behind the link "
      "protocol's device engine in a second process, so its transports are compared with "
      "`ref:sim`; read it against the wall-time spread in the repeatability table (on a "
      "loaded machine it can even be negative: the server's core runs on the other CPU "
      "core).\n")
    w("| transport | URI | status | runs | upload bytes | upload s | MB/s | host CPU µs/token | "
      "wall difference µs/token | tokens/s |")
    w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    pending = []
    bydev = {d["uri"]: d for d in devs}
    for t in res.get("transports", []):
        uri = f"`{t['uri']}`" if t.get("uri") else "—"
        if t["status"] != "measured":
            pending.append(t)
            w(f"| {t['transport']} | {uri} | pending | — | — | — | — | — | — | — |")
            continue
        dev = t.get("device") or bydev.get(t["uri"], {})
        cpu = fmt_us(t.get("host_cpu_us_per_token"))
        if t.get("baseline"):
            ov = "0 (baseline)"
            cpu += " (with the core)"
        else:
            ov = fmt_us(t.get("wall_difference_us_per_token"))
            if t.get("compared_with"):
                ov += f" (against `{t['compared_with']}`)"
        w(f"| {t['transport']} | {uri} | measured | {dev.get('runs_completed', '—')} | "
          f"{fmt(t['upload_bytes'])} | {fmt(t['upload_s'])} | {fmt(t['upload_bytes_per_s'] / 1e6)} | "
          f"{cpu} | {ov} | {fmt(dev.get('tokens_per_s'))} |")
    w("")
    if pending:
        w("Pending:\n")
        for t in pending:
            w(f"- {t['transport']}: {esc(t.get('note', ''))}")
        w("")
    w("A new transport is one line in `bench/clockwork_bench.c` (`tspecs`) or, without "
      "rebuilding, `BENCH_TRANSPORTS=\"label=URI;label=URI\" make bench`.\n")

    # ---- scaling
    sc = res.get("scaling", [])
    if sc:
        targets = []
        for sh in sc:
            for t in sh.get("targets", []):
                if t["target"] not in targets:
                    targets.append(t["target"])
        order = sorted(targets, key=lambda n: (n != "sim", n))
        w("## Scaling\n")
        w("Synthetic checkpoints from the project's generator (`cw_model_write_synthetic`, "
          "vocabulary 512), compiled for every built-in target with the target's weight width "
          "(16-bit on `sim`, 8-bit on the boards). MACs and cycles per token are means over "
          "every position of the context the artifact runs; the cycles are the compiler's "
          "prediction, and on the `sim` target the first positions were also run on `ref` and "
          "(default sizes) on `sim` with measured = predicted. A shape that does not fit shows "
          "the compiler's reason.\n")
        w("| dim | hidden | layers | heads / kv | seq_len | MACs/token (`sim`) | " +
          " | ".join(f"`{t}` cycles/token (efficiency; tokens/s at clock)" for t in order) + " |")
        w("| ---: | ---: | ---: | --- | ---: | ---: | " + " | ".join("---" for _ in order) + " |")
        reasons = []
        for sh in sc:
            if sh.get("error"):
                continue
            bymap = {t["target"]: t for t in sh["targets"]}
            macs = next((t["macs_per_token_mean"] for t in sh["targets"]
                         if t.get("fits") and t["target"] == "sim"), None)
            cells = []
            for name in order:
                t = bymap.get(name)
                if t is None:
                    cells.append("—")
                elif t.get("fits"):
                    meas = []
                    if t.get("ref_positions"):
                        meas.append(f"ref {t['ref_positions']}")
                    if t.get("sim_positions"):
                        meas.append(f"sim {t['sim_positions']}")
                    m_txt = f"; measured: {', '.join(meas)} positions" if meas else ""
                    cells.append(f"{fmt(round(t['cycles_per_token_mean']))} over {t['context']} "
                                 f"positions ({100 * t['efficiency']:.0f} %; "
                                 f"{fmt(t['tokens_per_s_at_clock'])}/s{m_txt})")
                else:
                    reasons.append((sh, t))
                    cells.append(f"does not fit [{len(reasons)}]")
            w(f"| {sh['dim']} | {sh['hidden_dim']} | {sh['layers']} | {sh['heads']} / "
              f"{sh['kv_heads']} | {sh['seq_len']} | {fmt(round(macs)) if macs else '—'} | " +
              " | ".join(cells) + " |")
        w("")
        for i, (sh, t) in enumerate(reasons, 1):
            w(f"{i}. dim {sh['dim']}, {sh['layers']} layers on `{t['target']}` "
              f"({t['weight_bits']}-bit): {esc(t['reason'])}")
        w("")
        effs = [(t["efficiency"], sh) for sh in sc for t in sh.get("targets", [])
                if t.get("fits") and t["target"] == "sim"]
        w("A cell's positions are the context the artifact runs: the checkpoint's `seq_len` "
          "capped by the target's `max_ctx`, so a board's mean covers fewer, cheaper positions. "
          "The MACs column is the `sim` target's mean over its context. The MAC count covers "
          "the matrix unit's work only; the rest of each token's cycles are the vector unit's "
          "(norms, RoPE, softmax, residuals) and pipeline fills.")
        if effs:
            lo, hi = min(effs, key=lambda e: e[0]), max(effs, key=lambda e: e[0])
            w(f" On the `sim` target the efficiency runs from {100 * lo[0]:.0f} % (dim "
              f"{lo[1]['dim']}, {lo[1]['layers']} layers) to {100 * hi[0]:.0f} % (dim "
              f"{hi[1]['dim']}, {hi[1]['layers']} layers).")
        w("")
        if "scaling" in plots:
            w(f"![scaling]({img_rel}/{plots['scaling']})\n")

    # ---- reproduce
    w("## Reproducing\n")
    w("```sh\nmake bench                 # these figures: a few minutes on a 2-core machine\n"
      "make bench BENCH_QUICK=1   # fewer runs and positions, under a minute; report in "
      "build/bench/quick/\n```\n")
    w("`make bench` builds the library, the CLI, the Verilated cores (`make sim`) and "
      "`build/bench/clockwork_bench`, writes `build/bench/results-TIME.json` (one file per "
      "run: the machine, the commit and the tool versions with every measurement), and "
      "regenerates this page, its plots and its JSON copy from it. It fails only when a "
      "device's cycles differ from the prediction or between runs, or a device that should "
      "run does not. It is not part of `make test`.")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--md", required=True)
    ap.add_argument("--img", required=True, help="folder for the SVG files")
    ap.add_argument("--img-rel", default=None, help="the folder as the page links it")
    ap.add_argument("--copy-json", default=None, help="also copy the results here")
    a = ap.parse_args()
    try:
        with open(a.results, encoding="utf-8") as f:
            res = json.load(f)
    except (OSError, ValueError) as e:
        print(f"report.py: {a.results}: {e}", file=sys.stderr)
        return 1
    os.makedirs(a.img, exist_ok=True)
    plots = {}
    if plot_cycles(res, os.path.join(a.img, "cycles-by-position.svg")):
        plots["cycles"] = "cycles-by-position.svg"
    if plot_cpu_latency(res, os.path.join(a.img, "cpu-latency.svg")):
        plots["cpu_latency"] = "cpu-latency.svg"
    if plot_scaling(res, os.path.join(a.img, "scaling.svg")):
        plots["scaling"] = "scaling.svg"
    img_rel = a.img_rel if a.img_rel is not None else os.path.relpath(a.img, os.path.dirname(a.md) or ".")
    json_rel = os.path.basename(a.results)
    if a.copy_json:
        tmp = a.copy_json + ".tmp"
        shutil.copyfile(a.results, tmp)
        os.replace(tmp, a.copy_json)
        json_rel = os.path.relpath(a.copy_json, os.path.dirname(a.md) or ".")
    else:
        json_rel = os.path.relpath(a.results, os.path.dirname(a.md) or ".")
    write_atomic(a.md, page(res, img_rel, plots, json_rel))
    print(f"report.py: wrote {a.md} and {len(plots)} plots in {a.img}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
