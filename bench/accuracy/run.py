#!/usr/bin/env python3
"""The accuracy experiment (issue 5): how often does each way of judging call identical code
slower (false alarms), how often does it catch a real slowdown (detection), how often does it
say it cannot tell (inconclusive), and how much machine time does a verdict cost?

The workload is work.c: N rounds of a fixed-cost loop in a fresh process (4 M rounds, about
8.5 ms here, of which ~0.7 ms is starting the process).
A slowdown of x % is injected by giving the head build more rounds: the script first measures
the per-round cost and the fixed cost of a run (process start), and picks M so that the whole
run takes x % longer, not just the loop. Trials are A/A (0 %) and A/B (+2 %, +5 %, +10 %).

Judges (a trial's verdict is "regressed" when it says the head is slower, in any severity):
  bg-run        benchgate run of a one-bench suite for base, stored, then for head against it
                ([gate] baseline = "last"): base and head sampled separately, as a stored
                baseline and a later run are (adaptive, max_time 5 s); Mann-Whitney + bootstrap
                interval of the ratio of medians; suspects measured again before failing.
  bg-run-paired the same, with paired confirmation ([gate] confirm = "paired",
                confirm_max_time 20 s): a throwaway git repository per trial whose two commits
                differ by the injected slowdown (the rounds compiled into work.c, [build] command
                = gcc), `benchgate run` at commit A (stored), then at commit B; suspects (intervals
                not wholly within ±warn) are judged again paired against a worktree of commit A.
                Records the seconds confirmation added (from its first progress line to the end).
  bg-ab         benchgate ab --runs 30: 30 interleaved pairs, signed-rank + Hodges-Lehmann.
  bg-ab-adapt   benchgate ab (adaptive stopping): samples until the interval of the change lies
                within or beyond ±warn, or --max-time 20s (inconclusive).
  bg-instr      benchgate ab --measure instructions: exact instruction counts under callgrind.
  criterion     criterion 0.8 change detection of the same loop in process: --save-baseline
                base with WORK_N=N, then --baseline base with WORK_N=M ("Performance has
                regressed" = regressed). Shorter than criterion's defaults (1 s measurement +
                0.5 s warm-up instead of 5 s + 3 s) to fit the trials in the time.
  hyperfine     hyperfine -N --runs 20 of both commands, regressed when the mean grew > 5 %.
  perfgate      perfgate 0.18 (cargo install perfgate-cli): `run --repeat 20 --warmup 3` of
                each, then `compare --threshold 0.05` (its wall_ms warn or fail = regressed).
  perfgate-paired  `perfgate paired --repeat 20 --warmup 3 --fail-on-regression 5.0
                --require-significance --significance-alpha 0.05` (exit 2 = regressed).
                perfgate times in whole milliseconds, which a 2.5 ms workload rounds away.

benchgate's thresholds for the experiment: --warn 2.5% --fail 10% (a +5 % change must lie
beyond the warn band to be caught; the default 5 % band would put it on the edge).

Usage: python3 bench/accuracy/run.py [--quick] [--judges bg-ab,criterion] [--out results.json]
Needs: a release build of benchgate (cargo build --release), gcc, hyperfine, valgrind, and for
criterion a build of bench/accuracy/criterion-bench (the script builds it).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BENCHGATE = ROOT / "target" / "release" / "benchgate"
CRITERION_TARGET = ROOT / "target" / "accuracy-criterion"
BASE_N = 4_000_000
THRESHOLDS = ["--warn", "2.5%", "--fail", "10%"]


def sh(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def build(tmp):
    work = tmp / "work"
    r = sh(["gcc", "-O2", "-o", str(work), str(HERE / "work.c")])
    if r.returncode != 0:
        sys.exit(f"gcc failed: {r.stderr}")
    if not BENCHGATE.exists():
        sys.exit(f"{BENCHGATE} is missing: cargo build --release first")
    return work


def median_ns(work, n, runs=40):
    """Median wall time of `work n` by benchgate run (nanoseconds)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        r = sh([str(BENCHGATE), "run", "-q", "--runs", str(runs), "--warmup", "3",
                "--export-json", f.name, "--", f"{work} {n}"])
        if r.returncode != 0:
            sys.exit(f"calibration failed: {r.stderr}")
        run = json.load(open(f.name))
    return run["benchmarks"][0]["metrics"][0]["summary"]["median"]


