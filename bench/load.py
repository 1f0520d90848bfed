"""Load test of the web server: p50/p95 latency and errors of Today, Opportunity and /api/plan.

Starts `followup serve` on 127.0.0.1 over a temporary SQLite database holding a generated job
search (``generate.py``, 1,000 opportunities by default, dated around now), warms it up, then
runs 50 concurrent clients (threads, one keep-alive connection each) that request the three
pages in turn for a fixed time. Bounded: the whole run stops within ``--seconds`` plus start-up.

    python bench/load.py                     # 1,000 opportunities, 50 clients, 20 s, 1 s think
    python bench/load.py --think 0           # back to back: the server's saturation point
    python bench/load.py --clients 50 --seconds 30 --json bench/out/load.json

Target: p95 <= 50 ms for Today, and no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from generate import generate

TARGET_TODAY_P95_MS = 50.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(work: Path, n: int, seed: int) -> tuple[subprocess.Popen[bytes], str, str]:
    """Import the generated data and start the server; returns (process, url, an opp id)."""
    followup = str(Path(sys.executable).parent / "followup")
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(work), "FOLLOWUP_CONFIG_DIR": str(work)}
    document = generate(n, seed=seed, now=datetime.now(UTC))
    data = work / "data.json"
    data.write_text(json.dumps(document))
    db = ["--db", str(work / "load.db")]
    subprocess.run([followup, *db, "import", str(data)], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [followup, *db, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)
    middle = document["opportunities"][n // 2]["id"]
    return process, url, str(middle)


def run_clients(
    url: str, paths: dict[str, str], clients: int, seconds: float, think: float
) -> dict[str, dict[str, Any]]:
    """Each client requests the pages in turn, pausing ``think`` seconds (jittered +-50%)
    between requests, as a person reading a page does; 0 hammers the server back to back."""
    timings: dict[str, list[float]] = {name: [] for name in paths}
    errors: dict[str, list[str]] = {name: [] for name in paths}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    names = list(paths)

    def client(index: int) -> None:
        with httpx.Client(base_url=url, timeout=10) as http:
            time.sleep(random.uniform(0, think))  # people do not all click at the same instant
            turn = index
            while time.monotonic() < stop:
                name = names[turn % len(names)]
                turn += 1
                started = time.perf_counter()
                try:
                    response = http.get(paths[name])
                    response.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    problem = None if response.status_code == 200 else str(response.status_code)
                except httpx.HTTPError as exc:
                    elapsed, problem = 0.0, type(exc).__name__
                with lock:
                    if problem:
                        errors[name].append(problem)
                    else:
                        timings[name].append(elapsed)
                if think:
                    time.sleep(think * random.uniform(0.5, 1.5))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    return {
        name: {
            "requests": len(timings[name]),
            "errors": len(errors[name]),
            "p50_ms": _percentile(timings[name], 50),
            "p95_ms": _percentile(timings[name], 95),
            "max_ms": max(timings[name], default=0.0),
        }
        for name in paths
    }


def _percentile(values: list[float], percent: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds a client waits between requests"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 60:
        parser.error("--seconds must be from 1 to 60")
    with tempfile.TemporaryDirectory() as folder:
        process, url, opp = start_server(Path(folder), args.opportunities, args.seed)
        try:
            paths = {"today": "/", "opportunity": f"/opportunities/{opp}", "api_plan": "/api/plan"}
            with httpx.Client(base_url=url, timeout=60) as warm:  # compile and cache the plan
                for path in paths.values():
                    warm.get(path).raise_for_status()
            results = run_clients(url, paths, args.clients, args.seconds, args.think)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(
        f"{args.opportunities} opportunities, {args.clients} clients, {args.seconds:g} s, "
        f"think time {args.think:g} s"
    )
    print(f"{'page':<12} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, r in results.items():
        print(
            f"{name:<12} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>8.1f} "
            f"{r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {"opportunities": args.opportunities, "clients": args.clients,
                  "seconds": args.seconds, "think": args.think, "results": results}  # fmt: skip
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    today = results["today"]
    ok = today["p95_ms"] <= TARGET_TODAY_P95_MS and not any(r["errors"] for r in results.values())
    print(f"Today p95 target {TARGET_TODAY_P95_MS:g} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
