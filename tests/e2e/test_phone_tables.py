"""On a phone, tables wrap between words only, and the page never scrolls sideways (a wide table scrolls in its box)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("main th, main td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        if (lines.size > 1) { broken.push(m[0]); }
      }
    }
  }
  return broken;
}"""


def _check(page, path: str, shot, name: str) -> None:
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    assert page.evaluate(BROKEN_WORDS) == [], path
    shot(page, name)


@pytest.mark.parametrize("who, paths", [
    ("defender", ["/", "/interviews/"]),
    ("team_serena", ["/interviews/team", "/network/"]),
    ("coordinator", ["/planning/", "/planning/runs"]),
])
def test_phone_tables_keep_words_whole(phone_page, demo_logins, login_as, shot, who, paths):
    login_as(phone_page, demo_logins[who])
    for index, path in enumerate(paths):
        _check(phone_page, path, shot, f"phone-table-{who}-{index}")
