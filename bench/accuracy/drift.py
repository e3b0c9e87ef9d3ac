#!/usr/bin/env python3
"""Does sampling longer shrink the drift between two separately sampled runs of the same build?

20 A/A pairs per configuration, interleaved: `benchgate run` of the one-bench suite, stored, then
run again and judged against it (as run.py's bg-run judge does), with the default adaptive
sampling, with `runs = 100` and with `min_runs = 200`. Prints the SD and range of the estimated
change per configuration and how many pairs were judged unchanged.

Usage: python3 bench/accuracy/drift.py [CONFIG…]   (default, runs100, min200)
Measured 2026-12-01: default SD 2.41 % (−2.9 … +7.8), runs100 2.26 % (−4.4 … +3.8),
min200 3.42 % (−6.5 … +6.8).
"""

import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as R  # noqa: E402

CONFIGS = {"default": 'max_time = "5s"', "runs100": "runs = 100", "min200": 'max_time = "5s"\nmin_runs = 200'}
PAIRS = 20


def aa_change(defaults, work, tmp):
    """(verdict, estimated change in %) of one A/A pair of stored runs."""
    suite = tmp / "suite"
    suite.mkdir(exist_ok=True)
    for f in suite.glob("history.db*"):
        f.unlink()
    db = f"sqlite://{suite}/history.db"
    (suite / "benchgate.toml").write_text(
        f'[defaults]\n{defaults}\n\n[gate]\nbaseline = "last"\n\n'
        f'[[bench]]\nname = "work"\ncommand = "{work} {R.BASE_N}"\n')
    for judged in (False, True):
        r = R.sh([str(R.BENCHGATE), "--db", db, "--json", "run", "-q"] + R.THRESHOLDS, cwd=suite)
        if judged:
            verdict, reason = R.kind_of(json.loads(r.stdout))
            m = re.search(r"([+-]?\d+\.\d+)%", reason)
            return verdict, float(m.group(1)) if m else None
    return "error", None


def main():
    which = sys.argv[1:] or list(CONFIGS)
    results = {c: [] for c in which}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        work = R.build(tmp)
        for _ in range(PAIRS):
            for c in which:
                results[c].append(aa_change(CONFIGS[c], work, tmp))
    for c in which:
        xs = [x for _, x in results[c] if x is not None]
        unchanged = sum(1 for v, _ in results[c] if v == "unchanged")
        print(f"{c:<8} SD {statistics.stdev(xs):.2f} % (min {min(xs):+.1f} %, max {max(xs):+.1f} %), "
              f"{unchanged}/{len(results[c])} unchanged")


if __name__ == "__main__":
    main()
