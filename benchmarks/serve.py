"""A warm `regelgat serve` against a cold `regelgat check`, in one run, on this machine.

Run: python benchmarks/serve.py [--requests 200] [--clients 50] [--cold 5]. It starts the server
as a user would (`regelgat serve` in its own process, on 127.0.0.1), then measures:

1. the latency of POST /api/v1/check one request at a time (median, 95th percentile), against a
   cold `regelgat check --format json` in a fresh process (median), and their ratio (goal: >= 20);
2. --requests requests from --clients concurrent clients over the bundled personas: every answer
   must equal the CLI's JSON for that persona;
3. a 2 MB body, which must get 413 while the concurrent clients keep being served.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-01-15"
PERSONAS = sorted((ROOT / "scenarios" / "personas").glob("*.yaml"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cold_check(persona: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "regelgat", "check", str(persona), "--date", DATE, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, json.loads(out)


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "regelgat", "serve", "--port", str(port), "--date", DATE],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{url}/api/v1/schema", timeout=1)
            return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


async def concurrent(url: str, bodies: list[dict], expected: list[dict], requests: int, clients: int) -> tuple[int, float, int]:
    """(correct answers, wall seconds, status of the 2 MB body sent in the middle of the load)."""
    limits = httpx.Limits(max_connections=clients + 1)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        queue = list(range(requests))
        correct = 0

        async def worker():
            nonlocal correct
            while queue:
                index = queue.pop()
                response = await client.post("/api/v1/check", json=bodies[index % len(bodies)])
                correct += response.status_code == 200 and response.json() == expected[index % len(bodies)]

        async def oversized():
            await asyncio.sleep(0.05)
            body = b'{"profile": {"id": "' + b"x" * 2_000_000 + b'", "age": 30}}'
            try:
                response = await client.post("/api/v1/check", content=body, headers={"content-type": "application/json"})
                return response.status_code
            except httpx.TransportError as error:  # the server may close before reading it all
                return f"connection closed ({type(error).__name__})"

        start = time.perf_counter()
        results = await asyncio.gather(oversized(), *(worker() for _ in range(clients)))
        return correct, time.perf_counter() - start, results[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cold", type=int, default=5, help="fresh `regelgat check` processes per persona")
    parser.add_argument("--warm", type=int, default=200, help="sequential API requests for the latency")
    args = parser.parse_args()

    cold, expected = [], []
    for persona in PERSONAS:
        for _ in range(args.cold):
            seconds, payload = cold_check(persona)
            cold.append(seconds)
        expected.append(payload)
    bodies = [{"profile": yaml.safe_load(p.read_text()), "date": DATE} for p in PERSONAS]

    server, url = start_server()
    try:
        warm = []
        with httpx.Client(base_url=url, timeout=60) as client:
            for index in range(args.warm):
                start = time.perf_counter()
                response = client.post("/api/v1/check", json=bodies[index % len(bodies)])
                warm.append(time.perf_counter() - start)
                assert response.json() == expected[index % len(bodies)], "the API and the CLI disagree"
        correct, wall, big = asyncio.run(concurrent(url, bodies, expected, args.requests, args.clients))
        still = httpx.post(f"{url}/api/v1/check", json=bodies[0], timeout=60).json() == expected[0]
    finally:
        server.terminate()
        server.wait(timeout=30)

    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    print(f"{len(PERSONAS)} personas, rules date {DATE}")
    print(f"cold `regelgat check`: median {cold_median * 1000:.0f} ms, p95 {percentile(cold, 0.95) * 1000:.0f} ms "
          f"({len(cold)} fresh processes)")
    print(f"warm POST /api/v1/check: median {warm_median * 1000:.1f} ms, p95 {percentile(warm, 0.95) * 1000:.1f} ms "
          f"({len(warm)} sequential requests)")
    print(f"warm is {cold_median / warm_median:.0f}x faster than cold (goal: at least 20x)")
    print(f"{args.requests} requests from {args.clients} concurrent clients: {correct} correct, {wall:.2f} s, "
          f"{args.requests / wall:.0f} requests/s")
    print(f"2 MB body during the load: {big}; server still answering correctly afterwards: {still}")
    ok = correct == args.requests and big == 413 and still and cold_median / warm_median >= 20
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
