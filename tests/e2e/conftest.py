"""Real-browser journeys: Respiro served by gunicorn, driven by Debian's chromium through Playwright.

Every test under tests/e2e is marked `e2e` (run them alone with `pytest -m e2e`, leave them out with
`-m "not e2e"`). They are skipped, with the reason, when /usr/bin/chromium is missing; CI installs it
with `apt-get install -y --no-install-recommends chromium` (never `playwright install`: no downloads).

Fixtures
--------
live_server (session)
    Base URL (``http://127.0.0.1:<port>``) of the app served by ``gunicorn -w 2`` on a fresh SQLite
    database in a temporary folder: migrations applied (``flask db upgrade``), catalogs compiled, the
    demo loaded (``flask demo``). ONE server for the whole session, shared by every journey: a journey
    that changes data should change records no other journey relies on, or put them back. Set
    ``E2E_SCHEMA=models`` to build the schema from the models instead of the migrations (while a model
    change waits for its migration). The server log is in ``<tmp>/server.log`` and is printed when the
    server does not start. Logging out ends EVERY session of that account (security item 8), so a
    journey that logs out must not rely on another page of the same account staying logged in.
demo_logins (session)
    ``{"defender", "team_serena", "team_siguata", "coordinator", "admin"}`` -> e-mail. The password of
    every demo account is ``app.demo.DEMO_PASSWORD``.
browser (session)
    A Playwright ``Browser``: headless /usr/bin/chromium with a fresh temporary profile (Playwright
    makes one per launch), no sandbox, no GPU, no QUIC, no background networking or updates.
new_page (function)
    ``new_page(**context_options) -> Page``: a page in a NEW browser context (own cookies), with
    ``base_url=live_server`` (so ``page.goto("/login")`` works), locale ``en-US`` (Respiro must still
    answer in Spanish by default), viewport 1280x800 unless given. Use it for two people at once.
page (function)
    ``new_page()``: a laptop-sized page.
phone_page (function)
    A 390x844 touch page (device scale 2), for the narrow layout.
login_as (function)
    ``login_as(page, email, password=DEMO_PASSWORD)``: logs in through the real form and waits for
    the home page; returns the page.
axe (function)
    ``axe(page, ignore=())``: injects the vendored axe-core (tests/e2e/vendor/axe.min.js, no CDN)
    with ``page.evaluate`` (not subject to the app's CSP), runs it on the page and FAILS on any
    violation of impact serious or critical, listing rule, help and elements. Returns every
    violation (of any impact) for tests that want more. ``ignore`` takes rule ids to leave out;
    use it only with a comment that says why.
shot (function)
    ``shot(page, name) -> Path``: a full-page PNG in test-artifacts/e2e/<name>.png (gitignored).
    Look at them with the image viewer.
visited_html (session)
    Every page passed to ``axe`` or ``shot`` keeps its HTML here; ``test_zz_markup.py`` (last) runs the
    Nu HTML checker over them all.

Every page also refuses, and the test fails on, any sub-resource (script, style, image, font,
XHR) asked from another host: nothing a page loads may come from elsewhere. Navigations away
(the quick exit) are cancelled quietly.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
VENV_BIN = Path(sys.executable).parent
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `e2e`; skip them all when there is no chromium."""
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)")
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if not os.path.exists(CHROMIUM):
                item.add_marker(skip)


# ------------------------------------------------------------------ the server

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict, *args: str) -> str:
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _build_schema(env: dict) -> None:
    if os.environ.get("E2E_SCHEMA") == "models":
        code = ("from app import create_app\nfrom app.extensions import db\n"
                "app = create_app()\nwith app.app_context():\n    db.create_all()\n")
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    else:
        _flask(env, "db", "upgrade")


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start at {url}:\n{log.read_text()[-5000:]}")


@pytest.fixture(scope="session")
def live_env(tmp_path_factory) -> dict:
    """The live server's environment: its database and keys (a journey adding rows needs the same keys)."""
    from app.security.crypto import new_key_spec

    folder = tmp_path_factory.mktemp("live")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "RESPIRO_"))}
    env.update({"DATABASE_URL": f"sqlite:///{folder / 'respiro.db'}", "DATA_KEYS": new_key_spec("ke2e"),
                "EMAIL_INDEX_KEY": new_key_spec("ke2eindex"),
                "KEY_STORE_URL": f"sqlite:///{folder / 'defender-keys.db'}",
                "SECRET_KEY": secrets.token_hex(32), "RESPIRO_ENV": "development", "PYTHONUNBUFFERED": "1"})
    return env


@pytest.fixture(scope="session")
def live_server(live_env, smtp_server):
    """Serve Respiro with the demo data on 127.0.0.1, its mail going to the local SMTP server
    (`smtp_server`, whose mailbox the `mailbox` fixture reads); yield its base URL."""
    from app.i18n import compile_catalogs

    env = dict(live_env)
    folder = Path(env["DATABASE_URL"].removeprefix("sqlite:///")).parent
    compile_catalogs()
    _build_schema(env)
    _flask(env, "demo")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    env.update({"MAIL_SERVER": smtp_server[0], "MAIL_PORT": str(smtp_server[1]), "RESPIRO_BASE_URL": url})
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
             "--access-logfile", "-", "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def demo_logins() -> dict[str, str]:
    from app.demo import ADMIN_EMAIL, COORDINATOR_EMAIL, DEFENDER_EMAIL, TEAM_EMAILS

    return {"defender": DEFENDER_EMAIL, "team_serena": TEAM_EMAILS["serena"],
            "team_siguata": TEAM_EMAILS["siguata"], "coordinator": COORDINATOR_EMAIL, "admin": ADMIN_EMAIL}


# ------------------------------------------------------------------ the browser

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """Make pages, each in its own context; check at the end that none asked another host for anything."""
    contexts, foreign = [], []

    def guard(route):
        request = route.request
        if urlsplit(request.url).netloc == urlsplit(live_server).netloc or request.url.startswith("data:"):
            route.continue_()
            return
        if not request.is_navigation_request():
            foreign.append(f"{request.resource_type} {request.url}")
        route.abort()

    def make(**options):
        settings = {"base_url": live_server, "locale": "en-US", "viewport": LAPTOP, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not foreign, "a page loaded something from another host:\n" + "\n".join(foreign)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


@pytest.fixture
def login_as():
    from app.demo import DEMO_PASSWORD

    def do(page, email: str, password: str = DEMO_PASSWORD):
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/home")
        return page

    return do


@pytest.fixture(scope="session")
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def visited_html() -> dict[str, str]:
    """Every page a journey checked with `axe` or `shot`: name -> its HTML, for the markup test (vnu)."""
    return {}


def _keep_html(pages: dict[str, str], page) -> None:
    html = page.content()
    if html not in pages.values():
        pages[f"{len(pages):03d}{urlsplit(page.url).path.replace('/', '_')}"] = html


@pytest.fixture
def axe(_axe_source, visited_html):
    def check(page, ignore: tuple[str, ...] = ()) -> list[dict]:
        _keep_html(visited_html, page)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(_axe_source)
        results = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))")
        bad = [v for v in results if v["impact"] in ("serious", "critical") and v["id"] not in ignore]
        assert not bad, f"axe-core on {page.url}:\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} -> {', '.join(v['nodes'])}" for v in bad)
        return results

    return check


@pytest.fixture
def shot(visited_html):
    def take(page, name: str) -> Path:
        _keep_html(visited_html, page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
