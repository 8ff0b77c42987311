"""`wordvec serve` in a real browser: headless Chromium (Debian's package) driven by playwright.

The server runs in a thread of the test process on a free port, with two tiny models trained for the run.
Each test takes a screenshot of its page into its temporary folder. Without playwright or a Chromium
binary the tests skip with the reason (CI installs Chromium, see .ci/run).
"""
from __future__ import annotations

import os
import re
import shutil
import threading

import pytest

pytest.importorskip("flask", reason="wordvec serve needs Flask (pip install 'wordvec[serve]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

from _serve_models import XSS_WORDS  # noqa: E402

from wordvec.cli.serve.command import load_models, make_server  # noqa: E402


def chromium_path() -> str | None:
    """The system Chromium: $WORDVEC_CHROMIUM, or chromium / chromium-browser on PATH."""
    for candidate in (os.environ.get("WORDVEC_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def base_url(serve_models):
    server = make_server(load_models(serve_models), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss()))
    tab.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    tab.on("console", lambda msg: problems.append("console: " + msg.text) if msg.type == "error" else None)
    tab.on("request", lambda req: problems.append("external: " + req.url)
           if not req.url.startswith("http://127.0.0.1:") else None)
    yield tab
    context.close()
    assert not problems, problems  # no script ran from data, no JS error, nothing fetched from outside


def shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


def test_word_page_columns_links_and_map(page, base_url, tmp_path):
    page.goto(base_url + "/?model=m_pmi")
    box = page.locator("#word-input")
    box.fill("北")  # the search box offers vocabulary words
    page.locator("#word-suggestions option").first.wait_for(state="attached")
    assert "北京" in page.locator("#word-suggestions option").evaluate_all("els => els.map(e => e.value)")
    box.fill("北京")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/word\?w=%E5%8C%97%E4%BA%AC"))
    columns = page.locator("[data-column]")
    assert columns.evaluate_all("els => els.map(e => e.dataset.column)") == ["similar", "related", "profile"]
    for column in ("similar", "related", "profile"):
        assert page.locator(f"[data-column={column}] tbody tr").count() == 10
    assert page.locator(".query-word").inner_text() == "北京"
    assert int(page.locator("#count").inner_text()) > 0 and float(page.locator("#norm").inner_text()) > 0
    points = page.locator("svg.word-map a.point")
    assert points.count() >= 5 and page.locator("svg.word-map circle.query").count() == 1
    assert page.locator("svg.word-map circle.similar, svg.word-map circle.both").count() >= 1
    shot(page, tmp_path, "word")
    # a neighbour in the similar column opens its own page
    first = page.locator("[data-column=similar] tbody a.word").first
    target = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator(".query-word").inner_text() == target
    shot(page, tmp_path, "neighbour")
    # so does a point of the map
    point = page.locator("svg.word-map a.point.related, svg.word-map a.point.both").first
    word = point.get_attribute("data-word")
    point.locator("circle").click()
    page.wait_for_load_state()
    assert page.locator(".query-word").inner_text() == word
    shot(page, tmp_path, "map-click")


def test_alpha_slider_and_unknown_word(page, base_url, tmp_path):
    page.goto(base_url + "/word?w=经济&model=m_pmi")
    before = page.locator("[data-column=related] td.num").all_inner_texts()
    page.locator("#alpha").fill("0.5")  # fires input and change: the form resubmits
    page.wait_for_url(re.compile(r"alpha=0\.5"))
    assert page.locator("[data-column=related] h3").inner_text() == "related (α = 0.5)"
    assert page.locator("[data-column=related] td.num").all_inner_texts() != before
    page.goto(base_url + "/word?w=北金&model=m_pmi")
    assert "did you mean" in page.locator(".error").inner_text()
    page.locator(".suggestions a", has_text="北京").click()
    page.wait_for_load_state()
    assert page.locator(".query-word").inner_text() == "北京"
    shot(page, tmp_path, "suggestion")


def test_text_page_highlights_keywords(page, base_url, tmp_path):
    page.goto(base_url + "/text?model=m_pmi")
    page.locator("#text-input").fill("北京 经济 发展 太阳 没有")
    page.locator("#text2-input").fill("上海 城市")
    page.locator("#text-form button").click()
    page.wait_for_load_state()
    assert page.locator(".tokens a.tok").count() == 4  # the known words link to their pages
    assert page.locator(".tokens .tok.unknown").inner_text() == "没有"
    shaded = page.locator(".tokens .tok[data-shade]")  # psw scores the unknown word too
    levels = [int(x) for x in shaded.evaluate_all("els => els.map(e => e.dataset.shade)")]
    assert max(levels) == 9 and min(levels) < 9  # shaded by score, the top keyword darkest
    colours = set(shaded.evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)"))
    assert len(colours) >= 2  # the stylesheet loaded and the shades differ
    top = page.locator("[data-column=keywords] tbody a.word").first.inner_text()
    darkest = shaded.evaluate_all("els => els.filter(e => e.dataset.shade === '9').map(e => e.textContent)")
    assert top in darkest
    assert -1 <= float(page.locator("#sentsim").inner_text()) <= 1
    shot(page, tmp_path, "text")


def test_compare_view_with_two_models(page, base_url, tmp_path):
    page.goto(base_url + "/word?w=北京&model=m_pmi")
    assert page.locator("article.panel").count() == 1
    page.locator("#compare-link").click()
    page.wait_for_load_state()
    panels = page.locator("article.panel")
    assert panels.evaluate_all("els => els.map(e => e.dataset.model)") == ["m_pmi", "m_svd"]
    boxes = [panels.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1 and boxes[0]["x"] < boxes[1]["x"]  # side by side
    for i in range(2):
        assert panels.nth(i).locator("[data-column=similar] tbody tr").count() == 10
        assert panels.nth(i).locator("svg.word-map a.point").count() >= 5
    shot(page, tmp_path, "compare")


def test_analogy_and_model_pages(page, base_url, tmp_path):
    page.goto(base_url + "/analogy?a=北京&b=太阳&c=上海&w1=北京&w2=上海")
    assert page.locator("[data-column=analogy]").count() == 2 and page.locator("#pmi-value").count() == 2
    shot(page, tmp_path, "analogy")
    page.goto(base_url + "/model")
    assert page.locator("svg.loss-plot polyline").count() == 1
    assert "vocab_size" in page.locator("article.panel").first.inner_text()
    shot(page, tmp_path, "model")


def test_markup_in_words_stays_text(page, base_url, tmp_path):
    for word in XSS_WORDS:
        page.goto(base_url + "/word?" + f"w={word}".replace("<", "%3C").replace(">", "%3E"))
        assert page.locator(".query-word").first.inner_text() == word
    page.goto(base_url + "/text?text=" + "%20".join(w.replace("<", "%3C").replace(">", "%3E") for w in XSS_WORDS))
    assert page.locator(".tokens").first.inner_text().replace(" ", "") == "".join(XSS_WORDS).replace(" ", "")
    box = page.locator("#text-input")
    assert box.input_value() == " ".join(XSS_WORDS)
    page.goto(base_url + "/word?w=%22%3E%3Csvg%20onload%3Dalert(9)%3E")
    assert page.locator(".error").count() == 2  # one refusal per model, the payload shown as text
    shot(page, tmp_path, "markup")
