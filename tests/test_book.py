"""The course website (`make book`) opened in a real headless Chromium: every page loads offline with no console
errors, figures decode, maths is typeset, internal links resolve, and search finds a chapter.

Needs Chromium and its driver (Debian: `apt-get install chromium chromium-driver`; .ci/run installs them when
missing). Without them this one module is skipped with that message.
"""
import shutil
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip("the browser test needs Chromium and chromedriver: `sudo apt-get install chromium chromium-driver` "
                "(Debian/Ubuntu), then run `make test` again", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="pip install -r requirements.txt (selenium)")

sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402

PAGES = ["index"] + [f"notebooks/{p.stem}" for p in sorted((ROOT / "notebooks").glob("*.ipynb"))] \
    + [f"solutions/{p.stem}" for p in sorted((ROOT / "solutions").glob("*.ipynb"))]
SCREENSHOTS = ("index", "notebooks/03_the_neuron", "notebooks/08_bert_sentiment")


def _has_maths(page: str) -> bool:
    import re

    import nbformat
    if page == "index":
        return False
    nb = nbformat.read(ROOT / f"{page}.ipynb", as_version=4)
    return any(re.search(r"\$[^$\s][^$]*\$", c.source) for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def site():
    index = build_book.build()
    return index.parent


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--allow-file-access-from-files"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser, url):
    browser.get(url)
    # Wait for MathJax (if the page loads it) to finish typesetting.
    browser.set_script_timeout(30)
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            MathJax.startup.promise.then(() => done(true)).catch(() => done(false));
        } else { done(true); }""")


def test_book_builds_offline_into_html(site):
    for page in PAGES:
        assert (site / f"{page}.html").is_file(), f"{page}.html was not built"
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax must be served from the site"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_clean_with_figures_maths_and_links(site, browser, page):
    path = site / f"{page}.html"
    url = path.as_uri()
    _open(browser, url)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"console errors on {page}: {errors[:3]}"
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);")
    broken = [src for src, complete, width in images if not (complete and width > 0)]
    assert not broken, f"{page}: images not decoded: {broken[:3]}"
    if page.startswith("notebooks/") and page != "notebooks/00_environment":
        assert any(src and src.endswith(".png") for src, _, _ in images), f"{page}: no figure on the page"
    maths = browser.execute_script("""
        const m = Array.from(document.querySelectorAll('.math'));
        return [m.length, m.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))];""")
    assert not maths[1], f"{page}: maths left untypeset: {maths[1][:3]}"
    body = browser.execute_script("return document.querySelector('main, article, body').innerText;")
    assert "$$" not in body, f"{page}: raw $$ left in the text"
    if _has_maths(page):
        assert maths[0] > 0, f"{page}: its markdown has $...$ formulas but none was typeset"
    hrefs = browser.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'));")
    ids = set(browser.execute_script("return Array.from(document.querySelectorAll('[id]')).map(e => e.id);"))
    for href in hrefs:
        parsed = urllib.parse.urlparse(href)
        if parsed.scheme in ("http", "https", "mailto", "javascript") or parsed.netloc:
            continue
        if not parsed.path:
            frag = urllib.parse.unquote(parsed.fragment)
            assert not frag or frag in ids, f"{page}: link to missing anchor #{frag}"
            continue
        target = (path.parent / urllib.parse.unquote(parsed.path)).resolve()
        assert target.exists(), f"{page}: internal link {href} points at nothing"
    if page in SCREENSHOTS:
        shots = site.parent / "screenshots"
        shots.mkdir(exist_ok=True)
        browser.save_screenshot(str(shots / (page.replace("/", "_") + ".png")))


def test_search_finds_a_chapter(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    _open(browser, (site / "search.html").as_uri() + "?q=backpropagation")
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li, ul.search li"))
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#search-results li a, ul.search li a")]
    assert any("03_the_neuron" in (h or "") for h in links), f"search for 'backpropagation' did not find chapter 03: {links[:5]}"