def calibrate(work):
    """Per-round cost and fixed cost, from runs of N and 2N rounds (interleaved twice)."""
    t1 = statistics.median([median_ns(work, BASE_N) for _ in range(3)])
    t2 = statistics.median([median_ns(work, 2 * BASE_N) for _ in range(3)])
    per_round = (t2 - t1) / BASE_N
    fixed = t1 - per_round * BASE_N
    return t1, per_round, fixed


def rounds_for(slowdown, t_base, per_round):
    """Rounds M such that `work M` takes (1 + slowdown) × the time of `work BASE_N`."""
    return BASE_N + round(slowdown * t_base / per_round)


# ---------------------------------------------------------------- judges: each returns a verdict
# "regressed" | "improved" | "unchanged" | "inconclusive" | "error:<text>"

def kind_of(cmp):
    v = [v for v in cmp["verdicts"] if v["measure"] in ("wall_time", "instructions") and v["gating"]]
    if not v:
        return "error:no verdict"
    k = v[0]["kind"]
    verdict = {"regressed": "regressed", "improved": "improved", "unchanged": "unchanged",
               "inconclusive": "inconclusive", "insufficient_data": "inconclusive"}.get(k, "error:" + k)
    return verdict, v[0].get("reason", "")


def bg_run(work, m, tmp):
    """The configured suite against the stored run before it (`[gate] baseline = "last"`), as CI
    runs it: adaptive sampling, and suspects measured again before failing (`confirm`)."""
    suite = tmp / "suite"
    suite.mkdir(exist_ok=True)
    db = f"sqlite://{suite}/history.db"
    for f in suite.glob("history.db*"):
        f.unlink()
    for n, judge in ((BASE_N, False), (m, True)):
        (suite / "benchgate.toml").write_text(
            f'[defaults]\nmax_time = "5s"\n\n[gate]\nbaseline = "last"\n\n'
            f'[[bench]]\nname = "work"\ncommand = "{work} {n}"\n')
        r = sh([str(BENCHGATE), "--db", db, "--json", "run", "-q"] + THRESHOLDS, cwd=suite)
        if r.returncode not in (0, 1):
            return "error:" + r.stderr.strip()[:200]
        if judge:
            return kind_of(json.loads(r.stdout))
    return "error:unreachable"


PAIRED_CONFIG = """[defaults]
max_time = "5s"

[gate]
baseline = "last"
confirm = "paired"
confirm_max_time = "20s"

[build]
command = "gcc -O2 -DROUNDS=$(cat rounds) -o work work.c"

[[bench]]
name = "work"
command = "./work"
"""


