"""The `field` macro (templates/macros.html): a checkbox's hint is shown and tied to it, as for any field."""
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField


class _Form(FlaskForm):
    keep = BooleanField("Keep the programme", description="Untick it to have a new programme planned.")


def test_a_checkbox_shows_its_hint_and_points_to_it(app):
    with app.test_request_context("/"):
        html = render_template_string('{% from "macros.html" import field %}{{ field(form.keep) }}', form=_Form())
    assert '<p class="field__hint" id="keep-hint">Untick it to have a new programme planned.</p>' in html
    assert 'aria-describedby="keep-hint"' in html


def test_a_checkbox_with_an_error_points_to_its_hint_and_its_error(app):
    form_html = '{% from "macros.html" import field %}{{ field(form.keep) }}'
    with app.test_request_context("/"):
        form = _Form()
        form.keep.errors = ["Choose"]
        html = render_template_string(form_html, form=form)
    assert 'aria-describedby="keep-hint keep-error"' in html and 'id="keep-error"' in html


def test_every_template_renders_hidden_fields_through_hidden_fields():
    """`hidden_fields(form)` renders the CSRF token and version without ids, so a page holding several forms
    repeats no id (the Nu checker's error); a template rendering `csrf_token` or `hidden_tag()` itself would."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    direct = re.compile(r"\{\{\s*[\w.]+\.(csrf_token|hidden_tag\(\))\s*\}\}")
    found = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.html")
             for n, line in enumerate(path.read_text().splitlines(), 1) if direct.search(line)]
    assert found == []
