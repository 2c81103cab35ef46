"""The web app in real headless Chromium (Playwright): type places, get a route drawn.

Needs Debian's chromium (/usr/bin/chromium, or SERAI_CHROMIUM) and the Python
playwright package (its driver ships in the wheel; no browser is downloaded).
Skipped with the reason when either is missing. The screenshot goes to the test's
temporary folder, or to SERAI_SCREENSHOT when set (that is how docs/img/webapp.png
is made: ``SERAI_SCREENSHOT=docs/img/webapp.png .venv/bin/pytest tests/web``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SERAI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (apt-get install chromium, or set SERAI_CHROMIUM)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
pytest.importorskip("fastapi", reason="the service extra (fastapi) is not installed")

ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def base_url(serai_serve):
    """`serai serve` on the embedded network (the routing graph from the test cache)."""
    return serai_serve(timeout=300)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _pick(page, selector: str, text: str, expect: str) -> None:
    """Type into a place box, wait for the suggestion, take it with the keyboard."""
    page.fill(selector, "")
    page.type(selector, text, delay=40)
    # suggestions of a partial query may show first on a slow machine: wait for the final ones
    index = page.wait_for_function(
        "([sel, want]) => { const lis = [...document.querySelectorAll(sel + '-list li')];"
        " if (!lis.length || lis[0].offsetParent === null) return false;"
        " const i = lis.findIndex((li) => li.textContent.startsWith(want));"
        " return i >= 0 ? i + 1 : false; }",
        arg=[selector, expect],
        timeout=30_000,
    ).json_value()
    for _ in range(index - 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value(selector).startswith(expect)


def test_plan_a_route_and_screenshot(base_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + "/", wait_until="load")
    page.wait_for_selector("#map canvas.maplibregl-canvas", timeout=30_000)
    _pick(page, "#origin", "Алма", "Almaty")
    _pick(page, "#destination", "Const", "Constanța")
    page.fill("#avoid", "RU")
    page.click("#go")
    page.wait_for_function("document.body.dataset.routesDrawn === '1'", timeout=60_000)
    assert "Middle Corridor" in page.inner_text(".card")
    rows = page.locator("table.legs tbody tr")
    assert rows.count() >= 5
    assert "RU" not in [
        c.strip() for c in page.locator("table.legs td:nth-child(4)").all_inner_texts()
    ]
    # the permalink holds the query
    assert "from=" in page.url and "avoid=RU" in page.url
    # the route source is on the map with its LineStrings
    n_lines = page.evaluate("() => document.querySelectorAll('.card').length")
    assert n_lines == 1
    page.wait_for_timeout(1500)  # let the map finish drawing the tiles of the route
    out = Path(os.environ.get("SERAI_SCREENSHOT") or tmp_path / "webapp.png")
    page.screenshot(path=str(out))
    assert out.stat().st_size > 20_000
    assert not errors, errors


def test_permalink_and_phone_layout(base_url, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(base_url + "/?from=Almaty&to=Poti&mode=alternatives", wait_until="load")
    page.wait_for_function("Number(document.body.dataset.routesDrawn) >= 2", timeout=60_000)
    assert page.input_value("#origin") == "Almaty"
    assert page.locator(".card").count() >= 2
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # keyboard: the route cards are buttons reachable and pressable without a mouse
    page.focus(".card >> nth=1")
    page.keyboard.press("Enter")
    assert page.get_attribute(".card >> nth=1", "aria-pressed") == "true"


def test_errors_are_shown(base_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base_url + "/", wait_until="load")
    page.fill("#origin", "Atlantis")
    page.fill("#destination", "Poti")
    page.click("#go")
    page.wait_for_selector("#status.error", timeout=30_000)
    assert "unknown place 'Atlantis'" in page.inner_text("#status")


def test_reliability_shown_on_the_cards(base_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base_url + "/?from=Almaty&to=Poti&rel=1&month=1&deadline=12", wait_until="load")
    page.wait_for_function("document.body.dataset.routesDrawn === '1'", timeout=60_000)
    assert page.is_checked("#reliability") and page.input_value("#month") == "1"
    text = page.inner_text(".card .rel")
    assert "P50" in text and "P90" in text and "within 12 days" in text


def _flows_job(base: str) -> str:
    """A small flows job submitted over HTTP and waited for (the full demand takes minutes)."""
    import json
    import time
    import urllib.request

    from tests.api.test_runs_flows import DEMAND

    body = {"year": 2024, "method": "lp", "demand_csv": DEMAND.to_csv(index=False)}
    req = urllib.request.Request(
        base + "/api/jobs/flows",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        job = json.load(r)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/jobs/{job['id']}", timeout=30) as r:
            job = json.load(r)
        if job["state"] != "queued" and job["state"] != "running":
            break
        time.sleep(0.5)
    assert job["state"] == "done", job
    return job["id"]


def test_flows_permalink_draws_flows_and_bottlenecks(base_url, browser):
    job = _flows_job(base_url)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base_url}/?flows={job}", wait_until="load")
    page.wait_for_function("document.body.dataset.flowsJob === 'done'", timeout=60_000)
    assert page.evaluate("document.querySelector('#flows-tool').open")
    out = page.inner_text("#flows-results")
    assert "Flows 2024" in out and "Indicators" in out and "Bottlenecks" in out
    assert not page.is_disabled(".layers input[data-layer=flows]")
    # the flows layer toggles off and on from the keyboard
    page.focus(".layers input[data-layer=flows]")
    page.keyboard.press("Space")
    assert not page.is_checked(".layers input[data-layer=flows]")
    assert not errors, errors


def test_scenario_comparison_form(base_url, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(base_url + "/", wait_until="load")
    page.focus("#compare-tool > summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('#compare-tool').open")
    page.wait_for_function("document.querySelectorAll('#scen-a option').length > 3", timeout=60_000)
    assert page.input_value("#scen-a") == "base-2024" and page.input_value("#scen-b") != "base-2024"
    page.select_option("#scen-b", "base-2024")
    page.click("#compare-go")
    assert "two different" in page.inner_text("#compare-status")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_short_trip_via_a_port_city_reads_in_hours(base_url, browser):
    """Brussels -> Rotterdam via Antwerp: a truck trip of ~4.6 h (it was 7.9 days through the
    port's gate); the card and the chart read hours, not "0.2 days"."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base_url + "/?from=Brussels&to=Rotterdam&via=Antwerp", wait_until="load")
    page.wait_for_function("document.body.dataset.routesDrawn === '1'", timeout=60_000)
    card = page.inner_text(".card")
    assert " h · " in card and "days" not in card, card
    hours = float(card.split(" h · ")[0].split()[-1])
    assert 4.0 < hours < 5.5, card
    events = [c.strip() for c in page.locator("table.legs td:nth-child(1)").all_inner_texts()]
    assert "port" not in events and "sea" not in events, events
    assert " h<" in page.inner_html("#chart")


def test_the_year_boxes_take_the_years_the_service_serves(base_url, browser):
    """The year boxes offer the years ``/api/version`` gives, the service's own (it refuses
    others with a 422 naming the range), and say so; a year outside is not sent. Before: the
    boxes took 1990-2100 and a permalink's 1995 went to the service."""
    import json
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(base_url + "/api/version", timeout=30) as r:
        first, last = json.load(r)["years"]
    for y, ok in ((first - 1, False), (first, True), (last, True), (last + 1, False)):
        try:
            with urllib.request.urlopen(f"{base_url}/api/places?q=Ala&year={y}", timeout=30):
                served = True
        except urllib.error.HTTPError as e:
            served = False
            assert e.code == 422, (y, e.code)
        assert served is ok, y
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sent: list[str] = []
    page.on("request", lambda q: sent.append(q.url) if "/api/route" in q.url else None)
    page.goto(f"{base_url}/?from=Baku&to=Aktau&year={first - 1}", wait_until="load")
    page.wait_for_selector("#status.error", timeout=30_000)
    assert f"{first}–{last}" in page.inner_text("#status")
    for box in ("#year", "#flows-year"):
        assert page.get_attribute(box, "min") == str(first), box
        assert page.get_attribute(box, "max") == str(last), box
        assert f"{first}–{last}" in page.text_content(box + "-range"), box  # folded: no text
    page.fill("#year", str(last + 1))
    page.click("#go")  # the browser's own check stops the form
    assert not page.evaluate("document.querySelector('#year').checkValidity()")
    page.wait_for_timeout(300)
    assert not sent, sent
