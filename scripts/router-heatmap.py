#!/usr/bin/env python3
# router-heatmap.py PREFIX N [GROUPS] - where nextpnr's router2 found its
# overuse in iteration N, from the CSV files that `--router2-heatmap PREFIX`
# writes (add it to nextpnr_args in the board's board.conf):
#   - by net, the overuse summed over nets grouped by their first
#     hierarchy levels (core nets by module and signal), the GROUPS largest
#     (default 12) with their share of the total;
#   - by tile, the overuse summed over blocks of 16 x 16 tiles.
# The figures behind docs/rtl.md, "Routing".
import collections
import csv
import re
import sys

if len(sys.argv) < 3:
    sys.exit("usage: router-heatmap.py PREFIX N [GROUPS]")
prefix, it = sys.argv[1], sys.argv[2]
ngroups = int(sys.argv[3]) if len(sys.argv) > 3 else 12


def group(net):
    parts = net.split('.')
    depth = 5 if net.startswith('u_dev.u_dev.u_core.') else 4
    # yosys names a cell's nets after the cell chain that drives them
    return re.sub(r'_(TRELLIS|LUT4|CCU2C|DP16KD|MULT18).*|\[.*', '', '.'.join(parts[:depth]))


by_group, nets = collections.Counter(), collections.Counter()
with open(f'{prefix}_congestion_by_net_{it}.csv') as f:
    for name, v in csv.reader(f):
        by_group[group(name)] += int(v)
        nets[group(name)] += 1
total = sum(by_group.values())
print(f'iteration {it}: overuse {total} on {sum(nets.values())} nets')
print(' overuse  share   nets  group')
for g, v in by_group.most_common(ngroups):
    print(f'{v:8d} {100 * v / total:5.1f}% {nets[g]:6d}  {g}')

with open(f'{prefix}_congestion_by_coordinate_{it}.csv') as f:
    rows = [[int(x) for x in r if x != ''] for r in csv.reader(f)]
B = 16
width = max(len(r) for r in rows)
print(f'\nby 16 x 16 tiles (rows of the CSV down, its columns across), of {sum(map(sum, rows))}:')
for y0 in range(0, len(rows), B):
    cells = []
    for x0 in range(0, width, B):
        cells.append(sum(r[x] for r in rows[y0:y0 + B] for x in range(x0, min(x0 + B, len(r)))))
    print(f'{y0:4d} ' + ' '.join(f'{c:6d}' for c in cells))
