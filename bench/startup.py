"""Start-up of one-shot commands, each measured as a whole process, against `python -c pass` in the same run.

    python bench/startup.py MODEL [--before CHECKOUT] [--reps 7]

MODEL is a model directory (e.g. a 74k×128 zh_mixed model). Each command runs ``--reps`` times; the runs of
all commands (and of both checkouts with ``--before``) are interleaved, so a busy phase of the machine hits
them alike. Printed per command: median wall seconds, median CPU seconds (user + system of the process), and
both as a ratio to ``python -c pass``. ``--before`` names another checkout (e.g. ../main before issue 13)
to run the same commands from (``PYTHONPATH`` selects the checkout), for a before/after table.

The keyword query segments its text with the engine the model's meta names. A model trained before rjieba
names the Python engine (and pays for loading it); the bench also runs the query on a copy of MODEL whose
meta names rjieba (vectors and vocabulary linked, not copied; the tokens of both engines are identical,
tests/test_engines.py), which is what a model trained today carries.

It also reports which of numba, scipy, jieba, rjieba, gensim each command imported (the same command run
once more in-process, listing ``sys.modules`` at exit).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEAVY = ("numba", "scipy", "jieba", "rjieba", "gensim")
TEXT = "中国队在世界杯预选赛中以二比一战胜对手，赢得了出线权。"

PROBE = (
    "import sys, json\n"
    "from wordvec.cli.main import cli\n"
    "try:\n"
    "    cli(sys.argv[1:], prog_name='wordvec', standalone_mode=False)\n"
    "finally:\n"
    f"    print('IMPORTED ' + json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
)


def _run(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, from wait4) of one process (run in a neutral folder: with
    ``-c``/``-m`` the current folder comes first on ``sys.path`` and would pick the checkout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=env["WORDVEC_RUN_DIR"])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def _argv(cli_args: list[str] | None) -> list[str]:
    if cli_args is None:
        return [sys.executable, "-c", "pass"]
    return [sys.executable, "-m", "wordvec.cli.main", *cli_args]


def _imported(args: list[str], env: dict) -> list[str]:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True,
                         cwd=env["WORDVEC_RUN_DIR"])
    for line in res.stderr.splitlines():
        if line.startswith("IMPORTED "):
            return json.loads(line[len("IMPORTED "):])
    return ["?"]


def _relabelled(model: str, tmp: str) -> str:
    """A copy of ``model`` (files linked) whose meta says the corpus was segmented by rjieba."""
    from wordvec.corpora.tokenize import TokenizerSettings

    out = os.path.join(tmp, "model-rjieba")
    os.makedirs(out)
    for name in os.listdir(model):
        if name != "meta.json":
            os.symlink(os.path.join(os.path.abspath(model), name), os.path.join(out, name))
    with open(os.path.join(model, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    old = meta.get("tokenizer") or {}
    new = TokenizerSettings(hmm=bool(old.get("hmm")), split_alnum=bool(old.get("split_alnum")))
    meta["tokenizer"] = new.to_dict()
    with open(os.path.join(out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--before", default=None, help="another checkout to run the same commands from")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    if not os.path.isdir(args.model):
        sys.exit(f"model not found: {args.model}")
    args.model = os.path.abspath(args.model)
    after = os.path.dirname(HERE)
    trees = [("after", after)] + ([("before", os.path.abspath(args.before))] if args.before else [])
    with tempfile.TemporaryDirectory(prefix="wordvec-startup-") as tmp:
        relabelled = _relabelled(args.model, tmp)
        commands = [
            ("python -c pass", None),
            ("wordvec --help", ["--help"]),
            ("wordvec similar MODEL 上海", ["similar", args.model, "上海"]),
            ("wordvec related MODEL 上海", ["related", args.model, "上海"]),
            ("wordvec keywords MODEL TEXT (meta: jieba-py)", ["keywords", args.model, TEXT]),
            ("wordvec keywords MODEL TEXT (meta: rjieba)", ["keywords", relabelled, TEXT]),
        ]
        envs = {}
        for label, tree in trees:
            env = dict(os.environ, PYTHONPATH=tree, WORDVEC_RUN_DIR=tmp)
            env.setdefault("WORDVEC_CACHE_DIR", os.path.join(tmp, "cache"))
            envs[label] = env
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        imported: dict[tuple[str, str], list[str]] = {}
        for label, _ in trees:  # warm-up (page cache, numba's on-disk cache, .pyc), not timed
            for name, cli_args in commands:
                _run(_argv(cli_args), envs[label])
                if cli_args is not None:
                    imported[(label, name)] = _imported(cli_args, envs[label])
        load0 = os.getloadavg()[0]
        for _ in range(args.reps):
            for label, _ in trees:
                for name, cli_args in commands:
                    times.setdefault((label, name), []).append(_run(_argv(cli_args), envs[label]))
        load1 = os.getloadavg()[0]
    print(f"model: {args.model}; {args.reps} runs each, interleaved; load average before/after {load0:.2f} / "
          f"{load1:.2f}")
    print(f"python: {sys.executable}; commands run as `python -m wordvec.cli.main ...`")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so modules of a source checkout without __pycache__ are "
              "compiled on every run (about 30 ms here); `pip install` compiles them once. For numbers as users "
              "see them: python -m compileall -q wordvec corpora cli && env -u PYTHONDONTWRITEBYTECODE python "
              "bench/startup.py MODEL")
    for label, tree in trees:
        base_wall = statistics.median(w for w, _ in times[(label, "python -c pass")])
        base_cpu = statistics.median(c for _, c in times[(label, "python -c pass")])
        print(f"\n[{label}] {tree}")
        print(f"{'command':<46} {'wall s':>7} {'× pass':>7} {'cpu s':>7} {'× pass':>7}  imported")
        for name, _ in commands:
            wall = statistics.median(w for w, _ in times[(label, name)])
            cpu = statistics.median(c for _, c in times[(label, name)])
            heavy = ", ".join(imported.get((label, name), [])) or "-"
            print(f"{name:<46} {wall:>7.3f} {wall / base_wall:>6.2f}x {cpu:>7.3f} {cpu / base_cpu:>6.2f}x  "
                  f"{heavy if name != 'python -c pass' else ''}")
    if args.before:
        print(f"\n{'after / before (median wall, median cpu)':<46}")
        for name, _ in commands[1:]:
            a = [statistics.median(x[i] for x in times[("after", name)]) for i in (0, 1)]
            b = [statistics.median(x[i] for x in times[("before", name)]) for i in (0, 1)]
            print(f"{name:<46} {a[0] / b[0]:>6.2f}x {a[1] / b[1]:>6.2f}x")


if __name__ == "__main__":
    main()
