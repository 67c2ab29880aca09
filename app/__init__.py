"""Respiro: planning healing stays for women human rights defenders at risk."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package imports nothing of Flask itself, so the wheel's build step can load app._build
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """`templates` or `migrations`: inside the package when installed from a wheel, else beside it (a checkout)."""
    shipped = Path(__file__).resolve().parent / "_shipped" / name
    return shipped if shipped.is_dir() else ROOT / name


BLUEPRINTS = ("auth", "main", "admin", "interviews", "houses", "network", "planning", "calendars", "schedule",
              "offers", "notices", "reports")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: environment configuration, overridden by `config` (tests)."""
    from flask import Flask

    from app import config as config_module

    app = Flask(__name__, template_folder=str(resource_dir("templates")), instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment(app.instance_path))
    app.config.update(config or {})
    config_module.set_timezone(app.config)
    if app.config["RESPIRO_ENV"] != "production":
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = config_module.instance_secret_key(app.config["SECRET_KEY_FILE"])
        if app.config["SECRET_KEY"] == config_module.DEFAULT_SECRET:
            raise config_module.ConfigError("SECRET_KEY is the public development key: unset it to use a random one")
    if app.config["RESPIRO_ENV"] == "production":
        config_module.check_production(app.config)
        app.config["PREFERRED_URL_SCHEME"] = "https"

    from app.security import crypto

    from app.security import blind_index, defender_keys

    app.extensions["respiro_keyring"] = crypto.load_keyring(app.config)
    app.extensions["respiro_email_index_key"] = blind_index.load_index_key(app.config)
    app.extensions["respiro_keystore"] = defender_keys.load_store(
        app.config, lambda: app.extensions["respiro_keyring"])
    _init_extensions(app)
    from app.web import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route is added: every <int:...> is bounded
    _register_blueprints(app)

    from app import cli, errors, web

    web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX_X_FOR reverse proxies, take the client's address and scheme from their headers.

    Only then: without a proxy anyone could write X-Forwarded-For and pass for
    another client (the login throttle counts by client address).
    """
    hops = app.config.get("PROXY_FIX_X_FOR") or 0
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _init_extensions(app: Flask) -> None:
    from app import i18n, models  # noqa: F401  (models register their tables)
    from app.database import configure_engine
    from app.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)


def _register_blueprints(app: Flask) -> None:
    import importlib

    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"app.{name}").bp)
