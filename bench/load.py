"""Load test: gunicorn (4 workers) on loopback, SQLite and PostgreSQL (security item 40).

    .venv/bin/python bench/load.py [--clients 50] [--requests 30] [--seconds 90] [--backends sqlite,postgresql]

For each backend it builds a fresh database with the demo data, starts
gunicorn with 4 workers bound to 127.0.0.1 only, and runs concurrent clients
(threads with http.client): each logs in as a demo user of a role and mixes
page views of that role's main pages with form posts (a password
confirmation, a refused closure form); one coordinator starts a planning run
and polls it. Everything is bounded: a fixed number of requests per client
and a wall-clock limit; gunicorn is stopped at the end. It prints p50/p95/p99
latency, throughput, the error count and the 5xx count per backend.

PostgreSQL: a fresh database `respiro_load` on 127.0.0.1:5432 (trust auth, or
set LOAD_PG_ADMIN_URL / LOAD_PG_URL).
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"

SETUP = """
from flask_migrate import upgrade
from app import create_app
from app.extensions import db
from app.demo import load_demo
app = create_app()
with app.app_context():
    upgrade()  # the schema as a deployment builds it: the migrations
    load_demo()
    db.session.commit()
"""

PAGES = {
    "defender": ["/home", "/interviews/", "/interviews/my-data"],
    "team": ["/home", "/interviews/team", "/houses/", "/houses/{house}", "/network/", "/network/month"],
    "coordinator": ["/home", "/planning/", "/planning/runs", "/houses/", "/network/", "/houses/{house}"],
    "admin": ["/home", "/admin/users", "/houses/"],
}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Stats:
    latencies: list = field(default_factory=list)  # (kind, seconds, status)
    errors: list = field(default_factory=list)
    lock = threading.Lock()

    def add(self, kind, seconds, status):
        with self.lock:
            self.latencies.append((kind, seconds, status))

    def error(self, message):
        with self.lock:
            self.errors.append(message)


class Browser:
    """One person's browser: a cookie, a CSRF token, http.client on loopback."""

    def __init__(self, port: int, stats: Stats, timeout: float = 30):
        self.port, self.stats, self.timeout = port, stats, timeout
        self.cookie = ""
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def request(self, method, path, form=None, kind="page", expect=(200, 302)):
        body, headers = None, {"Host": f"{HOST}:{self.port}"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            self.stats.error(f"{method} {path}: {type(exc).__name__}")
            return None, ""
        elapsed = time.perf_counter() - start
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("respiro_session="):
                self.cookie = value.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        self.stats.add(kind, elapsed, response.status)
        if response.status not in expect:
            self.stats.error(f"{method} {path}: {response.status}")
        if "database is locked" in text:
            self.stats.error(f"{method} {path}: database is locked")
        return response, text

    def csrf(self, path):
        _response, text = self.request("GET", path, kind="page")
        match = CSRF.search(text)
        return match.group(1) if match else ""

    def login(self, email, password):
        token = self.csrf("/login")
        response, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": password},
                                   kind="login", expect=(302,))
        return response is not None and response.status == 302


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _client(n, port, role, email, password, requests, deadline, stats, house, rng, think=0.0, delay=0.0):
    time.sleep(delay)  # people do not all log in in the same second
    browser = Browser(port, stats)
    if not browser.login(email, password):
        stats.error(f"client {n}: login failed")
        return
    pages = [p.format(house=house) for p in PAGES[role]]
    for i in range(requests):
        if time.time() > deadline:
            return
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))  # a person reading the page
        if i % 10 == 9:  # a form post: confirm the password (argon2), or a refused closure (team)
            if role == "team" and house:
                token = browser.csrf(f"/houses/{house}/closures")
                browser.request("POST", f"/houses/{house}/closures",
                                {"csrf_token": token, "start": "2030-01-10", "end": "2030-01-01", "reason": "rest"},
                                kind="post", expect=(400,))
            else:
                token = browser.csrf("/confirm-password")
                browser.request("POST", "/confirm-password", {"csrf_token": token, "password": password},
                                kind="post", expect=(302,))
        else:
            browser.request("GET", rng.choice(pages), kind="page")


def _planning_run(port, email, password, stats, deadline, report):
    browser = Browser(port, stats, timeout=60)
    if not browser.login(email, password):
        report["planning"] = "login failed"
        return
    _response, text = browser.request("GET", "/planning/runs/new", kind="page")
    form = {"csrf_token": (CSRF.search(text) or [None, ""])[1]}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text):
        if name == "csrf_token":
            continue
        if 'type="checkbox"' in text and name == "houses":
            form.setdefault("houses", []).append(value)
        else:
            form.setdefault(name, value)
    houses = re.findall(r'<input[^>]*name="houses"[^>]*value="(\d+)"', text) or re.findall(
        r'<input[^>]*value="(\d+)"[^>]*name="houses"', text)
    form["houses"] = houses
    form["time_limit"] = "10"
    started = time.time()
    response, _ = browser.request("POST", "/planning/runs/new", form, kind="post", expect=(302, 303))
    if response is None or response.status not in (302, 303):
        report["planning"] = f"not started ({getattr(response, 'status', 'error')})"
        return
    run_path = urllib.parse.urlsplit(response.getheader("Location")).path
    finished = False
    while time.time() < deadline:
        _r, page = browser.request("GET", run_path, kind="page")
        if '<p role="status">' not in page:  # the progress page is gone: the run ended
            finished = True
            break
        time.sleep(1.0)
    state = "finished" if finished else "still running at the time limit"
    report["planning"] = f"{run_path}: {state} after {time.time() - started:.1f} s"


