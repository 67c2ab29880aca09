"""A required select whose first option is a real choice carries no HTML `required` (HTML asks for an empty
placeholder first; the server still checks the value), as the Nu HTML checker wants (issue 17)."""
import re


def test_no_required_select_starts_with_a_real_choice(client, login, sched):
    login(sched["coordinator"])
    page = client.get(f"/schedule/stays/{sched['stay'].id}").text
    selects = re.findall(r"<select[^>]*>\s*<option[^>]*>", page)
    assert selects
    bad = [s for s in selects if " required" in s.split(">")[0] and 'value=""' not in s]
    assert bad == []
