"""Item 23: bodies over MAX_CONTENT_LENGTH answer 413 with a plain page."""


def test_item_23_a_body_over_max_content_length_answers_413(app, client):
    size = app.config["MAX_CONTENT_LENGTH"] + 1024
    response = client.post("/login", data={"email": "a@example.org", "password": "p" * size})
    assert response.status_code == 413
    assert "demasiado grande" in response.text
    assert "Traceback" not in response.text


def test_item_23_the_limit_is_a_few_megabytes(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 10 * 1024 * 1024
