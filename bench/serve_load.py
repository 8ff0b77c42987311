"""Load benchmark of `wordvec serve` (issue 15): start-up time, then requests from concurrent clients.

    python bench/serve_load.py [MODEL] [--requests 2000] [--clients 8] [--synthetic 74000x128]

Starts ``python -m wordvec serve MODEL --port 0 --quiet`` as a real process and times (1) start-up: from
launch to the first answered ``/api/info`` and to the first answered ``/api/similar``; (2) load: REQUESTS
requests over loopback from CLIENTS threads, alternating ``/api/similar`` and ``/api/related`` (n=10) on
words drawn from the 200th-5,000th most frequent, one connection per request, repeated ROUNDS times.
Prints requests/s, p50 and p99 latency per endpoint, errors, and the server's RSS before the load and
after each round (the first round is the issue's target; later rounds show whether RSS keeps growing).
A pass of 200 requests from one client first gives the latency without queueing.

Peers measured in the same run: the same queries called in this process on the same memory-mapped model
(``Embedding.most_similar`` / ``most_related``, one thread and one BLAS thread like the server: the server's
overhead and queueing is the difference), and
the one-shot CLI (``wordvec similar MODEL WORD --json``, a process per query: what the server saves).
``--synthetic RxD``: a random R×D model with Zipf counts instead of MODEL (start-up timing without data).
The machine may be shared with other jobs: quote the ratios, and the load average printed at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from wordvec import Embedding  # noqa: E402


def rss_kib(pid: int) -> int:
    """Resident set size of process ``pid`` in KiB (Linux /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def synthetic_model(spec: str, folder: str) -> str:
    rows, dim = (int(x) for x in spec.lower().split("x"))
    from wordvec.corpora import Vocabulary

    rng = np.random.default_rng(0)
    counts = np.maximum(5, (1e8 / np.arange(1, rows + 1) ** 1.05).astype(np.int64))
    vectors = (rng.standard_normal((rows, dim)) / np.sqrt(dim)).astype(np.float32)
    path = os.path.join(folder, f"synthetic-{rows}x{dim}")
    Embedding(vectors, Vocabulary([f"词{i}" for i in range(rows)], counts),
              {"kind": "pmi", "total_tokens": int(counts.sum())}).save(path)
    return path


def fetch(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def start(model: str) -> tuple[subprocess.Popen, str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    launched = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "wordvec", "serve", model, "--port", "0", "--quiet"],
                            stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, line.split("at ", 1)[1].split()[0], launched


def run_load(base: str, words: list[str], clients: int) -> tuple[dict[str, list[float]], list[str], float]:
    """``len(words)`` requests from ``clients`` threads, alternating similar and related; returns the
    latencies (ms) per endpoint, the errors and the wall time."""
    latencies: dict[str, list[float]] = {"similar": [], "related": []}
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(len(words)))

    def client() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            endpoint = "similar" if i % 2 == 0 else "related"
            url = f"{base}api/{endpoint}?" + urllib.parse.urlencode({"w": words[i], "n": 10})
            t0 = time.perf_counter()
            try:
                code, body = fetch(url)
                ok = code == 200 and isinstance(json.loads(body), list)
            except Exception as err:  # noqa: BLE001 - every failure counts as an error
                ok, code = False, repr(err)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies[endpoint].append(elapsed * 1e3)
                if not ok:
                    errors.append(f"{endpoint} {words[i]!r}: {code}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="/work/models/zh_mixed")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="load rounds of REQUESTS each (RSS after each)")
    parser.add_argument("--synthetic", metavar="RxD", help="use a random R×D model instead of MODEL")
    parser.add_argument("--cli-queries", type=int, default=5, help="one-shot CLI queries for the peer")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="serve-bench-")
    model = synthetic_model(args.synthetic, tmp.name) if args.synthetic else args.model
    emb = Embedding.load(model, mmap=True)
    rng = np.random.default_rng(0)
    low, high = min(200, len(emb) // 4), min(5000, len(emb))
    words = [emb.words[int(i)] for i in rng.integers(low, high, size=args.requests)]
    print(f"model {model}: {len(emb)} words × {emb.shape[1]}, kind {emb.kind}")

    proc, base, launched = start(model)
    try:
        printed = time.perf_counter() - launched
        while fetch(base + "api/info")[0] != 200:
            time.sleep(0.01)
        first_info = time.perf_counter() - launched
        status, _ = fetch(base + "api/similar?" + urllib.parse.urlencode({"w": words[0]}))
        first_similar = time.perf_counter() - launched
        print(f"start-up: URL printed {printed:.2f} s, first /api/info {first_info:.2f} s, "
              f"first /api/similar {first_similar:.2f} s (status {status})")
        waited = time.perf_counter()  # until the warm-up (numba kernels, int8 copies, profile) is done ...
        during = []  # ... one client keeps asking, to see what a request waits meanwhile
        while not all(m["warm"] for m in json.loads(fetch(base + "api/models")[1])):
            t = time.perf_counter()
            fetch(base + "api/similar?" + urllib.parse.urlencode({"w": words[len(during) % len(words)]}))
            during.append((time.perf_counter() - t) * 1e3)
        print(f"warm-up finished {time.perf_counter() - launched:.1f} s after launch "
              f"(waited {time.perf_counter() - waited:.1f} s); {len(during)} similar requests meanwhile, "
              f"slowest {max(during, default=0):.0f} ms")
        for word in words[:40]:  # touch the pages of the table the load will read, like any first queries
            fetch(base + "api/similar?" + urllib.parse.urlencode({"w": word}))
            fetch(base + "api/related?" + urllib.parse.urlencode({"w": word}))
        rss_before = rss_kib(proc.pid)

        rounds = []
        sequential = run_load(base, words[:200], 1)
        for _ in range(args.rounds):
            rounds.append((*run_load(base, words, args.clients), rss_kib(proc.pid)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    print(f"one client, {len(words[:200])} requests in turn: " + ", ".join(
        f"/api/{name} p50 {percentile(v, 50):.1f} ms p99 {percentile(v, 99):.1f} ms"
        for name, v in sequential[0].items()))
    rss_prev = rss_before
    for number, (latencies, errors, wall, rss_after) in enumerate(rounds, 1):
        total = sum(len(v) for v in latencies.values())
        print(f"round {number}: {total} requests from {args.clients} clients in {wall:.2f} s = "
              f"{total / wall:.0f} requests/s, errors {len(errors)}")
        for endpoint, values in latencies.items():
            print(f"  /api/{endpoint:8s} p50 {percentile(values, 50):6.1f} ms   p99 {percentile(values, 99):6.1f} ms"
                  f"   max {max(values):6.1f} ms")
        for line in errors[:5]:
            print("  error:", line)
        print(f"  server RSS {rss_after / 1024:.1f} MiB: {(rss_after - rss_before) / rss_before * 100:+.1f}% since "
              f"before the load ({rss_before / 1024:.1f} MiB), {(rss_after - rss_prev) / rss_prev * 100:+.1f}% "
              "in this round")
        rss_prev = rss_after
    latencies = rounds[0][0]

    # peers, same run: the library in this process (no HTTP; one BLAS thread, as the server), and the CLI
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    direct: dict[str, list[float]] = {"similar": [], "related": []}
    for i, word in enumerate(words[:400]):
        for name, call in (("similar", lambda: emb.most_similar(word, topn=10)),
                           ("related", lambda: emb.most_related(word, topn=10))):
            t = time.perf_counter()
            call()
            direct[name].append((time.perf_counter() - t) * 1e3)
    for name, values in direct.items():
        server_p50 = percentile(latencies[name], 50)
        print(f"peer, library call in-process ({name}): p50 {percentile(values, 50):.2f} ms, "
              f"p99 {percentile(values, 99):.2f} ms; server p50 / library p50 = "
              f"{server_p50 / percentile(values, 50):.1f}×")
    cli_times = []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    for word in words[: args.cli_queries]:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "wordvec", "similar", model, word, "--json"], check=True,
                       capture_output=True, env=env)
        cli_times.append((time.perf_counter() - t) * 1e3)
    cli_p50 = percentile(cli_times, 50)
    print(f"peer, one-shot CLI 'wordvec similar --json': p50 {cli_p50:.0f} ms per query; "
          f"CLI / server p50 = {cli_p50 / percentile(latencies['similar'], 50):.0f}×")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    tmp.cleanup()


if __name__ == "__main__":
    main()
