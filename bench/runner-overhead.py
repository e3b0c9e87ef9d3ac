#!/usr/bin/env python3
"""benchgate's per-run harness overhead against `hyperfine -N`, side by side in one run.

For each workload, each tool benchmarks the same command with N1 and then N2 runs, and the whole
tool process is timed from outside. The time a tool spends outside its own timed windows is
T - sum(reported times); the difference between the N2 and N1 invocations cancels the tool's fixed
start-up cost, leaving its overhead per run:

    overhead = ((T2 - S2) - (T1 - S1)) / (N2 - N1)

Rounds alternate which tool goes first, and the medians over rounds are reported. The reported
median times of the two tools are compared as well (they measure the same command), as the median
of the per-round ratios.
This is a benchmark, not a test: it always exits 0 and says whether the goals were met.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Bare names and absolute paths: hyperfine's child searches PATH (execvp) inside its timed window,
# benchgate resolves the program before timing, so only the absolute forms time the same work.
WORKLOADS = ["true", "sleep 0.001", shutil.which("true") or "/bin/true",
             f"{shutil.which('sleep') or '/bin/sleep'} 0.001"]


def benchgate_cmd(binary, runs, out, workload):
    return [binary, "run", "-q", "--runs", str(runs), "--warmup", "0",
            "--export-json", out, "--", workload]


def hyperfine_cmd(binary, runs, out, workload):
    return [binary, "-N", "--runs", str(runs), "--warmup", "0", "--style", "none",
            "--export-json", out, workload]


def benchgate_times(path):
    with open(path) as f:
        run = json.load(f)
    wall = next(m for m in run["benchmarks"][0]["metrics"] if m["measure"] == "wall_time")
    return [t / 1e9 for t in wall["samples"]]


def hyperfine_times(path):
    with open(path) as f:
        return json.load(f)["results"][0]["times"]


# Both tools run with the same small environment. hyperfine copies the whole environment inside
# its timed window on every run (it sets HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET per run), so a
# large environment inflates its medians by tens of microseconds and would flatter the comparison.
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}

TOOLS = {
    "benchgate": (benchgate_cmd, benchgate_times),
    "hyperfine": (hyperfine_cmd, hyperfine_times),
}


def invoke(tool, binary, runs, workload, tmp):
    make_cmd, read_times = TOOLS[tool]
    out = os.path.join(tmp, f"{tool}-{runs}.json")
    cmd = make_cmd(binary, runs, out, workload)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, env=ENV)
    total = time.perf_counter() - start
    times = read_times(out)
    if len(times) != runs:
        sys.exit(f"{tool} reported {len(times)} runs, expected {runs}")
    return total, times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--benchgate", default=os.path.join(ROOT, "target/release/benchgate"))
    parser.add_argument("--hyperfine", default=shutil.which("hyperfine") or "hyperfine")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n1", type=int, default=200)
    parser.add_argument("--n2", type=int, default=1200)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    if not os.path.exists(args.benchgate):
        subprocess.run(["cargo", "build", "--release", "-p", "benchgate"], cwd=ROOT, check=True)
    if shutil.which(args.hyperfine) is None:
        sys.exit("hyperfine not found (Debian: apt-get install hyperfine)")
    binaries = {"benchgate": args.benchgate, "hyperfine": args.hyperfine}
    version = subprocess.run([args.hyperfine, "--version"], capture_output=True, text=True).stdout
    print(f"# {version.strip()} vs {args.benchgate}; {args.rounds} rounds, "
          f"N1={args.n1}, N2={args.n2} runs")

    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        for workload in WORKLOADS:
            overhead = {tool: [] for tool in TOOLS}
            medians = {tool: [] for tool in TOOLS}
            for round_ in range(args.rounds):
                order = list(TOOLS) if round_ % 2 == 0 else list(reversed(TOOLS))
                for tool in order:
                    t1, s1 = invoke(tool, binaries[tool], args.n1, workload, tmp)
                    t2, s2 = invoke(tool, binaries[tool], args.n2, workload, tmp)
                    per_run = ((t2 - sum(s2)) - (t1 - sum(s1))) / (args.n2 - args.n1)
                    overhead[tool].append(per_run)
                    medians[tool].append(statistics.median(s2))
            row = {"workload": workload}
            for tool in TOOLS:
                row[f"{tool}_overhead_us"] = statistics.median(overhead[tool]) * 1e6
                row[f"{tool}_median_ms"] = statistics.median(medians[tool]) * 1e3
            row["overhead_ratio"] = row["benchgate_overhead_us"] / row["hyperfine_overhead_us"]
            # Paired per round: the machine drifts between processes, and a round's two tools run
            # back to back, so the median of per-round ratios is steadier than a ratio of medians.
            ratios = [b / h for b, h in zip(medians["benchgate"], medians["hyperfine"])]
            row["median_diff_pct"] = (statistics.median(ratios) - 1) * 100
            figures.append(row)

    print(f"{'workload':<20} {'benchgate µs/run':>16} {'hyperfine µs/run':>16} {'ratio':>7}"
          f" {'benchgate median':>17} {'hyperfine median':>17} {'diff':>7}")
    for r in figures:
        print(f"{r['workload']:<20} {r['benchgate_overhead_us']:>16.1f} {r['hyperfine_overhead_us']:>16.1f}"
              f" {r['overhead_ratio']:>7.2f} {r['benchgate_median_ms']:>15.4f}ms"
              f" {r['hyperfine_median_ms']:>15.4f}ms {r['median_diff_pct']:>+6.2f}%")
    overhead_ok = all(r["overhead_ratio"] <= 1.0 for r in figures)
    # Medians are compared where both tools time the same work (absolute program paths).
    medians_ok = all(abs(r["median_diff_pct"]) <= 2.0 for r in figures
                     if r["workload"].startswith("/"))
    print(f"goal: overhead no larger than hyperfine's: {'met' if overhead_ok else 'NOT met'}; "
          f"medians within 2% (absolute paths): {'met' if medians_ok else 'NOT met'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
