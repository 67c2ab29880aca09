"""Item 40 (issue 14, item 7): a bounded load test against gunicorn on loopback.

The e2e server (gunicorn -w 2, SQLite, the demo data) is asked for the pages
each role uses, by CLIENTS people at once, each logged in through the real form,
ROUNDS times over: about 500 requests in all, within CI's time budget. Any
5xx, any refused connection, any page that falls back to the login form, and
any "database is locked" in the server log fails it. The figures (requests,
seconds, p50 / p95 / max latency) are printed and written to
test-artifacts/load.txt.
"""
from __future__ import annotations

import http.cookiejar
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 10
ROUNDS = 12
PAGES = {
    "defender": ["/home", "/interviews/", "/interviews/my-data"],
    "team_serena": ["/home", "/interviews/team", "/network/", "/network/month"],
    "team_siguata": ["/home", "/interviews/team", "/network/"],
    "coordinator": ["/home", "/planning/", "/planning/runs", "/houses/", "/network/"],
    "admin": ["/home", "/admin/users", "/admin/audit"],
}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _client(base: str):
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def _open(opener, url: str, data: bytes | None = None):
    try:
        response = opener.open(url, data=data, timeout=60)
        return response.status, response.read().decode("utf-8", "replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers


def test_a_bounded_load_against_gunicorn_has_no_errors(live_server, demo_logins):
    from app.demo import DEMO_PASSWORD

    roles = list(PAGES)
    latencies: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def person(n: int) -> None:
        role = roles[n % len(roles)]
        opener = _client(live_server)
        try:
            status, body, _headers = _open(opener, live_server + "/login")
            match = CSRF.search(body)
            assert status == 200 and match, f"login page: {status}"
            form = urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2), "email": demo_logins[role],
                                           "password": DEMO_PASSWORD}).encode()
            status, _body, headers = _open(opener, live_server + "/login", form)
            assert status == 302 and headers["Location"].endswith("/home"), f"{role} login: {status}"
        except (AssertionError, OSError) as error:
            with lock:
                problems.append(f"client {n} ({role}): {error}")
            start.abort()
            return
        try:
            start.wait(timeout=120)
        except threading.BrokenBarrierError:
            return
        for _round in range(ROUNDS):
            for path in PAGES[role]:
                began = time.perf_counter()
                try:
                    status, _body, headers = _open(opener, live_server + path)
                except OSError as error:
                    with lock:
                        problems.append(f"{role} {path}: {error}")
                    continue
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if status != 200:
                        problems.append(f"{role} {path}: {status} {headers.get('Location', '')}")

    began = time.perf_counter()
    threads = [threading.Thread(target=person, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - began
    assert problems == [], "\n".join(problems[:20])
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    figures = (f"load: {len(latencies)} page requests by {CLIENTS} clients in {elapsed:.1f} s "
               f"({len(latencies) / elapsed:.0f}/s); latency p50 {statistics.median(ordered) * 1000:.0f} ms, "
               f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms; 0 errors")
    print(figures)
    out = ROOT / "test-artifacts" / "load.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(figures + "\n")
    expected = sum(len(PAGES[roles[n % len(roles)]]) for n in range(CLIENTS)) * ROUNDS
    assert len(latencies) == expected


def test_the_server_log_has_no_lock_errors_after_the_load(live_server):
    """The server writes its log beside its database (the one listening at this address): no
    'database is locked' and no traceback."""
    import tempfile

    listening = f"Listening at: {live_server}"
    logs = [p for p in Path(tempfile.gettempdir()).glob("pytest-of-*/pytest-*/live*/server.log")
            if listening in p.read_text(errors="replace")]
    assert logs, "the server's log was not found"
    text = max(logs, key=lambda p: p.stat().st_mtime).read_text(errors="replace")
    assert "database is locked" not in text and "Traceback" not in text
