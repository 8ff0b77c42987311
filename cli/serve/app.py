"""The Flask application: the JSON API under ``/api/…`` and the explorer pages, over loaded models.

``create_app(models)`` builds it; ``wordvec serve`` runs it with werkzeug's threaded server. Pages and
API share the query functions of ``wordvec.cli.serve.queries``. Nothing is served from a path taken from
the request: the two assets (CSS, JS) are read from the package at start-up and served by fixed routes.
"""
from __future__ import annotations

import math
import sys
import threading
import traceback
from importlib import resources
from typing import Any, Callable

from flask import Flask, Response, abort, render_template, request, url_for
from werkzeug.exceptions import HTTPException, SecurityError

from wordvec.cli.query_commands import pairs_json
from wordvec.query.keywords import tokenize
from wordvec.query.scorers import W2V_DEFAULT_ALPHA

from . import plots
from .params import MAX_BODY_BYTES, MAX_N, MAX_TEXT_CHARS, ApiError, Params, bad
from .queries import (Model, answering, api_analogy, api_batch, api_info, api_keywords, api_pmi, api_profile,
                      api_related, api_sentsim, api_similar, suggest_words, word_facts)

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
ASSETS = {"style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def brief(value: Any) -> str:
    """A metadata value on one short line (model page): floats to 6 digits, long number lists summarised."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and len(value) > 6 and all(isinstance(v, (int, float)) for v in value):
        return f"[{brief(value[0])}, {brief(value[1])}, …, {brief(value[-1])}] ({len(value)} values)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={brief(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(brief(v) for v in value)
    return str(value)


def score(value: Any) -> str:
    """A score for a table cell: 4 decimals."""
    return f"{value:.4f}" if isinstance(value, (int, float)) and math.isfinite(value) else str(value)


def _read_assets() -> dict[str, bytes]:
    folder = resources.files(__package__).joinpath("static")
    return {name: folder.joinpath(name).read_bytes() for name in ASSETS}


def ranked_keywords(emb, text: str):
    """Every word of ``text`` with its keyword score (the default method, psw, which also ranks words the
    model does not know), best first (a ``QueryResult``)."""
    with answering():
        return emb.keywords(text, topn=None)


def warm_up(models: list[Model]) -> threading.Thread:
    """Compute each model's derived state (norms, unit rows, numba kernels, int8 copies, profile transform)
    in a background thread, so the first requests do not pay for it. Returns the started thread.

    Until numba is imported (about a second), ranking queries use the numpy path
    (``wordvec.query.similarity.ACCELERATE = "never"``): a request would otherwise wait on the import."""
    from wordvec.query import similarity

    choice = similarity.ACCELERATE
    if "numba" not in sys.modules:
        similarity.ACCELERATE = "never"

    def run() -> None:
        try:
            import wordvec.query._kernels  # noqa: F401  (numba and the kernels' dispatchers)
        except ImportError:  # pragma: no cover - numba missing: numpy answers
            pass
        finally:
            similarity.ACCELERATE = choice
        for model in models:
            emb = model.emb
            try:
                if len(emb):
                    word = emb.words[0]
                    for _ in range(2):  # the second ranking query switches to the numba kernel on large tables
                        emb.most_similar(word, topn=5)
                        emb.most_related(word, topn=5)
                    if emb.kind != "w2v":
                        emb.most_similar(word, topn=5, method="profile")
            except Exception:  # noqa: BLE001 - a warm-up failure only costs speed; the request will report it
                pass
            model.warm = True

    thread = threading.Thread(target=run, name="wordvec-warm-up", daemon=True)
    thread.start()
    return thread


def create_app(models: list[Model], trusted_hosts: list[str] | None = None) -> Flask:
    """The Flask app serving ``models`` (the first is the API's default).

    ``trusted_hosts``: accepted ``Host`` headers (``None``: any); ``wordvec serve`` passes the loopback
    names when bound to 127.0.0.1, which stops DNS-rebinding pages from reading the API.
    """
    if not models:
        raise ValueError("create_app needs at least one model")
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
                      TRUSTED_HOSTS=trusted_hosts)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.jinja_env.filters["brief"] = brief
    app.jinja_env.filters["score"] = score
    by_name = {m.name: m for m in models}
    assets = _read_assets()

    def params() -> Params:
        values = Params(request.args)
        if request.method == "POST":
            if request.is_json:
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    raise bad("the JSON body must be an object, e.g. {\"w\": \"北京\"}")
                values = values.merged(Params(body))
            else:
                values = values.merged(Params(request.form))
        return values

    def api_model(p: Params) -> Model:
        name = p.get("model")
        if name is None or name == "":
            return models[0]
        if name not in by_name:
            raise bad(f"unknown model {name[:60]!r}: use one of {', '.join(by_name)}")
        return by_name[name]

    def page_models(p: Params) -> list[Model]:
        name = p.get("model")
        if not name:
            return models
        if name not in by_name:
            raise bad(f"unknown model {name[:60]!r}: use one of {', '.join(by_name)}")
        return [by_name[name]]

    # --- JSON API ---------------------------------------------------------------------------------------
    def api_route(path: str, answer: Callable[[Model, Params], Any]) -> None:
        def view():
            p = params()
            return app.json.response(answer(api_model(p), p))

        view.__name__ = "api_" + path.strip("/").replace("/", "_")
        app.add_url_rule("/api/" + path, view.__name__, view, methods=["GET", "POST"])

    for path, fn in (("similar", api_similar), ("profile", api_profile), ("related", api_related),
                     ("keywords", api_keywords), ("sentsim", api_sentsim), ("analogy", api_analogy),
                     ("pmi", api_pmi), ("batch", api_batch)):
        api_route(path, lambda model, p, fn=fn: fn(model.emb, p))
    api_route("info", lambda model, p: api_info(model))
    api_route("suggest", lambda model, p: {"words": suggest_words(model.emb, p.word("q", required=False) or "")})
    api_route("word", lambda model, p: word_facts(model.emb, p.word("w")))
    api_route("models", lambda model, p: [{"name": m.name, "path": m.path, "kind": m.emb.kind,
                                           "vocab_size": len(m.emb), "dim": m.emb.shape[1], "warm": m.warm}
                                          for m in models])

    # --- pages ------------------------------------------------------------------------------------------
    def render(template: str, **context: Any) -> str:
        return render_template(template, models=models, limits={"n": MAX_N, "text": MAX_TEXT_CHARS},
                               selected=request.args.get("model", ""), **context)

    def attempt(fn: Callable[[], Any]) -> tuple[Any, dict[str, Any] | None]:
        """``(result, None)``, or ``(None, error JSON)`` for a refused query (shown inside the page)."""
        try:
            return fn(), None
        except ApiError as err:
            if err.status == 413:
                raise
            return None, err.to_json()

    @app.get("/")
    @app.get("/word")
    def word_page():
        p = params()
        chosen = page_models(p)
        word = p.word("w", required=False)
        topn = p.topn()
        alpha = p.number("alpha", 0.0, 1.0)
        panels = []
        for model in chosen:
            panel: dict[str, Any] = {"model": model}
            if word is not None:
                facts, error = attempt(lambda: word_facts(model.emb, word))
                panel.update(facts=facts, error=error)
                if facts:
                    one = Params({"w": word, "n": topn})
                    panel["similar"], panel["similar_error"] = attempt(lambda: api_similar(model.emb, one))
                    rel = Params({"w": word, "n": topn, **({"alpha": alpha} if alpha is not None else {})})
                    w2v = model.emb.kind == "w2v"
                    panel["related_title"] = (f"related (α = {alpha:g})" if alpha is not None else
                                              f"related (α = {W2V_DEFAULT_ALPHA:g})" if w2v else "related (raw PMI)")
                    panel["related_score"] = "pmi" if alpha is None and not w2v else "relatedness"
                    panel["related"], panel["related_error"] = attempt(lambda: api_related(model.emb, rel))
                    panel["profile"], panel["profile_error"] = attempt(lambda: api_profile(model.emb, one))
                    panel["map"] = plots.word_map(model.emb, word, [r["word"] for r in panel["similar"] or []],
                                                  [r["word"] for r in panel["related"] or []])
            panels.append(panel)
        return render("word.html", word=word or "", topn=topn, alpha=1.0 if alpha is None else alpha,
                      panels=panels)

    @app.route("/text", methods=["GET", "POST"])
    def text_page():
        p = params()
        chosen = page_models(p)
        text = p.text("text", required=False)
        text2 = p.text("text2", required=False)
        topn = p.topn()
        panels = []
        for model in chosen:
            panel: dict[str, Any] = {"model": model}
            if text.strip():
                emb = model.emb
                every, error = attempt(lambda: ranked_keywords(emb, text))  # every known word, best first
                scores = dict(every or [])
                tokens = tokenize(emb, text, hmm=True)  # as the default keyword method (psw) segments it
                panel.update(tokens=plots.shades(tokens, scores), known=set(t for t in tokens if t in emb), keywords=pairs_json((every or [])[:topn]),
                             error=error or ({"error": every.note} if every is not None and every.note else None))
                if text2.strip():
                    panel["sentsim"], panel["sentsim_error"] = attempt(
                        lambda: api_sentsim(emb, Params({"text1": text, "text2": text2})))
            panels.append(panel)
        return render("text.html", text=text, text2=text2, topn=topn, panels=panels)

    @app.get("/analogy")
    def analogy_page():
        p = params()
        chosen = page_models(p)
        a, b, c = (p.word(k, required=False) for k in ("a", "b", "c"))
        w1, w2 = p.word("w1", required=False), p.word("w2", required=False)
        topn = p.topn()
        panels = []
        for model in chosen:
            panel: dict[str, Any] = {"model": model}
            if a and b and c:
                panel["analogy"], panel["analogy_error"] = attempt(
                    lambda: api_analogy(model.emb, Params({"a": a, "b": b, "c": c, "n": topn})))
            if w1 and w2:
                panel["pmi"], panel["pmi_error"] = attempt(lambda: api_pmi(model.emb, Params({"w1": w1, "w2": w2})))
            panels.append(panel)
        return render("analogy.html", a=a or "", b=b or "", c=c or "", w1=w1 or "", w2=w2 or "", topn=topn,
                      panels=panels)

    @app.get("/model")
    def model_page():
        chosen = page_models(params())
        panels = []
        for model in chosen:
            facts = api_info(model)
            losses = model.emb.meta.get("loss_per_epoch")
            panels.append({"model": model, "facts": facts,
                           "loss": plots.loss_plot(losses) if isinstance(losses, list) else None})
        return render("model.html", panels=panels)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.get("/static/<name>")
    def asset(name: str):
        if name not in assets:  # only the fixed asset names; the request never names a file
            abort(404)
        return Response(assets[name], mimetype=ASSETS[name].split(";")[0],
                        headers={"Cache-Control": "max-age=3600"})

    # --- errors: JSON under /api, a short page elsewhere; never a traceback -----------------------------
    def wants_json() -> bool:
        return request.path.startswith("/api/") or request.path == "/api"

    def error_response(status: int, message: str, body: dict[str, Any]):
        if wants_json():
            return app.json.response(body), status
        return render("error.html", status=status, message=message, body=body), status

    @app.errorhandler(ApiError)
    def on_api_error(err: ApiError):
        return error_response(err.status, err.message, err.to_json())

    @app.errorhandler(HTTPException)
    def on_http_error(err: HTTPException):
        status = err.code or 500
        if isinstance(err, SecurityError):
            message = "untrusted Host header: this server answers only requests for its own address"
            return error_response(400, message, {"error": message, "status": 400})
        message = {404: "no such page or endpoint", 405: "method not allowed",
                   413: f"request body too large: at most {MAX_BODY_BYTES} bytes"}.get(status, err.name)
        return error_response(status, message, {"error": message, "status": status})

    @app.errorhandler(Exception)
    def on_crash(err: Exception):
        traceback.print_exception(err, file=sys.stderr)  # the server's log, never the client
        return error_response(500, "internal error", {"error": "internal error", "status": 500})

    @app.after_request
    def headers(response: Response) -> Response:
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    def switch_url(name: str) -> str:
        """The current page with ``model`` set to ``name`` ("" for every model side by side)."""
        args = {k: v for k, v in request.args.items() if k != "model"}
        if name:
            args["model"] = name
        pages = ("word_page", "text_page", "analogy_page", "model_page")
        return url_for(request.endpoint if request.endpoint in pages else "word_page", **args)

    app.jinja_env.globals["switch_url"] = switch_url
    return app


__all__ = ["create_app", "warm_up", "LOOPBACK_HOSTS", "brief"]
