#!/usr/bin/env python3
# netlist-depth.py NETLIST.json TOP [N] - a rough timing estimate of a yosys
# synth_ecp5 netlist (flattened JSON, e.g. build/bitstream/ulx3s-85f/
# cw_top_ulx3s.json), in seconds instead of a placement's half hour: unit
# delays per cell (LUT4 0.45 ns, a routing hop 0.8 ns, carry 0.06 ns a bit,
# MULT18X18D 4.5 ns, DP16KD clock-to-out 4.3 ns, flip-flop 0.4 ns) from every
# register or block-RAM output to every register, RAM or LUT-RAM input.
# Prints the N worst endpoints, one per (start module, end module, start
# cell type). Only for ranking paths: nextpnr's figures are the real ones
# (docs/rtl.md, "Timing on the ECP5").
import json, sys
R = 0.8  # routing per hop (ns)
net = json.load(open(sys.argv[1]))
top = [m for m, v in net['modules'].items() if v['attributes'].get('top')]
mod = net['modules'][top[0] if top else sys.argv[2]]
cells = mod['cells']
# bit -> driver (cell, port)
drv = {}
for cn, c in cells.items():
    for p, bits in c['connections'].items():
        d = c['port_directions'].get(p, 'input')
        for b in bits:
            if isinstance(b, str): continue
            if d == 'output': drv[b] = (cn, p)
SEQ = {'TRELLIS_FF', 'DP16KD', 'EHXPLLL', 'TRELLIS_IO', 'DCCA'}
def comb_delay(t, ip, op):
    if t == 'LUT4': return 0.45 + R
    if t in ('PFUMX', 'L6MUX21'): return 0.25
    if t == 'CCU2C':
        if ip == 'CIN': return 0.06 if op == 'COUT' else 0.3 + R
        return (0.5 if op == 'COUT' else 0.5 + R)
    if t == 'MULT18X18D': return 4.5 + R
    if t == 'TRELLIS_DPR16X4': return 1.0 + R if ip.startswith('RAD') else 999
    return 0.5 + R
def launch(t, op):
    if t == 'TRELLIS_FF': return 0.4 + R
    if t == 'DP16KD': return 4.3 + R
    if t == 'TRELLIS_DPR16X4': return 999
    return 0.0
# arrival per (cell, output port) via memoized DFS over input bits
sys.setrecursionlimit(100000)
arr = {}; pred = {}
def cell_out(cn, op):
    key = (cn, op)
    if key in arr: return arr[key]
    c = cells[cn]; t = c['type']
    if t in SEQ:
        arr[key] = launch(t, op); pred[key] = None; return arr[key]
    arr[key] = 0.0
    best, bp = 0.0, None
    for p, bits in c['connections'].items():
        if c['port_directions'].get(p) != 'input': continue
        if t == 'TRELLIS_DPR16X4' and not p.startswith('RAD'): continue
        if t == 'MULT18X18D' and not (p[0] in 'AB' and p[1:].isdigit()): continue
        for b in bits:
            if isinstance(b, str) or b not in drv: continue
            a = cell_out(*drv[b]) + comb_delay(t, p, op)
            if a > best: best, bp = a, drv[b]
    arr[key] = best; pred[key] = bp
    return best
ends = []
for cn, c in cells.items():
    t = c['type']
    if t not in ('TRELLIS_FF', 'DP16KD', 'TRELLIS_DPR16X4', 'MULT18X18D'): continue
    for p, bits in c['connections'].items():
        if c['port_directions'].get(p) != 'input' or p.startswith('CLK') or p == 'WCK': continue
        if t == 'TRELLIS_DPR16X4' and p.startswith('RAD'): continue
        if t == 'MULT18X18D': continue
        for b in bits:
            if isinstance(b, str) or b not in drv: continue
            ends.append((cell_out(*drv[b]) + 0.2, cn, p, drv[b]))
ends.sort(reverse=True)
def modof(cn):
    parts = cn.split('.')
    return '.'.join(parts[:4])
seen = set(); shown = 0
print('endpoints', len(ends), 'worst %.1f ns (%.1f MHz)' % (ends[0][0], 1000/ends[0][0]))
for a, cn, p, d in ends:
    path = []; k = d
    while k:
        path.append(k); k = pred.get(k)
    start = path[-1][0]
    sig = (modof(start), modof(cn), cells[start]['type'])
    if sig in seen: continue
    seen.add(sig); shown += 1
    print('%.1f ns  %s  ->  %s.%s  (%d cells)  from %s' % (a, start[:90], cn[:90], p, len(path), cells[start]['type']))
    if shown >= int(sys.argv[3] if len(sys.argv) > 3 else 25): break
