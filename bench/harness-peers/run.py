#!/usr/bin/env python3
"""benchgate-harness side by side with divan and criterion, in one run on one machine.

Builds the bench targets of this directory once (`cargo bench --no-run`, target dir
/work/main/target/harness-peers), then runs ROUNDS rounds. Each round runs, in an order rotated
from round to round so drift of the machine hits every tool alike:

  workloads  each tool with its default settings on the same four benchmarks, compiled from the
             same code (src/lib.rs): `empty` (the closure `|| ()`: what a tool reports for no work
             at all, its loop overhead), `work_20ns` and `work_2us` (10 and 470 chained splitmix64
             rounds, about 20 ns and 2 us here) and `alloc_box_u64` (`Box::new(u64)` and its drop).
               bg           benchgate-harness with CountingAllocator installed (--format json)
               bg_system    benchgate-harness without it: the system allocator's alloc_box_u64
               divan        divan 0.1 (its table parsed), system allocator
               divan_alloc  divan with its AllocProfiler installed: a third alloc point
               criterion    criterion 0.8 (target/criterion/<id>/new/estimates.json, median)
  suite      the wall time of the whole process for the 10-benchmark suite (`suite/r1` ..
             `suite/r512`, 1 to 512 rounds) with each tool's defaults: benchgate (0.5 s warm-up,
             2 s measurement), benchgate --quick, divan, and criterion (3 s warm-up, 5 s
             measurement, 100 000 bootstrap resamples, plots). criterion's takes about 90 s and
             runs once (in the middle round) unless --criterion-suite-rounds says otherwise.

Then ALTERNATIONS short interleaved runs of the same four benchmarks (order rotated each time):
benchgate --quick (0.05 s warm-up, 0.25 s measurement), divan's defaults (already short) and
criterion with --warm-up-time 0.1 --measurement-time 0.4 --noplot. This machine's speed flips
between two levels every few seconds (a shared host: the same binary reports 23 or 33 ns for
work_20ns from one run to the next), and a run of seconds can land on either. Short runs close
together can each land within one level; the fastest median of a tool over the alternations is
its undisturbed figure, and those are compared too (noise here only ever slows code down).

Printed: per benchmark the median over rounds of each tool's reported median, the ratios
benchgate/divan and benchgate/criterion (with the range of the per-round ratios), the suite wall
times and their ratios, and the allocator overhead per Box::new+drop (one alloc and one dealloc):
counting minus system, for benchgate and for divan, paired within each round.

Usage: python3 bench/harness-peers/run.py [--rounds 5] [--alternations 20] [--criterion-suite-rounds 1]
                                          [--out bench/harness-peers/results.json]
       python3 bench/harness-peers/run.py --table bench/harness-peers/results.json
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARGET = ROOT / "target" / "harness-peers"
WORKLOADS = ["empty", "work_20ns", "work_2us", "alloc_box_u64"]
SUITE = [f"suite/r{r}" for r in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)]
TARGETS = ["bg", "bg_system", "divan", "divan_alloc", "criterion"]


def build():
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    cmd = ["cargo", "bench", "--no-run", "--message-format=json"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("build failed:\n" + r.stderr[-4000:])
    exes = {}
    for line in r.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and "bench" in msg["target"]["kind"]:
            exes[msg["target"]["name"]] = msg["executable"]
    missing = [t for t in TARGETS if t not in exes]
    if missing:
        sys.exit(f"no executable for {missing}")
    return exes, time.perf_counter() - t0


def timed(cmd, env=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}\n{r.stdout[-3000:]}")
    return r, dt


# --- benchgate ---------------------------------------------------------------------------------

def bg_medians(run):
    out = {}
    for b in run["benchmarks"]:
        for m in b["metrics"]:
            if m["measure"] == "wall_time":
                assert m["unit"] == "ns", m["unit"]
                out[b["name"]] = m["summary"]["median"]
    return out


def bg_workloads(exe, extra=()):
    r, dt = timed([exe, "--bench", *extra, "--format", "json", "--no-save", *WORKLOADS])
    return bg_medians(json.loads(r.stdout)), dt


def bg_suite(exe, quick):
    # The defaults as `cargo bench` runs them: the table on stdout, the JSON written to
    # target/benchgate/<bench>.json (read back here for the medians).
    cmd = [exe, "--bench", *(["--quick"] if quick else []), "suite/"]
    r, dt = timed(cmd)
    m = re.search(r"^wrote (.+\.json)$", r.stderr, re.M)
    if not m:
        sys.exit("benchgate did not say where it wrote its JSON:\n" + r.stderr[-2000:])
    return bg_medians(json.loads(Path(m.group(1)).read_text())), dt, cmd


# --- divan -------------------------------------------------------------------------------------

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROW = re.compile(r"^((?:[│ ] {2})*)[├╰]─ (\S+)(.*)$")


def parse_divan(text):
    """Medians (ns) from divan's tree table: `├─ name  fastest │ slowest │ median │ mean │ …`."""
    out, path = {}, []
    for line in ANSI.sub("", text).splitlines():
        m = ROW.match(line)
        if not m:
            continue
        depth = len(m.group(1)) // 3
        path = path[:depth] + [m.group(2)]
        cols = [c.strip() for c in m.group(3).split("│")]
        if len(cols) < 3 or not cols[0]:
            continue  # a group's own row
        value, unit = cols[2].split()
        name = "/".join(path)
        name = re.sub(r"^suite/(\d+)$", r"suite/r\1", name)
        out[name] = float(value) * UNITS[unit]
    return out


