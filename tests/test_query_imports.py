"""Queries that need no compiled kernels, sparse algebra or segmenter never import them (issue 13, item 4).

Each command runs in a fresh interpreter through the real entry point; the modules it imported are read
from ``sys.modules`` at exit. The PMI model of ``serve_models`` has a narrow table, so ``similar`` runs its
default readout (blend), the slowest cosine path.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numba", "scipy", "jieba", "rjieba", "gensim")
PROBE = """
import json, sys
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["wordvec", *args]
from wordvec.cli.main import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(heavy))))
"""


def _imported(args: list[str]) -> tuple[list[str], str]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stdout


@pytest.mark.parametrize("query", [["similar", "{pmi}", "北京"], ["similar", "{pmi}", "北京", "--method", "cosine"],
                                   ["related", "{pmi}", "北京"], ["similar", "{svd}", "北京"], ["--help"]])
def test_cosine_queries_import_no_heavy_module(serve_models, query):
    pmi, svd = serve_models
    args = [part.format(pmi=pmi, svd=svd) for part in query]
    heavy, output = _imported(args)
    assert heavy == [], (args, heavy)
    if query[0] == "similar":
        assert "上海" in output  # the query really ran
