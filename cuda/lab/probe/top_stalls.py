#!/usr/bin/env python3
"""The SASS lines with the most warp-stall samples, from ncu's source page as CSV:

    ncu --section SourceCounters --section WarpStateStats --page source --csv --print-source sass \
        -k regex:KERNEL -c 1 COMMAND > src.csv
    python3 cuda/lab/probe/top_stalls.py src.csv

(how the fifth session found the branchy epilogue of gemm_persistent.cu; see cuda/NOTES.md)."""
import csv, sys
rows = list(csv.reader(open(sys.argv[1], errors="replace")))
# the header row is the one naming the stall-sample column
hi = next(i for i, r in enumerate(rows) if any("Warp Stall Sampling (All" in c for c in r))
h = rows[hi]
ci = next(i for i, c in enumerate(h) if c.startswith("Warp Stall Sampling (All"))
si = next(i for i, c in enumerate(h) if c == "Source")
data = []
for r in rows[hi + 1:]:
    if len(r) <= max(ci, si): continue
    try: v = float(r[ci].replace(",", ""))
    except ValueError: continue
    data.append((v, r))
tot = sum(v for v, _ in data)
print("total samples", tot)
for v, r in sorted(data, key=lambda x: -x[0])[:40]:
    print(f"{v:8.0f} {100*v/tot:5.1f}%  {r[0]:>6} {r[si][:90]}")
