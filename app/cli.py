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
    from app.auth.accounts import create_user
    from app.refusals import Refused

    try:
        user = create_user(email=email, password=password, role="admin")
    except Refused as exc:
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
    """Move to the first (primary) data key: re-wrap every defender's key, re-encrypt the network's values.

    Her values are not re-encrypted: they stay under her own key, which is
    re-wrapped. Values of hers still under a master key (written before
    defender keys existed) are moved under her own key on the way.
    """
    _rotate("rotate")


@keys.command("migrate-defenders")
def migrate_defenders() -> None:
    """Upgrade step (migration 0005): move every defender's values under her own key.

    Run once after `flask --app wsgi db upgrade`; running it again changes
    nothing. Until it has run, her older values still read (under the master
    keys) but are not yet destroyed by a deletion.
    """
    _rotate("migrate-defenders")


def _rotate(name: str) -> None:
    from app.security.crypto import DataKeyError, DecryptionError, current_keyring, rotate_all

    try:
        result = rotate_all(db.session)
    except (DecryptionError, DataKeyError) as exc:  # one transaction: nothing was written to the database
        db.session.rollback()
        raise click.ClickException(
            f"cannot re-encrypt ({exc}); nothing was changed in the database. Keep every old key in DATA_KEYS, "
            "after the new first one, until the rotation has finished") from exc
    db.session.commit()
    click.echo(f"{name}: re-encrypted {result.reencrypted} network values and moved {result.moved} values "
               f"under their defender's key; re-wrapped {result.rewrapped} defender keys with key "
               f"{current_keyring().primary}")


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
    from app.demo import DEMO_PASSWORD, DemoNotLoaded, load_demo
    from flask import current_app

    if current_app.config["RESPIRO_ENV"] == "production":
        raise click.ClickException("the demo is never loaded in production (its accounts share a public password)")
    try:
        logins = load_demo()
    except DemoNotLoaded as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if print_logins:
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email in logins:
            click.echo(f"  {role:<28} {email}")


def _account(email: str):
    """The account with this e-mail, or a one-line error for the command line."""
    from app.models import User

    user = db.session.scalar(User.by_email(email))
    if user is None:
        raise click.ClickException("no such account")
    return user


@users.command("reset-totp")
@click.argument("email")
def reset_totp(email: str) -> None:
    """Switch two-step login off for an account (she lost her phone); she enrols again."""
    from app.auth.totp import disable

    user = _account(email)
    disable(user)
    user.end_all_sessions()
    from app.security import audit

    audit.record(None, "user.totp_reset", target=user)
    db.session.commit()
    click.echo(f"two-step login reset for {user.email}")


@users.command("reset-link")
@click.argument("email")
def reset_link(email: str) -> None:
    """Print a one-time link (24 hours) for an account to choose a new password; her sessions end."""
    from flask import url_for

    from app.auth import resets
    from app.refusals import Refused
    user = _account(email)
    try:
        token = resets.issue_reset_link(user, None)
    except Refused as exc:
        raise click.ClickException("the account is deactivated: reactivate it first") from exc
    db.session.commit()
    from flask import current_app

    if current_app.config.get("SERVER_NAME"):
        click.echo(url_for("auth.invitation", token=token, _external=True))
    else:  # no address configured: the path, to put after the site's address
        click.echo(f"/invitation/{token}  (after your site's address; SERVER_NAME is not set)")


@users.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Open a deactivated account again."""
    from app.auth import resets
    from app.refusals import Refused
    user = _account(email)
    try:
        resets.reactivate(user, None)
    except Refused as exc:
        raise click.ClickException("the account is already active") from exc
    db.session.commit()
    click.echo(f"{user.email} is active again")


# ---------------------------------------------------------------- operations (backup, restore, retention)

retention = AppGroup("retention", help="Deleting what she wrote after the retention period she chose.")


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="the backup file to write (SQLite online backup, or pg_dump -Fc)")
def backup_command(output: str) -> None:
    """Back up the database (consistent while it runs; the data keys are NOT inside)."""
    from app.ops import OpsError, backup

    try:
        path = backup(output)
    except OpsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {path} (keep the data keys separately: they are not in it)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite a database that is not empty")
def restore_command(source: str, force: bool) -> None:
    """Restore a backup into the configured database (stop the app first)."""
    from app.ops import OpsError, reapply_shredded_deletions, restore

    try:
        counts = restore(source, force=force, reapply_deletions=False)
    except OpsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {sum(counts.values())} rows in {len(counts)} tables")
    reapplied = reapply_shredded_deletions()  # her key is gone already; this removes her alias and login too
    if reapplied:
        click.echo(f"re-applied {reapplied} deletion(s) made since the backup was taken")


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="only count what would be deleted")
def retention_run(dry_run: bool) -> None:
    """Delete what she wrote past her retention period (safe from cron; see app.ops.run_retention)."""
    from app.ops import run_retention

    result = run_retention(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"checked {result.checked} interviews with narratives; {verb} {result.purged}; "
               f"{verb} the accessibility notes of {result.notes_purged} defenders; "
               f"{verb} the words of {result.follow_ups_purged} follow-ups after a stay")


def init_app(app: Flask) -> None:
    for group in (users, keys, i18n, demo, backup_command, restore_command, retention):
        app.cli.add_command(group)
