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