def divan_run(exe, args):
    r, dt = timed([exe, "--bench", "--color", "never", *args])
    return parse_divan(r.stdout), dt, r.stdout


# --- criterion ---------------------------------------------------------------------------------

def criterion_run(exe, pattern, extra=()):
    with tempfile.TemporaryDirectory(prefix="criterion-") as home:
        # A fresh CRITERION_HOME: every invocation is a first run (no baseline to compare with).
        env = dict(os.environ, CRITERION_HOME=home)
        cmd = [exe, "--bench", *extra, pattern]
        _, dt = timed(cmd, env)
        out = {}
        for est in Path(home).glob("**/new/estimates.json"):
            name = str(est.parent.parent.relative_to(home))
            out[name] = json.loads(est.read_text())["median"]["point_estimate"]
    return out, dt, cmd


# --- the run -----------------------------------------------------------------------------------

def run(args):
    exes, build_s = build()
    t_start = time.perf_counter()
    started = datetime.datetime.now(datetime.timezone.utc)
    rounds = []
    tools = ["bg", "divan", "criterion"]
    crit_suite_rounds = set(range(args.rounds // 2 - args.criterion_suite_rounds // 2,
                                  args.rounds // 2 - args.criterion_suite_rounds // 2
                                  + args.criterion_suite_rounds))
    for i in range(args.rounds):
        order = tools[i % 3:] + tools[:i % 3]
        rnd = {"round": i + 1, "order": order, "load_before": os.getloadavg(),
               "workloads": {}, "workload_seconds": {}, "suite": {}, "suite_seconds": {}}
        print(f"round {i + 1}/{args.rounds}: {' → '.join(order)}  (load {os.getloadavg()[0]:.2f})",
              file=sys.stderr, flush=True)
        for tool in order:
            if tool == "bg":
                for t in ("bg", "bg_system"):
                    rnd["workloads"][t], rnd["workload_seconds"][t] = bg_workloads(exes[t])
            elif tool == "divan":
                for t in ("divan", "divan_alloc"):
                    med, dt, _ = divan_run(exes[t], ["--skip", "suite"])
                    rnd["workloads"][t], rnd["workload_seconds"][t] = med, dt
            else:
                med, dt, _ = criterion_run(exes["criterion"], "^(" + "|".join(WORKLOADS) + ")$")
                rnd["workloads"]["criterion"], rnd["workload_seconds"]["criterion"] = med, dt
        for tool in order:
            if tool == "bg":
                for name, quick in (("bg", False), ("bg_quick", True)):
                    med, dt, _ = bg_suite(exes["bg"], quick)
                    rnd["suite"][name], rnd["suite_seconds"][name] = med, dt
            elif tool == "divan":
                med, dt, _ = divan_run(exes["divan"], ["suite"])
                rnd["suite"]["divan"], rnd["suite_seconds"]["divan"] = med, dt
            elif i in crit_suite_rounds:
                print("  criterion suite with its defaults (about 90 s)", file=sys.stderr, flush=True)
                med, dt, _ = criterion_run(exes["criterion"], "^suite/")
                rnd["suite"]["criterion"], rnd["suite_seconds"]["criterion"] = med, dt
        for t, names in rnd["suite"].items():
            if sorted(names) != sorted(SUITE):
                sys.exit(f"{t}'s suite ran {sorted(names)}")
        rnd["load_after"] = os.getloadavg()
        rounds.append(rnd)
    alternations = []
    crit_short = ["--warm-up-time", "0.1", "--measurement-time", "0.4", "--noplot"]
    for i in range(args.alternations):
        order = tools[i % 3:] + tools[:i % 3]
        if i % 5 == 0:
            print(f"short interleaved runs {i + 1}-{min(i + 5, args.alternations)}"
                  f"/{args.alternations}  (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
        alt = {"alternation": i + 1, "order": order, "load_before": os.getloadavg(), "workloads": {}}
        for tool in order:
            if tool == "bg":
                for t in ("bg", "bg_system"):
                    alt["workloads"][t], _ = bg_workloads(exes[t], ["--quick"])
            elif tool == "divan":
                for t in ("divan", "divan_alloc"):
                    alt["workloads"][t], _, _ = divan_run(exes[t], ["--skip", "suite"])
            else:
                alt["workloads"]["criterion"], _, _ = criterion_run(
                    exes["criterion"], "^(" + "|".join(WORKLOADS) + ")$", crit_short)
        alternations.append(alt)
    total = time.perf_counter() - t_start
    harness_src = hashlib.sha256()
    for p in sorted((ROOT / "crates" / "harness" / "src").glob("*.rs")):
        harness_src.update(p.read_bytes())
    lock = (HERE / "Cargo.lock").read_text()
    versions = {n: re.search(rf'name = "{n}"\nversion = "([^"]+)"', lock).group(1)
                for n in ("divan", "criterion")}
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    result = {
        "schema": "benchgate/harness-peers/v1",
        "date": started.isoformat(timespec="seconds"),
        "machine": {"cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
                    "rustc": subprocess.run(["rustc", "--version"], capture_output=True,
                                            text=True).stdout.strip()},
        "versions": versions,
        "harness_src_sha256": harness_src.hexdigest(),
        "build_seconds": build_s,
        "total_seconds": total,
        "commands": {
            "build": f"CARGO_TARGET_DIR={TARGET} cargo bench --no-run (in {HERE})",
            "bg": "bg --bench --format json --no-save " + " ".join(WORKLOADS),
            "bg_system": "bg_system --bench --format json --no-save " + " ".join(WORKLOADS),
            "divan": "divan --bench --color never --skip suite",
            "divan_alloc": "divan_alloc --bench --color never --skip suite",
            "criterion": "CRITERION_HOME=<fresh tmp> criterion --bench '^(" + "|".join(WORKLOADS) + ")$'",
            "short bg": "bg --bench --quick --format json --no-save " + " ".join(WORKLOADS),
            "short bg_system": "bg_system --bench --quick --format json --no-save " + " ".join(WORKLOADS),
            "short divan": "divan --bench --color never --skip suite (its defaults)",
            "short criterion": "CRITERION_HOME=<fresh tmp> criterion --bench " + " ".join(crit_short)
                               + " '^(" + "|".join(WORKLOADS) + ")$'",
            "suite bg": "bg --bench suite/",
            "suite bg_quick": "bg --bench --quick suite/",
            "suite divan": "divan --bench --color never suite",
            "suite criterion": "CRITERION_HOME=<fresh tmp> criterion --bench '^suite/'",
        },
        "rounds": rounds,
        "alternations": alternations,
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return result


# --- the table ---------------------------------------------------------------------------------

def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_ns(x):
    if x != x:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if x >= scale:
            return f"{x / scale:.4g} {unit}"
    return f"{x:.4g} ns" if x >= 0.01 else f"{x:.3f} ns"


def table(res):
    rounds = res["rounds"]
    lines = []
    p = lines.append
    p(f"{res['date']} · {res['machine']['cpu']}, {res['machine']['cpus']} CPUs · "
      f"{res['machine']['rustc']} · divan {res['versions']['divan']}, "
      f"criterion {res['versions']['criterion']} · {len(rounds)} rounds · "
      f"run {res['total_seconds']:.0f} s (+ build {res['build_seconds']:.0f} s)")
    loads = [r["load_before"][0] for r in rounds] + [r["load_after"][0] for r in rounds]
    p(f"load average (1 min) during the run: {min(loads):.2f} – {max(loads):.2f}")
    p("")
    p("Medians reported by each tool (median over rounds); ratio = benchgate / peer, "
      "[range over rounds]")
    p("")
    p("| benchmark | benchgate | divan | criterion | bg/divan | bg/criterion |")
    p("|---|---:|---:|---:|---:|---:|")

    def per_round(tool, name, key="workloads"):
        return [r[key][tool][name] for r in rounds if tool in r[key] and name in r[key][tool]]

    def ratio_cell(a, b, name, key="workloads"):
        pairs = [(r[key][a][name], r[key][b][name]) for r in rounds
                 if a in r[key] and b in r[key] and name in r[key][a] and name in r[key][b]]
        ratios = [x / y for x, y in pairs if y > 0]
        if not ratios:
            return "–"
        m = med([x for x, _ in pairs]) / med([y for _, y in pairs])
        if len(ratios) == 1:
            return f"{m:.3f}"
        return f"{m:.3f} [{min(ratios):.3f}–{max(ratios):.3f}]"

    for name in WORKLOADS:
        bg, dv, cr = (med(per_round(t, name)) for t in ("bg", "divan", "criterion"))
        if name == "empty":  # near zero: the difference says more than a ratio
            p(f"| `{name}` | {fmt_ns(bg)} | {fmt_ns(dv)} | {fmt_ns(cr)} | "
              f"{bg - dv:+.3f} ns | {bg - cr:+.3f} ns |")
            continue
        p(f"| `{name}` | {fmt_ns(bg)} | {fmt_ns(dv)} | {fmt_ns(cr)} | "
          f"{ratio_cell('bg', 'divan', name)} | {ratio_cell('bg', 'criterion', name)} |")
    p("")
    p("`empty` is each tool's reported loop overhead. divan subtracts its own calibrated loop cost "
      "from every sample; benchgate and criterion report the raw loop.")
    alts = res.get("alternations", [])
    if alts:
        def alt_vals(tool, name):
            return [a["workloads"][tool][name] for a in alts
                    if tool in a["workloads"] and name in a["workloads"][tool]]

        def paired(a_t, b_t, name):
            return [a["workloads"][a_t][name] / a["workloads"][b_t][name] for a in alts
                    if name in a["workloads"][a_t] and a["workloads"][b_t].get(name, 0) > 0]

        p("")
        p(f"Short interleaved runs ({len(alts)} alternations: benchgate --quick, divan, criterion "
          "0.1 s + 0.4 s): fastest median of each tool (median of its medians in parentheses); "
          "ratio of the fastest medians; the median of the ratios paired within an alternation, "
          "and in how many alternations that ratio was within 2 %:")
        p("")
        p("| benchmark | benchgate | divan | criterion | bg/divan | bg/criterion "
          "| paired bg/divan, bg/criterion | within 2 % |")
        p("|---|---:|---:|---:|---:|---:|---|---|")
        for name in WORKLOADS:
            cells, mins = [], {}
            for t in ("bg", "divan", "criterion"):
                xs = alt_vals(t, name)
                mins[t] = min(xs)
                cells.append(f"{fmt_ns(min(xs))} ({fmt_ns(med(xs))})")
            pd, pc = paired("bg", "divan", name), paired("bg", "criterion", name)
            close = lambda rs: sum(abs(r - 1) <= 0.02 for r in rs)
            if name == "empty":
                p(f"| `{name}` | " + " | ".join(cells) + f" | {mins['bg'] - mins['divan']:+.3f} ns"
                  f" | {mins['bg'] - mins['criterion']:+.3f} ns | – | – |")
                continue
            rd, rc = mins["bg"] / mins["divan"], mins["bg"] / mins["criterion"]
            p(f"| `{name}` | " + " | ".join(cells) + f" | {rd:.3f} | {rc:.3f} | "
              f"{med(pd):.3f}, {med(pc):.3f} | {close(pd)}/{len(pd)}, {close(pc)}/{len(pc)} |")
        p("")
        p("Allocator overhead per `Box::new(u64)` + drop from the short runs: fastest counting "
          "minus fastest system median, and the median of the paired differences [range]:")
        p("")
        p("| tool | system | counting | overhead (fastest) | overhead (paired) |")
        p("|---|---:|---:|---:|---|")
        for label, sys_t, cnt_t in (("benchgate CountingAllocator", "bg_system", "bg"),
                                    ("divan AllocProfiler", "divan", "divan_alloc")):
            s_, c_ = alt_vals(sys_t, "alloc_box_u64"), alt_vals(cnt_t, "alloc_box_u64")
            d = [a["workloads"][cnt_t]["alloc_box_u64"] - a["workloads"][sys_t]["alloc_box_u64"]
                 for a in alts]
            p(f"| {label} | {fmt_ns(min(s_))} | {fmt_ns(min(c_))} | {min(c_) - min(s_):+.2f} ns | "
              f"{med(d):+.2f} ns [{min(d):+.2f} – {max(d):+.2f}] |")
        p("")
        p("divan subtracts its own measured cost of counting (per alloc and dealloc) from every "
          "sample; benchgate subtracts nothing.")
    p("")
    p("Allocator overhead per `Box::new(u64)` + drop (1 alloc + 1 dealloc), counting minus system "
      "allocator, paired within each round:")
    p("")
    p("| tool | system | counting | overhead | [range over rounds] |")
    p("|---|---:|---:|---:|---|")
    for label, sys_t, cnt_t in (("benchgate CountingAllocator", "bg_system", "bg"),
                                ("divan AllocProfiler", "divan", "divan_alloc")):
        s = per_round(sys_t, "alloc_box_u64")
        c = per_round(cnt_t, "alloc_box_u64")
        d = [r["workloads"][cnt_t]["alloc_box_u64"] - r["workloads"][sys_t]["alloc_box_u64"]
             for r in rounds]
        p(f"| {label} | {fmt_ns(med(s))} | {fmt_ns(med(c))} | {med(d):+.2f} ns | "
          f"{min(d):+.2f} – {max(d):+.2f} ns |")
    e_bg, e_sys = med(per_round("bg", "empty")), med(per_round("bg_system", "empty"))
    p("")
    line = (f"benchgate `empty` with the counting allocator installed {fmt_ns(e_bg)}, without "
            f"{fmt_ns(e_sys)} (medians over rounds)")
    if alts:
        line += (f"; fastest of the short runs {fmt_ns(min(alt_vals('bg', 'empty')))} and "
                 f"{fmt_ns(min(alt_vals('bg_system', 'empty')))}")
    p(line + ".")
    p("")
    p("10-benchmark suite, wall time of the whole process with each tool's defaults:")
    p("")
    p("| tool | wall time | [range] | runs | vs criterion |")
    p("|---|---:|---|---:|---:|")
    crit = [r["suite_seconds"]["criterion"] for r in rounds if "criterion" in r["suite_seconds"]]
    for t, label in (("bg", "benchgate (defaults)"), ("bg_quick", "benchgate --quick"),
                     ("divan", "divan (defaults)"), ("criterion", "criterion (defaults)")):
        xs = [r["suite_seconds"][t] for r in rounds if t in r["suite_seconds"]]
        vs = f"{med(xs) / med(crit):.3f}" if crit else "–"
        p(f"| {label} | {med(xs):.2f} s | {min(xs):.2f} – {max(xs):.2f} s | {len(xs)} | {vs} |")
    p("")
    p("Suite medians (median over rounds), ratio benchgate / peer:")
    p("")
    p("| benchmark | benchgate | bg --quick | divan | criterion | bg/divan | bg/criterion |")
    p("|---|---:|---:|---:|---:|---:|---:|")
    for name in SUITE:
        vals = [med(per_round(t, name, "suite")) for t in ("bg", "bg_quick", "divan", "criterion")]
        p(f"| `{name}` | " + " | ".join(fmt_ns(v) for v in vals) + f" | "
          f"{ratio_cell('bg', 'divan', name, 'suite')} | "
          f"{ratio_cell('bg', 'criterion', name, 'suite')} |")
    return "\n".join(lines)


def alloc_only(alternations):
    """Only the allocator overhead, in a few minutes: `alternations` short interleaved runs of
    `alloc_box_u64` by the allocator targets (order rotated), fastest and paired. `bg_divan_alloc`
    times divan's AllocProfiler with benchgate-harness, which subtracts nothing: divan's own runs
    subtract its measured cost of counting from every sample."""
    exes, _ = build()
    order = ["bg", "bg_system", "bg_divan_alloc", "divan", "divan_alloc"]
    runs = {t: [] for t in order}
    for i in range(alternations):
        k = i % len(order)
        for t in order[k:] + order[:k]:
            if t.startswith("bg"):
                r, _ = timed([exes[t], "--bench", "--quick", "--format", "json", "--no-save",
                              "alloc_box_u64"])
                runs[t].append(bg_medians(json.loads(r.stdout))["alloc_box_u64"])
            else:
                runs[t].append(divan_run(exes[t], ["alloc_box_u64"])[0]["alloc_box_u64"])
    print(f"Allocator overhead per `Box::new(u64)` + drop, {alternations} short interleaved runs "
          f"(load {os.getloadavg()[0]:.2f} at the end): fastest median of each target, fastest "
          "counting minus fastest system, and the median of the paired differences [range]:")
    print()
    print("| tool | system | counting | overhead (fastest) | overhead (paired) |")
    print("|---|---:|---:|---:|---|")
    for label, sys_t, cnt_t in (("benchgate CountingAllocator", "bg_system", "bg"),
                                ("divan AllocProfiler, timed by benchgate-harness", "bg_system",
                                 "bg_divan_alloc"),
                                ("divan AllocProfiler, timed by divan", "divan", "divan_alloc")):
        s_, c_ = runs[sys_t], runs[cnt_t]
        d = [c - s for s, c in zip(s_, c_)]
        print(f"| {label} | {fmt_ns(min(s_))} | {fmt_ns(min(c_))} | {min(c_) - min(s_):+.2f} ns"
              f" | {med(d):+.2f} ns [{min(d):+.2f} – {max(d):+.2f}] |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--alternations", type=int, default=20)
    ap.add_argument("--criterion-suite-rounds", type=int, default=1)
    ap.add_argument("--out", default=str(HERE / "results.json"))
    ap.add_argument("--table", metavar="RESULTS_JSON", help="print the table of a saved run")
    ap.add_argument("--alloc-only", type=int, metavar="ALTERNATIONS",
                    help="only the allocator overhead table, from this many short interleaved "
                         "runs (about 4 s each); nothing is saved")
    args = ap.parse_args()
    if args.alloc_only:
        alloc_only(args.alloc_only)
        return
    if args.table:
        res = json.loads(Path(args.table).read_text())
    else:
        if not 1 <= args.criterion_suite_rounds <= args.rounds:
            sys.exit("--criterion-suite-rounds must be between 1 and --rounds")
        res = run(args)
    print(table(res))


if __name__ == "__main__":
    main()
