#!/usr/bin/env python3
"""Cuts a fuzz corpus to at most LIMIT files covering the most edges.

usage: trim_corpus.py CONTROL_FILE CORPUS_DIR LIMIT, where CONTROL_FILE comes from
`fuzz/target/.../release/<target> -merge=1 -use_counters=0 -merge_control_file=CONTROL_FILE EMPTY_DIR CORPUS_DIR`.
A greedy set cover over the COV records; inputs named regress-* are always kept."""
import sys, os
ctl, corpus, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(ctl).read().split('\n')
n = int(lines[0]); files = lines[2:2+n]
cov = {}
for line in lines[2+n:]:
    parts = line.split()
    if parts and parts[0] == 'COV':
        cov[int(parts[1])] = set(map(int, parts[2:]))
keep = [i for i, f in enumerate(files) if os.path.basename(f).startswith('regress-')]
covered = set().union(*(cov.get(i, set()) for i in keep)) if keep else set()
chosen = set(keep)
total = set().union(*cov.values())
while len(chosen) < limit + len(keep):
    best = max((i for i in cov if i not in chosen), key=lambda i: (len(cov[i] - covered), -os.path.getsize(files[i])), default=None)
    if best is None or not (cov[best] - covered):
        break
    chosen.add(best); covered |= cov[best]
for i, f in enumerate(files):
    if i not in chosen and os.path.dirname(os.path.abspath(f)) == os.path.abspath(corpus):
        os.unlink(f)
print(f"kept {len(chosen)} of {n} files, {len(covered)} of {len(total)} edges")
