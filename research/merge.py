"""Merge reviewed research CSVs into the repo tables (drops the reviewer-only evidence column)."""
import csv, sys, glob, os
POL = ["measure_id","geoid","jurisdiction","title","instrument","direction","provisions","adopted","effective","ended","end_reason","source_url","notes"]
DES = ["geoid","jurisdiction","list","listed_on","removed_on","source_url","notes"]
def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
def write(path, cols, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader(); w.writerows(rows)
HERE = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "reviewed")
pol, des = [], []
for p in sorted(glob.glob(os.path.join(src, "*.csv"))):
    rows = read(p)
    (des if "list" in rows[0] else pol).extend(rows) if rows else None
for r in pol + des:
    for k in list(r):
        if r[k] is None: r[k] = ""
        r[k] = r[k].strip() if k not in ("notes","title") else r[k].strip()
pol.sort(key=lambda r: (r["geoid"], r["effective"], r["measure_id"]))
des.sort(key=lambda r: (r["list"], r["geoid"]))
write(os.path.join(HERE, "..", "geodata", "policies.csv"), POL, pol)
write(os.path.join(HERE, "..", "geodata", "designations.csv"), DES, des)
print(len(pol), "policies,", len(des), "designations")
