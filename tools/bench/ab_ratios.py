#!/usr/bin/env python3
"""Ratios of two builds in a peers_ab.sh run, from its raw.txt.

  tools/bench/ab_ratios.py RAW BUILD BASE

For each workload: the median over repetitions of BUILD's time over BASE's
in the same repetition, with a bootstrap 95% interval of that median, and
the ratio of the means of each build's five fastest runs (noise on this
machine only ever adds time, so the fastest runs are the least disturbed).
"""
import collections
import random
import statistics
import sys


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.strip())
    raw, build, base = argv[1:]
    # (workload, scale) -> repetition -> build -> ns/op
    runs = collections.defaultdict(dict)
    for line in open(raw):
        rep, name, workload, scale, ns = line.split()
        runs[(workload, scale)].setdefault(rep, {})[name] = float(ns)
    rng = random.Random(5)
    for (workload, scale), reps in sorted(runs.items()):
        pairs = [r for r in reps.values() if build in r and base in r]
        if not pairs:
            continue
        ratios = [r[build] / r[base] for r in pairs]
        boot = sorted(statistics.median(rng.choices(ratios, k=len(ratios)))
                      for _ in range(2000))
        fastest = [statistics.mean(sorted(r[b] for r in pairs)[:5])
                   for b in (build, base)]
        print(f"{workload:16s} {scale:>4s} {build}/{base}: median "
              f"{statistics.median(ratios):.3f} (95% {boot[50]:.3f}-"
              f"{boot[1949]:.3f}), fastest five {fastest[0] / fastest[1]:.3f}, "
              f"n={len(ratios)}")


if __name__ == "__main__":
    main(sys.argv)
