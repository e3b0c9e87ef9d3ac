#!/usr/bin/env python3
"""`benchgate load` against wrk and oha on the same loopback server, side by side in one run.

Servers: `benchgate mock-backend` with zero latency, and nginx (Debian's) answering `return 200`
from one worker, each in its own process on 127.0.0.1. Against each, every round runs the three
tools with the same connections and duration, in a rotated order (so drift of the machine hits
all of them alike), and reads what each reports: requests per second and the p99 latency of the
whole run.

  wrk  -tT -c C -d Ds --latency URL                          (Debian's wrk 4.1; T = 2, its default)
  oha  -c C -z Ds --no-tui --output-format json URL          (`cargo install oha`; its own threads)
  benchgate load URL --concurrency C --duration Ds --threads B   (B = 1, its default; whole-level labels)

Then memory: the peak RSS of `benchgate load` after N and after 10 N requests (closed model,
same connections), from wait4 — it must stay flat.

This is a benchmark, not a test: it always exits 0 and prints medians over rounds and the ratios
benchgate/wrk and benchgate/oha.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_mock(binary):
    proc = subprocess.Popen([binary, "mock-backend", "-q"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        raise SystemExit(f"mock-backend said {line!r}")
    return proc, line[len("listening on "):] + "/"


NGINX_CONF = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
  uwsgi_temp_path {dir}; scgi_temp_path {dir};
  server {{ listen 127.0.0.1:{port}; keepalive_requests 1000000; location / {{ return 200 "ok"; }} }}
}}
"""


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        return None, None
    port = free_port()
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=workdir, port=port))
    proc = subprocess.Popen([nginx, "-c", conf, "-p", workdir], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            import urllib.request
            urllib.request.urlopen(url, timeout=1).read()
            return proc, url
        except Exception:
            time.sleep(0.05)
    proc.kill()
    return None, None


def ms(text):
    """wrk's latency text (`1.23ms`, `850.00us`, `1.01s`) in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def run_wrk(url, connections, seconds, threads):
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    return rps, p99


def run_oha(binary, url, connections, seconds):
    out = subprocess.run([binary, "-c", str(connections), "-z", f"{seconds}s", "--no-tui",
                          "--output-format", "json", url],
                         capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    return doc["summary"]["requestsPerSec"], doc["latencyPercentiles"]["p99"] * 1e3


def run_benchgate(binary, url, connections, bound, workdir, threads):
    out = os.path.join(workdir, "bg.json")
    args = [binary, "--db", f"sqlite://{workdir}/bg.db", "-q", "load", url,
            "--concurrency", str(connections), "--threads", str(threads),
            "--name", "bench", "--export-json", out,
            "--format", "json"] + bound
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"benchgate load failed: {proc.stderr.read().decode()}")
    with open(out) as f:
        run = json.load(f)
    labels = run["benchmarks"][0]["labels"]
    rps = float(labels["whole.throughput"])
    p99 = int(labels["whole.latency_p99_ns"]) / 1e6
    return rps, p99, usage.ru_maxrss * 1024, int(labels["ops"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (its default)")
    parser.add_argument("--benchgate-threads", type=int, default=1,
                        help="benchgate's client threads (its default)")
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--json", help="write every measurement here")
    args = parser.parse_args()
    binary = os.path.join(ROOT, "target", "release", "benchgate")
    oha = shutil.which("oha") or "/work/oha/bin/oha"
    if not os.path.exists(oha):
        oha = None
    workdir = tempfile.mkdtemp(prefix="http-vs-wrk-")
    servers = []
    mock, mock_url = start_mock(binary)
    servers.append(("mock-backend", mock, mock_url))
    nginx, nginx_url = start_nginx(workdir)
    if nginx:
        servers.append(("nginx", nginx, nginx_url))
    results = {}
    try:
        for name, _, url in servers:
            tools = {
                "wrk": lambda: run_wrk(url, args.connections, args.seconds, args.threads),
                "benchgate": lambda: run_benchgate(
                    binary, url, args.connections, ["--duration", f"{args.seconds}s"],
                    workdir, args.benchgate_threads)[:2],
            }
            if oha:
                tools["oha"] = lambda: run_oha(oha, url, args.connections, args.seconds)
            order = list(tools)
            per_tool = {tool: [] for tool in tools}
            for round_ in range(args.rounds):
                rotated = order[round_ % len(order):] + order[:round_ % len(order)]
                for tool in rotated:
                    rps, p99 = tools[tool]()
                    per_tool[tool].append((rps, p99))
                    print(f"{name} round {round_ + 1} {tool:>9}: {rps:10.0f} req/s  p99 {p99:8.3f} ms",
                          flush=True)
            results[name] = per_tool
        memory = []
        for n in (args.memory_requests, 10 * args.memory_requests):
            _, _, rss, ops = run_benchgate(binary, mock_url, args.connections,
                                           ["--requests", str(n)], workdir,
                                           args.benchgate_threads)
            memory.append((ops, rss))
            print(f"memory: {ops} requests, peak RSS {rss / 2**20:.1f} MiB", flush=True)
    finally:
        for _, proc, _ in servers:
            proc.terminate()
            proc.wait()
    print()
    print(f"{args.connections} connections, wrk {args.threads} threads, benchgate "
          f"{args.benchgate_threads}, {args.seconds} s per run, medians of {args.rounds} rounds")
    print(f"{'server':<13} {'tool':>9} {'req/s':>10} {'p99 ms':>8} {'req/s ratio':>12} {'p99 ratio':>10}")
    for name, per_tool in results.items():
        med = {t: (statistics.median(r for r, _ in v), statistics.median(p for _, p in v))
               for t, v in per_tool.items()}
        for tool, (rps, p99) in med.items():
            ratio = "" if tool == "benchgate" else \
                f"{med['benchgate'][0] / rps:11.2f}x {med['benchgate'][1] / p99:9.2f}x"
            print(f"{name:<13} {tool:>9} {rps:10.0f} {p99:8.3f} {ratio}")
    (n1, r1), (n2, r2) = memory
    print(f"memory: {n1} requests {r1 / 2**20:.1f} MiB, {n2} requests {r2 / 2**20:.1f} MiB "
          f"({r2 / r1:.2f}x for {n2 / max(n1, 1):.0f}x the requests)")
    print("ratios are benchgate / peer: req/s above 1 = benchgate faster; p99 below 1 = lower")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"connections": args.connections, "seconds": args.seconds,
                       "wrk_threads": args.threads, "benchgate_threads": args.benchgate_threads,
                       "results": results, "memory": memory}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
