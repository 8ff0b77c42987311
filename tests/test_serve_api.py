"""`wordvec serve`'s JSON API and pages through Flask's test client, and the command as a real process.

Every endpoint is checked against the CLI's ``--json`` output for the same options (same numbers, same
shapes); every error status (400, 404, 405, 413, 500) comes back as JSON without a traceback; markup in
query parameters and in vocabulary words is escaped.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("flask", reason="wordvec serve needs Flask (pip install 'wordvec[serve]')")

from _serve_models import XSS_WORDS  # noqa: E402

from wordvec.cli.main import cli  # noqa: E402
from wordvec.cli.serve import params as limits  # noqa: E402
from wordvec.cli.serve.app import LOOPBACK_HOSTS, create_app  # noqa: E402
from wordvec.cli.serve.command import is_loopback, load_models  # noqa: E402
from wordvec.cli.serve.plots import loss_plot, pca_2d, shades, word_map  # noqa: E402


@pytest.fixture(scope="module")
def models(serve_models):
    return load_models(serve_models)


@pytest.fixture(scope="module")
def client(models):
    app = create_app(models, trusted_hosts=LOOPBACK_HOSTS)
    return app.test_client()


@pytest.fixture(scope="module")
def pmi_path(serve_models):
    return serve_models[0]


def cli_json(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def get_json(client, url, status=200, **kw):
    method = kw.pop("method", "GET")
    response = client.open(url, method=method, **kw)
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    return response.get_json()


def same(api, cli_out):
    """Equal JSON: same words in the same order, scores equal to float rounding."""
    if isinstance(api, list):
        assert [r["word"] for r in api] == [r["word"] for r in cli_out]
        assert np.allclose([r["score"] for r in api], [r["score"] for r in cli_out], rtol=0, atol=1e-9)
    else:
        assert api.keys() == cli_out.keys()
        for key in api:
            if isinstance(api[key], float):
                assert api[key] == pytest.approx(cli_out[key], abs=1e-9)
            else:
                assert api[key] == cli_out[key]


# --- the API gives the CLI's numbers -------------------------------------------------------------------
def test_similar_profile_related_equal_the_cli(client, pmi_path):
    same(get_json(client, "/api/similar?w=北京&n=5"), cli_json("similar", pmi_path, "北京", "-n", 5, "--json"))
    same(get_json(client, "/api/similar?w=北京&w=上海&negative=太阳&n=4"),
         cli_json("similar", pmi_path, "北京", "上海", "--negative", "太阳", "-n", 4, "--json"))
    same(get_json(client, "/api/profile?w=北京&context_words=6"),
         cli_json("similar", pmi_path, "北京", "--method", "profile", "--context-words", 6, "--json"))
    same(get_json(client, "/api/similar?w=北京&method=profile&context_words=6"),
         cli_json("similar", pmi_path, "北京", "--method", "profile", "--context-words", 6, "--json"))
    same(get_json(client, "/api/related?w=经济"), cli_json("related", pmi_path, "经济", "--json"))
    same(get_json(client, "/api/related?w=经济&alpha=0.3&n=3"),
         cli_json("related", pmi_path, "经济", "--alpha", 0.3, "-n", 3, "--json"))
    same(get_json(client, "/api/related?w=经济&normalize=true&include_self=1"),
         cli_json("related", pmi_path, "经济", "--normalize", "--include-self", "--json"))


def test_text_queries_equal_the_cli(client, pmi_path):
    text = "北京 经济 发展 城市 太阳"
    same(get_json(client, "/api/keywords", query_string={"text": text, "n": 3}),
         cli_json("keywords", pmi_path, text, "-n", 3, "--json"))
    same(get_json(client, "/api/keywords", query_string={"text": text, "method": "pmi-sum", "normalize": "1",
                                                        "exclude_self": "1", "unique": "1"}),
         cli_json("keywords", pmi_path, text, "--method", "pmi-sum", "--normalize", "--exclude-self", "--unique",
                  "--json"))
    same(get_json(client, "/api/keywords", query_string={"text": text + " 没见过", "association": "0.5",
                                                        "no_unknown": "1", "hmm": "0"}),
         cli_json("keywords", pmi_path, text + " 没见过", "--association", 0.5, "--no-unknown", "--no-hmm", "--json"))
    same(get_json(client, "/api/keywords", query_string={"text": text, "compounds": "1"}),
         cli_json("keywords", pmi_path, text, "--compounds", "--json"))
    same(get_json(client, "/api/sentsim", query_string={"text1": "北京 经济", "text2": "上海 发展"}),
         cli_json("sentsim", pmi_path, "北京 经济", "上海 发展", "--json"))
    same(get_json(client, "/api/sentsim", query_string={"text1": "北京 经济", "text2": "太阳", "raw": "yes"}),
         cli_json("sentsim", pmi_path, "北京 经济", "太阳", "--raw", "--json"))
    # a POST form and a JSON body give the same answer as the query string
    posted = client.post("/api/keywords", data={"text": text, "n": "3"}).get_json()
    same(posted, cli_json("keywords", pmi_path, text, "-n", 3, "--json"))
    posted = client.post("/api/keywords", json={"text": text, "n": 3}).get_json()
    same(posted, cli_json("keywords", pmi_path, text, "-n", 3, "--json"))


def test_analogy_pmi_info_equal_the_cli(client, pmi_path, serve_models):
    same(get_json(client, "/api/analogy?a=北京&b=太阳&c=上海&n=4"),
         cli_json("analogy", pmi_path, "北京", "太阳", "上海", "-n", 4, "--json"))
    same(get_json(client, "/api/analogy?a=北京&b=太阳&c=上海&method=mul&keep_inputs=1"),
         cli_json("analogy", pmi_path, "北京", "太阳", "上海", "--method", "mul", "--keep-inputs", "--json"))
    same(get_json(client, "/api/pmi?w1=北京&w2=上海"), cli_json("pmi", pmi_path, "北京", "上海", "--json"))
    assert get_json(client, "/api/info") == cli_json("info", pmi_path, "--json")
    assert get_json(client, "/api/info?model=m_svd") == cli_json("info", serve_models[1], "--json")
    same(get_json(client, "/api/similar?w=北京&model=m_svd"), cli_json("similar", serve_models[1], "北京", "--json"))
    listing = get_json(client, "/api/models")
    assert [m["name"] for m in listing] == ["m_pmi", "m_svd"] and listing[0]["kind"] == "pmi"


def test_batch_is_the_single_queries(client):
    body = get_json(client, "/api/batch?query=related&words=北京&words=太阳&words=北金&n=3")
    assert body["query"] == "related" and list(body["results"]) == ["北京", "太阳"]
    for word in ("北京", "太阳"):
        assert body["results"][word] == get_json(client, f"/api/related?w={word}&n=3")
    assert body["errors"]["北金"] == get_json(client, "/api/related?w=北金", status=404)
    posted = client.post("/api/batch", json={"words": ["北京", "上海"], "n": 2}).get_json()
    assert posted["query"] == "similar" and posted["results"]["上海"] == get_json(client, "/api/similar?w=上海&n=2")
    too_many = {"words": [f"w{i}" for i in range(limits.MAX_BATCH_WORDS + 1)]}
    assert client.post("/api/batch", json=too_many).status_code == 400


def test_word_facts_and_suggestions(client, models):
    emb = models[0].emb
    facts = get_json(client, "/api/word?w=北京")
    row = emb.index("北京")
    assert facts == {"word": "北京", "rank": row + 1, "count": int(emb.counts[row]),
                     "norm": pytest.approx(float(np.linalg.norm(emb["北京"])), rel=1e-6)}
    assert "北京" in get_json(client, "/api/suggest?q=北")["words"]
    assert get_json(client, "/api/suggest?q=")["words"] == []
    assert get_json(client, "/api/suggest?q=北金")["words"][:5] == emb.suggest("北金")[:5] or \
        "北京" in get_json(client, "/api/suggest?q=北金")["words"]


# --- errors ----------------------------------------------------------------------------------------------
def test_unknown_word_is_404_with_the_cli_suggestions(client, pmi_path, models):
    body = get_json(client, "/api/similar?w=北金", status=404)
    result = CliRunner().invoke(cli, ["similar", pmi_path, "北金", "--json"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: " + body["error"]
    assert body["word"] == "北金" and body["suggestions"] == models[0].emb.suggest("北金")
    assert "北京" in body["suggestions"]
    for url in ("/api/related?w=北金", "/api/profile?w=北金", "/api/pmi?w1=北京&w2=北金",
                "/api/analogy?a=北京&b=北金&c=上海", "/api/word?w=北金", "/api/similar?w=北京&negative=北金"):
        assert get_json(client, url, status=404)["suggestions"], url


@pytest.mark.parametrize("url", [
    "/api/similar", "/api/similar?w=", "/api/similar?w=北京&n=0", "/api/similar?w=北京&n=101",
    "/api/similar?w=北京&n=abc", "/api/similar?w=北京&n=1e9", "/api/similar?w=北京&method=bogus",
    "/api/similar?w=北京&context_words=0", "/api/similar?w=北京&context_words=99999999999",
    "/api/profile?w=北京&context_words=20001",
    "/api/related?w=北京&alpha=nan", "/api/related?w=北京&alpha=inf", "/api/related?w=北京&alpha=1e308",
    "/api/related?w=北京&alpha=abc", "/api/related?w=北京&normalize=maybe", "/api/related?w=" + "长" * 101,
    "/api/related?w=%00", "/api/related?w=a%0Ab", "/api/analogy?a=北京&b=上海",
    "/api/analogy?a=北京&b=上海&c=广州&method=div", "/api/pmi?w1=北京", "/api/keywords", "/api/keywords?text=%20",
    "/api/keywords?text=a%00b", "/api/keywords?text=北京&normalize=1", "/api/keywords?text=北京&method=lda",
    "/api/keywords?text=北京&association=-1", "/api/sentsim?text1=北京", "/api/similar?w=北京&model=nope",
    "/api/similar?" + "&".join(["w=北京"] * (limits.MAX_WORDS + 1)), "/api/batch?query=keywords&words=北京",
    "/api/batch", "/api/suggest?q=" + "字" * 101,
])
def test_bad_parameters_are_400(client, url):
    body = get_json(client, url, status=400)
    assert body["status"] == 400 and body["error"] and "Traceback" not in body["error"]
    assert "\n" not in body["error"]


def test_bad_bodies(client):
    assert get_json(client, "/api/similar", status=400, method="POST", data="[1, 2]",
                    content_type="application/json")["error"].startswith("the JSON body must be an object")
    assert client.post("/api/similar", data="{not json", content_type="application/json").status_code == 400
    assert client.post("/api/similar", json={"w": {"nested": 1}}).status_code == 400
    assert client.post("/api/similar", json={"w": ["北京", None]}).status_code == 400


def test_oversized_text_and_body_are_413(client):
    long_text = "北京 " * (limits.MAX_TEXT_CHARS // 3 + 1)
    body = get_json(client, "/api/keywords", status=413, method="POST", data={"text": long_text})
    assert "too long" in body["error"]
    huge = {"text": "x" * (limits.MAX_BODY_BYTES + 10)}
    response = client.post("/api/keywords", json=huge)
    assert response.status_code == 413 and response.get_json()["status"] == 413
    page = client.post("/text", data={"text": long_text})
    assert page.status_code == 413 and b"too long" in page.data


def test_unknown_paths_methods_and_crashes(client, models, monkeypatch):
    assert get_json(client, "/api/nothing", status=404)["status"] == 404
    assert get_json(client, "/api/similar?w=北京", status=405, method="DELETE")["status"] == 405
    assert client.get("/no/such/page").status_code == 404
    emb = models[0].emb

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(type(emb), "most_similar", broken)
    body = get_json(client, "/api/similar?w=北京", status=500)
    assert body == {"error": "internal error", "status": 500}
    page = client.get("/word?w=北京")
    assert page.status_code == 500 and b"secret internals" not in page.data and b"Traceback" not in page.data


def test_static_assets_come_from_the_package_only(client):
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.mimetype == kind and len(response.data) > 100
    for path in ("/static/app.py", "/static/../app.py", "/static/%2e%2e%2fapp.py", "/static/templates",
                 "/static/..%2F..%2Fsetup.cfg", "/templates/base.html"):
        assert client.get(path).status_code == 404, path


def test_no_external_resources(client):
    pages = [client.get(u).data.decode() for u in ("/", "/word?w=北京", "/text?text=北京", "/analogy", "/model")]
    pages += [client.get("/static/app.js").data.decode(), client.get("/static/style.css").data.decode()]
    for page in pages:
        assert not re.search(r"(src|href)=\"(https?:)?//", page)
        assert "http://" not in page and "https://" not in page and "@import" not in page and "url(" not in page


def test_untrusted_host_is_refused(client):
    body = get_json(client, "/api/info", status=400, headers={"Host": "evil.example:8000"})
    assert "Host" in body["error"]
    assert client.get("/api/info", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.com")


# --- escaping ------------------------------------------------------------------------------------------
def no_live_markup(html: str) -> None:
    assert "<script>alert" not in html and "<img/src=x" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "\"><svg onload=alert(3)>",
                                     "javascript:alert(4)", "'-alert(5)-'", "{{7*7}}"])
def test_query_parameters_are_escaped(client, payload):
    for url, args in (("/word", {"w": payload}), ("/text", {"text": payload, "text2": payload}),
                      ("/analogy", {"a": payload, "b": payload, "c": payload, "w1": payload, "w2": payload}),
                      ("/word", {"w": "北京", "model": payload})):
        response = client.get(url, query_string=args)
        html = response.data.decode()
        assert response.status_code in (200, 400)
        if any(ch in payload for ch in "<>\"'"):
            assert payload not in html
        assert "<svg onload" not in html and "<script>alert" not in html and ">49<" not in html
    if payload not in XSS_WORDS:
        body = get_json(client, "/api/similar", status=404, query_string={"w": payload})
        assert body["word"] == payload  # JSON carries the text itself; the content type keeps it inert


def test_vocabulary_words_with_markup_are_escaped(client):
    for word in XSS_WORDS:
        for url, args in (("/word", {"w": word}), ("/word", {"w": "北京"}), ("/word", {"w": "太阳"}),
                          ("/text", {"text": " ".join(XSS_WORDS + ["北京", "太阳"])}),
                          ("/analogy", {"a": word, "b": "北京", "c": "太阳", "w1": word, "w2": "北京"})):
            response = client.get(url, query_string=args)
            assert response.status_code == 200
            html = response.data.decode()
            no_live_markup(html)
        page = client.get("/word", query_string={"w": XSS_WORDS[0]}).data.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    headers = client.get("/word?w=北京").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"


# --- pages ----------------------------------------------------------------------------------------------
def test_word_page(client, models):
    html = client.get("/word?w=北京&model=m_pmi").data.decode()
    for column in ("similar", "related", "profile"):
        assert f'data-column="{column}"' in html
    emb = models[0].emb
    assert f'<b id="count">{int(emb.counts[emb.index("北京")])}</b>' in html
    for word, _ in emb.most_similar("北京", topn=10):
        assert f'href="/word?w={urllib.request.quote(word)}' in html or word.startswith("<")
    assert html.count('class="point ') == len(word_map(emb, "北京", [w for w, _ in emb.most_similar("北京")],
                                                           [w for w, _ in emb.most_related("北京")])["points"])
    unknown = client.get("/word?w=北金").data.decode()
    assert "did you mean" in unknown and 'href="/word?w=%E5%8C%97%E4%BA%AC' in unknown


def test_text_analogy_model_pages_and_compare(client, models):
    html = client.post("/text", data={"text": "北京 经济 太阳 没有", "text2": "上海 发展"}).data.decode()
    assert len(re.findall(r'<a class="tok shade-\d"', html)) == 3 * 2  # three known tokens, two models
    assert len(re.findall(r'<span class="tok unknown shade-\d" data-shade="\d">没有<', html)) == 2  # psw scores it
    assert 'id="sentsim"' in html
    assert html.count('class="panel"') == 2  # two models: side by side
    one = client.get("/text", query_string={"text": "北京 经济", "model": "m_svd"}).data.decode()
    assert one.count('class="panel"') == 1 and 'data-model="m_svd"' in one
    html = client.get("/analogy?a=北京&b=太阳&c=上海&w1=北京&w2=上海").data.decode()
    assert html.count('id="pmi-value"') == 2 and html.count('data-column="analogy"') == 2
    value = f'{models[0].emb.pmi("北京", "上海"):.4f}'
    assert value in html
    html = client.get("/model").data.decode()
    assert html.count('class="loss"') == 1  # the PMI model has a loss per epoch, PPMI-SVD none
    assert "vocab_size" in html and "total_tokens" in html


def test_plots():
    line = np.outer(np.arange(5.0), [1.0, 2.0, -1.0])  # points on a line: all variance on one axis
    xy = pca_2d(line)
    assert np.allclose(xy[:, 1], 0, atol=1e-9) and np.allclose(np.abs(np.diff(xy[:, 0])), np.sqrt(6))
    rng = np.random.default_rng(0)
    cloud = rng.standard_normal((20, 6))
    xy = pca_2d(cloud)
    centred = cloud - cloud.mean(0)
    assert np.allclose(np.var(xy, axis=0).sum() / np.var(centred, axis=0).sum(),
                       np.sum(np.linalg.svd(centred, compute_uv=False)[:2] ** 2)
                       / np.sum(np.linalg.svd(centred, compute_uv=False) ** 2))
    assert pca_2d(np.ones((1, 3))).shape == (1, 2)
    assert loss_plot([1.0]) is None and loss_plot([1.0, float("nan")]) is None
    plot = loss_plot([3.0, 2.0, 1.0])
    ys = [float(p.split(",")[1]) for p in plot["points"].split()]
    assert ys == sorted(ys) and plot["epochs"] == 3  # falling loss: the line goes down the SVG
    assert shades(["a", "b", "c"], {"a": 1.0, "b": 3.0}) == [("a", 0), ("b", 9), ("c", None)]
    assert shades(["a"], {}) == [("a", None)]


# --- the command ----------------------------------------------------------------------------------------
def _start(args, env=None):
    proc = subprocess.Popen([sys.executable, "-m", "wordvec", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    return proc, line


def test_serve_command_binds_loopback_and_answers(serve_models):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), os.environ.get("PYTHONPATH")]))}
    proc, line = _start([*serve_models, "--port", "0", "--quiet"], env)
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        url = match.group(0)
        with urllib.request.urlopen(url + "api/info?model=m_svd", timeout=30) as response:
            assert json.load(response)["kind"] == "svd"
        port = int(match.group(1))
        busy, busy_line = _start([serve_models[0], "--port", str(port)], env)
        busy.wait(timeout=60)
        err = busy.stderr.read()
        assert busy.returncode == 1 and f"port {port}" in err and "Traceback" not in err
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass  # the first server is still up
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result = CliRunner().invoke(cli, ["serve", "/no/such/model"])
    assert result.exit_code == 1 and "model not found" in result.output
    assert CliRunner().invoke(cli, ["serve", serve_models[0], "--port", "70000"]).exit_code == 2


def test_the_cli_does_not_import_flask():
    code = "import sys, wordvec.cli.main; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_warm_up_marks_models_and_restores_the_kernel_choice(serve_models):
    from wordvec.cli.serve.app import warm_up
    from wordvec.query import similarity

    fresh = load_models(serve_models)
    before = similarity.ACCELERATE
    warm_up(fresh).join(timeout=120)
    assert all(m.warm for m in fresh) and similarity.ACCELERATE == before
    client = create_app(fresh).test_client()
    assert [m["warm"] for m in get_json(client, "/api/models")] == [True, True]


def test_a_silent_connection_is_closed(models):
    from wordvec.cli.serve.command import make_server

    server = make_server(models, "127.0.0.1", 0, timeout=0.5)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.socket.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=20) as idle:
            start = time.perf_counter()
            assert idle.recv(100) == b""  # the server hung up instead of waiting for a request line
            assert time.perf_counter() - start < 15
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=20) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_a_word2vec_model(tmp_path):
    """Kind-specific readouts: profile similarity and PMI are refused with the library's message (400, and a
    note in the page's column), related uses the word2vec α default like the CLI."""
    from _serve_models import train_w2v

    path = train_w2v(tmp_path)
    client = create_app(load_models((path,))).test_client()
    same(get_json(client, "/api/related?w=北京&n=4"), cli_json("related", path, "北京", "-n", 4, "--json"))
    same(get_json(client, "/api/similar?w=北京&n=4"), cli_json("similar", path, "北京", "-n", 4, "--json"))
    refused = get_json(client, "/api/profile?w=北京", status=400)["error"]
    assert "needs a PMI model" in refused
    assert "needs a PMI model" in get_json(client, "/api/pmi?w1=北京&w2=上海", status=400)["error"]
    html = client.get("/word?w=北京").data.decode()
    assert "related (α = 0.9)" in html and "needs a PMI model" in html
    assert html.count("<tbody>") == 2  # similar and related have rows; profile shows the note