def run_backend(name, database_url, clients, requests, seconds, think=0.0, ramp=0.0):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secrets.token_urlsafe(40), FLASK_DEBUG="0",
               RESPIRO_ENV="development", JOBS_BACKEND="thread")
    sys.path.insert(0, str(ROOT))
    from app.security.crypto import new_key_spec

    env["DATA_KEYS"] = new_key_spec("kload")
    subprocess.run([PYTHON, "-c", SETUP], cwd=ROOT, env=env, check=True)
    from app.demo import DEMO_PASSWORD, LOGINS

    port = _free_port()
    server = subprocess.Popen([GUNICORN, "--workers", "4", "--bind", f"{HOST}:{port}", "--timeout", "120",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    stats, report = Stats(), {}
    try:
        _wait_for(port, server)
        emails = dict((label.split(" ")[0], email) for label, email in LOGINS)
        roles = ["defender"] * 10 + ["team"] * 15 + ["coordinator"] * 20 + ["admin"] * 5
        roles = (roles * (clients // len(roles) + 1))[:clients]
        houses = _house_ids(port, LOGINS, DEMO_PASSWORD)
        deadline = time.time() + seconds
        start = time.perf_counter()
        threads = []
        planner = threading.Thread(target=_planning_run, args=(port, emails["coordinadora"], DEMO_PASSWORD, stats,
                                                               deadline, report))
        threads.append(planner)
        for n, role in enumerate(roles):
            if role == "team":
                email = [e for lbl, e in LOGINS if lbl.startswith("equipo")][n % 2]
            else:
                email = {"defender": emails["defensora"], "coordinator": emails["coordinadora"],
                         "admin": emails["administración"]}[role]
            threads.append(threading.Thread(
                target=_client, args=(n, port, role, email, DEMO_PASSWORD, requests, deadline, stats,
                                      houses.get(email, houses.get("any")), random.Random(n), think, ramp * n / max(1, clients))))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, deadline - time.time() + 30))
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return summarise(name, stats, elapsed, report)


def _house_ids(port, logins, password):
    found = {}
    for label, email in logins:
        if not label.startswith(("equipo", "coordinadora")):
            continue
        browser = Browser(port, Stats())
        browser.login(email, password)
        _r, text = browser.request("GET", "/houses/")
        ids = re.findall(r'href="/houses/(\d+)"', text)
        if ids:
            found[email] = ids[0]
            found.setdefault("any", ids[0])
    return found


def _pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


def summarise(name, stats, elapsed, report):
    rows = []
    for kind in ("page", "post", "login", "all"):
        values = [s for k, s, _st in stats.latencies if kind == "all" or k == kind]
        rows.append((kind, len(values), _pct(values, 50), _pct(values, 95), _pct(values, 99)))
    five = sum(1 for _k, _s, status in stats.latencies if status >= 500)
    return {"backend": name, "rows": rows, "throughput": len(stats.latencies) / elapsed, "elapsed": elapsed,
            "errors": len(stats.errors), "5xx": five, "error_samples": stats.errors[:8],
            "locked": sum("locked" in e for e in stats.errors), "planning": report.get("planning", "not run")}


def print_table(results):
    print()
    print(f"{'backend':<11} {'kind':<6} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for result in results:
        for kind, count, p50, p95, p99 in result["rows"]:
            print(f"{result['backend']:<11} {kind:<6} {count:>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    print()
    print(f"{'backend':<11} {'seconds':>8} {'req/s':>8} {'errors':>7} {'5xx':>5} {'locked':>7}  planning run")
    for r in results:
        print(f"{r['backend']:<11} {r['elapsed']:>8.1f} {r['throughput']:>8.1f} {r['errors']:>7} {r['5xx']:>5} "
              f"{r['locked']:>7}  {r['planning']}")
        for sample in r["error_samples"]:
            print(f"    {sample}")


def _postgres_url() -> str:
    import psycopg

    admin = os.environ.get("LOAD_PG_ADMIN_URL", f"postgresql://{HOST}:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "respiro_load" WITH (FORCE)')
        conn.execute('CREATE DATABASE "respiro_load"')
    return os.environ.get("LOAD_PG_URL", f"postgresql://{HOST}:5432/respiro_load")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30, help="requests per client (bounded)")
    parser.add_argument("--seconds", type=float, default=90, help="wall-clock limit per backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--ramp", type=float, default=0.0, help="seconds over which the clients start")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a client waits between requests (0: closed loop, saturation)")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="respiro-load-") as tmp:
        for backend in args.backends.split(","):
            url = f"sqlite:///{tmp}/respiro.db" if backend == "sqlite" else _postgres_url()
            print(f"== {backend}: {args.clients} clients x {args.requests} requests, think {args.think} s, "
                  f"ramp {args.ramp} s, "
                  f"at most {args.seconds:.0f} s", flush=True)
            results.append(run_backend(backend, url, args.clients, args.requests, args.seconds, args.think, args.ramp))
    print_table(results)
    return 1 if any(r["5xx"] or r["locked"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
