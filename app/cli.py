"""Command-line operations: `flask --app wsgi <group> <command>`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db

users = AppGroup("users", help="Accounts.")
keys = AppGroup("keys", help="Data encryption keys.")
i18n = AppGroup("i18n", help="Translation catalogs.")


@users.command("create-admin")
@click.option("--email", prompt=True)
@click.password_option()
def create_admin(email: str, password: str) -> None:
    """Create an admin account (the first one included; there is no default)."""
    from app.auth.accounts import AccountError, create_user

    try:
        user = create_user(email=email, password=password, role="admin")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"admin {user.email} created")


@keys.command("new")
def new_key() -> None:
    """Print a fresh data key to put first in DATA_KEYS."""
    from app.security.crypto import new_key_spec

    click.echo(new_key_spec())


@keys.command("rotate")
def rotate() -> None:
    """Re-encrypt every encrypted value with the first (primary) data key."""
    from app.security.crypto import current_keyring, rotate_all

    count = rotate_all(db.session)
    db.session.commit()
    click.echo(f"re-encrypted {count} values with key {current_keyring().primary}")


@i18n.command("compile")
def compile_translations() -> None:
    """Compile every translation catalog (.po -> .mo)."""
    from app.i18n import compile_catalogs

    for path in compile_catalogs():
        click.echo(f"compiled {path}")


@i18n.command("update")
@click.option("--only", help="a blueprint name, or 'shared', to update just that catalog")
def update_translations(only: str | None) -> None:
    """Extract strings into the catalogs and list what still needs translating."""
    from app.i18n import update_catalogs

    for folder, missing in update_catalogs(only=only).items():
        click.echo(f"{folder}: {len(missing)} untranslated")
        for message in missing:
            click.echo(f"  - {message}")


@click.command("demo")
@click.option("--print-logins/--no-print-logins", default=True)
def demo(print_logins: bool) -> None:
    """Load the fictional demo data when the database is empty (idempotent)."""
    from app.demo import DEMO_PASSWORD, load_demo

    logins = load_demo()
    db.session.commit()
    if print_logins:
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email in logins:
            click.echo(f"  {role:<28} {email}")


def init_app(app: Flask) -> None:
    for group in (users, keys, i18n, demo):
        app.cli.add_command(group)