def bg_run_paired(work, m, tmp):
    """`benchgate run` at commit A (stored), then at commit B with paired confirmation against A:
    the two commits differ by the rounds compiled into work.c."""
    repo = tmp / "paired-repo"
    if repo.exists():
        sh(["rm", "-rf", str(repo)])
    repo.mkdir()
    git_env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
                   GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")

    def git(*args):
        r = sh(["git", *args], cwd=repo, env=git_env)
        if r.returncode != 0:
            raise RuntimeError(f"git {args}: {r.stderr}")

    (repo / "work.c").write_text((HERE / "work.c").read_text())
    (repo / "benchgate.toml").write_text(PAIRED_CONFIG)
    (repo / ".gitignore").write_text(".benchgate/\nwork\n")
    db = f"sqlite://{repo}/.benchgate/history.db"
    try:
        git("init", "-q", ".")
        for n, judge in ((BASE_N, False), (m, True)):
            (repo / "rounds").write_text(f"{n}\n")
            git("add", "-A")
            git("commit", "-q", "--allow-empty", "-m", f"rounds {n}")
            r = sh(["sh", "-c", "gcc -O2 -DROUNDS=$(cat rounds) -o work work.c"], cwd=repo)
            if r.returncode != 0:
                return "error:gcc " + r.stderr.strip()[:200]
            if not judge:
                r = sh([str(BENCHGATE), "--db", db, "run", "-q"] + THRESHOLDS, cwd=repo)
                if r.returncode not in (0, 1):
                    return "error:" + r.stderr.strip()[:200]
                continue
            # Not quiet: the first line of confirmation marks when its extra time starts.
            start = time.monotonic()
            p = subprocess.Popen([str(BENCHGATE), "--db", db, "--json", "run"] + THRESHOLDS,
                                 cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
            confirm_at, err = None, []
            for line in p.stderr:
                err.append(line)
                if confirm_at is None and line.startswith("checking out the baseline's commit"):
                    confirm_at = time.monotonic()
            out = p.stdout.read()
            p.wait()
            end = time.monotonic()
            if p.returncode not in (0, 1):
                return "error:" + "".join(err).strip()[-200:]
            cmp = json.loads(out)
            verdict, reason = kind_of(cmp)
            wall = [v for v in cmp["verdicts"] if v["measure"] == "wall_time" and v["gating"]][0]
            result = next((c["result"] for c in wall.get("caveats", [])
                           if c["kind"] == "paired_confirmation"), None)
            fallback = next((l.strip() for l in err if "paired confirmation of" in l), None)
            extra = {"confirmation": result or ("fallback" if fallback else "none"),
                     "extra_seconds": end - confirm_at if confirm_at else 0.0,
                     "judged_run_seconds": end - start}
            if fallback:
                extra["fallback"] = fallback
            return verdict, reason, extra
    except RuntimeError as e:
        return "error:" + str(e)[:200]
    return "error:unreachable"


def bg_ab(extra):
    def judge(work, m, tmp):
        r = sh([str(BENCHGATE), "--json", "ab", "-q", "--name", "work", "--base",
                f"{work} {BASE_N}", "--head", f"{work} {m}"] + THRESHOLDS + extra)
        if r.returncode not in (0, 1, 4):
            return "error:" + r.stderr.strip()[:200]
        return kind_of(json.loads(r.stdout))
    return judge


def criterion(work, m, tmp):
    bench = CRITERION_TARGET / "bench-binary"
    common = ["--bench", "--measurement-time", "1", "--warm-up-time", "0.5", "--noplot"]
    env = dict(os.environ, CRITERION_HOME=str(tmp / "criterion"))
    r = sh([str(bench)] + common + ["--save-baseline", "base"], env=dict(env, WORK_N=str(BASE_N)))
    if r.returncode != 0:
        return "error:" + r.stderr.strip()[:200]
    r = sh([str(bench)] + common + ["--baseline", "base"], env=dict(env, WORK_N=str(m)))
    out = r.stdout + r.stderr
    if "Performance has regressed" in out:
        return "regressed"
    if "Performance has improved" in out:
        return "improved"
    if "No change in performance detected" in out or "Change within noise threshold" in out:
        return "unchanged"
    return "error:" + out.strip()[-200:]


def hyperfine(work, m, tmp):
    out = tmp / "h.json"
    r = sh(["hyperfine", "-N", "--runs", "20", "--warmup", "3", "--export-json", str(out),
            f"{work} {BASE_N}", f"{work} {m}"])
    if r.returncode != 0:
        return "error:" + r.stderr.strip()[:200]
    res = json.load(open(out))["results"]
    change = res[1]["mean"] / res[0]["mean"] - 1
    if change > 0.05:
        return "regressed"
    if change < -0.05:
        return "improved"
    return "unchanged"


PERFGATE = Path(os.environ.get("PERFGATE", "/work/perfgate/bin/perfgate"))


def perfgate(work, m, tmp):
    base, head, cmp = tmp / "pg-base.json", tmp / "pg-head.json", tmp / "pg-cmp.json"
    for path, n in ((base, BASE_N), (head, m)):
        r = sh([str(PERFGATE), "run", "--name", "work", "--repeat", "20", "--warmup", "3",
                "--out", str(path), "--", str(work), str(n)])
        if r.returncode != 0:
            return "error:" + r.stderr.strip()[:200]
    r = sh([str(PERFGATE), "compare", "--baseline", str(base), "--current", str(head),
            "--threshold", "0.05", "--out", str(cmp)])
    if r.returncode not in (0, 2):
        return "error:" + r.stderr.strip()[:200]
    wall = json.load(open(cmp))["deltas"]["wall_ms"]
    if wall["status"] in ("warn", "fail"):
        return "regressed"
    return "improved" if wall["pct"] < -0.05 else "unchanged"


def perfgate_paired(work, m, tmp):
    out = tmp / "pg-paired.json"
    r = sh([str(PERFGATE), "paired", "--name", "work", "--baseline", f"{work} {BASE_N}",
            "--current", f"{work} {m}", "--repeat", "20", "--warmup", "3",
            "--fail-on-regression", "5.0", "--require-significance", "--significance-alpha",
            "0.05", "--out", str(out)])
    if r.returncode == 2 or "wall time regression" in r.stderr:
        return "regressed"
    if r.returncode != 0:
        return "error:" + r.stderr.strip()[:200]
    return "unchanged"


JUDGES = {
    "bg-run": bg_run,
    "bg-run-paired": bg_run_paired,
    "bg-ab": bg_ab(["--runs", "30"]),
    "bg-ab-adapt": bg_ab(["--max-time", "20s"]),
    "bg-instr": bg_ab(["--measure", "instructions"]),
    "criterion": criterion,
    "hyperfine": hyperfine,
    "perfgate": perfgate,
    "perfgate-paired": perfgate_paired,
}


def build_criterion():
    crate = HERE / "criterion-bench"
    r = sh(["cargo", "bench", "--no-run", "--message-format=json"], cwd=crate,
           env=dict(os.environ, CARGO_TARGET_DIR=str(CRITERION_TARGET)))
    for line in r.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "work" \
                and msg.get("executable"):
            link = CRITERION_TARGET / "bench-binary"
            if link.exists() or link.is_symlink():
                link.unlink()
            link.symlink_to(msg["executable"])
            return
    sys.exit("could not build the criterion bench:\n" + r.stderr[-2000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10 trials of each kind")
    ap.add_argument("--judges", default=",".join(JUDGES))
    ap.add_argument("--aa", type=int, default=100)
    ap.add_argument("--ab5", type=int, default=100)
    ap.add_argument("--ab2", type=int, default=20)
    ap.add_argument("--ab10", type=int, default=20)
    ap.add_argument("--out", default=str(HERE / "results.json"))
    ap.add_argument("--resume", action="store_true",
                    help="keep the trials already in --out (and its calibration) and run the rest")
    args = ap.parse_args()
    judges = args.judges.split(",")
    counts = {"0%": args.aa, "2%": args.ab2, "5%": args.ab5, "10%": args.ab10}
    if args.quick:
        counts = {k: min(v, 10) for k, v in counts.items()}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        work = build(tmp)
        if "criterion" in judges:
            build_criterion()
        if args.resume:
            results = json.load(open(args.out))
            plan = results["calibration"]["head_rounds"]
        else:
            t_base, per_round, fixed = calibrate(work)
            plan = {k: rounds_for(float(k[:-1]) / 100, t_base, per_round) for k in counts}
            results = {"calibration": {"base_rounds": BASE_N, "t_base_ns": t_base,
                                       "per_round_ns": per_round, "fixed_ns": fixed,
                                       "head_rounds": plan},
                       "trials": []}
        print(f"work {BASE_N}: head rounds {plan}", flush=True)
        # Trials already done (by the first judge's count), when resuming.
        done = {k: sum(1 for t in results["trials"] if t["slowdown"] == k and t["judge"] == judges[0])
                for k in counts}
        # Trials of all kinds interleaved, so machine drift hits all of them alike.
        order = []
        for i in range(max(counts.values())):
            for kind in counts:
                if done[kind] <= i < counts[kind]:
                    order.append(kind)
        for i, kind in enumerate(order):
            for judge in judges:
                start = time.monotonic()
                verdict = JUDGES[judge](work, plan[kind], tmp)
                seconds = time.monotonic() - start
                trial = {"judge": judge, "slowdown": kind, "seconds": seconds}
                if isinstance(verdict, tuple):  # benchgate's judges also say why
                    if len(verdict) == 3:  # and paired confirmation what it cost
                        verdict, trial["reason"], more = verdict
                        trial.update(more)
                    else:
                        verdict, trial["reason"] = verdict
                trial["verdict"] = verdict
                results["trials"].append(trial)
            if (i + 1) % 10 == 0:
                print(f"  {i + 1}/{len(order)} trials", flush=True)
                json.dump(results, open(args.out, "w"), indent=1)
        json.dump(results, open(args.out, "w"), indent=1)
    print_table(results, judges)


def print_table(results, judges):
    print()
    print(f"{'judge':<16} {'false alarms (A/A)':>19} {'detected +2%':>13} {'detected +5%':>13} "
          f"{'detected +10%':>14} {'inconclusive':>13} {'errors':>7} {'s/verdict':>10}")
    for judge in judges:
        rows = [t for t in results["trials"] if t["judge"] == judge]

        def rate(kind, verdict):
            r = [t for t in rows if t["slowdown"] == kind]
            if not r:
                return "-"
            k = sum(1 for t in r if t["verdict"] == verdict)
            return f"{k}/{len(r)} {100 * k / len(r):.0f}%"

        inconclusive = sum(1 for t in rows if t["verdict"] == "inconclusive")
        errors = sum(1 for t in rows if t["verdict"].startswith("error"))
        secs = statistics.mean(t["seconds"] for t in rows) if rows else 0
        print(f"{judge:<16} {rate('0%', 'regressed'):>19} {rate('2%', 'regressed'):>13} "
              f"{rate('5%', 'regressed'):>13} {rate('10%', 'regressed'):>14} "
              f"{inconclusive:>6}/{len(rows):<6} {errors:>7} {secs:>10.2f}")
    for judge in judges:
        rows = [t for t in results["trials"] if t["judge"] == judge and "extra_seconds" in t]
        if not rows:
            continue
        print(f"\n{judge}: the seconds paired confirmation added (checkout, two builds, pairs)")
        for kind in ("0%", "2%", "5%", "10%"):
            r = [t for t in rows if t["slowdown"] == kind]
            if not r:
                continue
            extra = sorted(t["extra_seconds"] for t in r)
            results_of = {c: sum(1 for t in r if t["confirmation"] == c)
                          for c in ("confirmed", "refuted", "inconclusive", "fallback", "none")}
            said = ", ".join(f"{c} {k}" for c, k in results_of.items() if k)
            print(f"  +{kind:<4} median {statistics.median(extra):6.2f} s, worst {extra[-1]:6.2f} s"
                  f"  ({said})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--table":
        r = json.load(open(sys.argv[2] if len(sys.argv) > 2 else HERE / "results.json"))
        print_table(r, sorted({t["judge"] for t in r["trials"]}, key=list(JUDGES).index))
    else:
        main()
