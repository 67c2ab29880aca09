"""Item 22: Hypothesis fuzzes every form and every query parameter.

For each role, every POST route that role may use (from the route matrix) is
posted random values — unicode, huge strings, SQL and HTML metacharacters,
NUL bytes, numbers, dates, extra privileged fields — with a valid CSRF token:
never a 500, and a refused post (4xx) changes nothing in the database. Every
GET route gets random query parameters: never a 500. The number of inputs
tried is written to test-artifacts/fuzz-count.txt and printed.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import database_fingerprint
from .test_route_matrix import ANON, C, D, FIXED_ARGS, M, MATRIX, T, _url, world  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[3]
COUNTS: Counter = Counter()

# Routes whose post ends the fuzzing session itself (no fields to fuzz) or
# starts the solver: they are covered by the route matrix and their own tests.
SKIP_POST = {"auth.logout", "admin.deactivate_user", "interviews.delete_my_data", "planning.rerun",
             "planning.publish", "planning.cancel", "auth.totp_disable"}
# Proposal edits need a solved run (instance and solution JSON), which this world
# does not build (its proposed stays hang on a failed run): left to the planning tests.
NEEDS_SOLVED_RUN = {"planning.edit_stay", "planning.add_session", "planning.change_session",
                    "planning.remove_session", "planning.lock"}
GENERIC_FIELDS = ["reason", "note", "version", "start", "end", "day", "slot", "dimension", "therapist_id", "confirm",
                  "password", "code", "name", "email", "action", "kind", "level"]
PRIVILEGED = ["role", "house_id", "defender_id", "is_active_user", "status", "user_id"]
PAYLOADS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR '1'='1", "x'; DROP TABLE users; --",
            "%00", "\x00", "../../etc/passwd", "{{7*7}}", "${7*7}", "-1", "0", "99999999999999999999", "1e309", "NaN",
            "2027-02-30", "9999-12-31", "0001-01-01", "true", "on", "", " ", "\u202e\u0645\u0631\u062d\u0628\u0627",
            "😀" * 50, "ñandú árbol", "\r\n\r\nSet-Cookie: x=1"]

small_values = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(PAYLOADS),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.dates().map(str),
)
values = small_values | st.integers(min_value=3000, max_value=40_000).map(lambda n: "Ω" * n)

FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


@pytest.fixture(scope="module", autouse=True)
def _report_count():
    yield
    total = sum(COUNTS.values())
    out = ROOT / "test-artifacts" / "fuzz-count.txt"
    out.parent.mkdir(exist_ok=True)
    lines = [f"total {total}"] + [f"{key} {count}" for key, count in sorted(COUNTS.items())]
    out.write_text("\n".join(lines) + "\n")
    print(f"\nfuzz: {total} inputs tried ({', '.join(f'{k}={v}' for k, v in sorted(COUNTS.items()))})")


def _rules(app, role, method):
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        expect = MATRIX.get(rule.endpoint)
        if expect is None or role not in expect.roles() or method not in rule.methods or rule.endpoint == "static":
            continue
        if (method == "POST" and rule.endpoint in SKIP_POST) or rule.endpoint in NEEDS_SOLVED_RUN:
            continue
        out.append((rule, expect))
    return out


def _fields(client, url, has_get) -> list[str]:
    if not has_get:
        return GENERIC_FIELDS
    page = client.get(url)
    names = [n for n in dict.fromkeys(FIELD.findall(page.text)) if n != "csrf_token"]
    return names or GENERIC_FIELDS


def _show(form: dict) -> str:
    return repr({k: (v if len(v) < 60 else v[:20] + f"...({len(v)} chars)") for k, v in form.items()})


def _login(login, world, role):
    if role != ANON:
        login(world["A"]["users"][role])


FUZZ = settings(max_examples=14, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.mark.parametrize("role", [ANON, D, T, C, M])
def test_item_22_fuzzed_form_posts_never_500_and_refusals_change_nothing(app, client, login, world, role):
    _login(login, world, role)
    targets = []
    for rule, expect in _rules(app, role, "POST"):
        url = _url(rule, expect, world["A"])
        targets.append((rule.endpoint, url, _fields(client, url, "GET" in rule.methods)))
    assert targets or role == ANON

    state = {"fingerprint": None}
    problems: list[str] = []

    @FUZZ
    @given(data=st.data())
    def run(data):
        for endpoint, url, fields in targets:
            chosen = data.draw(st.lists(st.sampled_from(fields + PRIVILEGED), unique=True, max_size=len(fields) + 2)
                               | st.just(fields), label=endpoint)
            form = {name: data.draw(values, label=name) for name in chosen}
            before = state["fingerprint"] or database_fingerprint(reads_audited=True)
            response = client.post(url, data=form)
            COUNTS[f"post:{role}"] += 1
            if response.status_code >= 500:
                problems.append(f"POST {endpoint} {_show(form)}: {response.status_code}")
            after = database_fingerprint(reads_audited=True)
            if 400 <= response.status_code < 500 and after != before:
                problems.append(f"refused POST {endpoint} ({response.status_code}) changed the database: {_show(form)}")
            state["fingerprint"] = after
            if role != ANON and response.status_code == 302 and "/login" in response.location:
                _login(login, world, role)  # a fuzzed post ended the session (e.g. a password change)
                state["fingerprint"] = None

    run()
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("role", [ANON, D, T, C, M])
def test_item_22_fuzzed_query_parameters_never_500(app, client, login, world, role):
    _login(login, world, role)
    urls = [(rule.endpoint, _url(rule, expect, world["A"])) for rule, expect in _rules(app, role, "GET")
            if rule.endpoint not in ("calendars.feed",)]
    names = ["next", "lang", "q", "page", "month", "year", "house", "house_id", "status", "sort", "start", "day",
             "week", "format", "token", "step"]

    @FUZZ
    @given(data=st.data())
    def run(data):
        for endpoint, url in urls:
            params = data.draw(st.dictionaries(st.sampled_from(names) | st.text(min_size=1, max_size=8),
                                               small_values, max_size=4), label=endpoint)
            response = client.get(url, query_string=params)
            response.close()
            COUNTS[f"get:{role}"] += 1
            if response.status_code >= 500:
                problems.append(f"GET {endpoint} {_show(params)}: {response.status_code}")

    problems: list[str] = []
    run()
    assert problems == [], "\n".join(problems[:20])
