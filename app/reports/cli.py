"""`flask --app wsgi report demand|waiting|load|served --months N --format csv|table [--house ID]`.

The same suppressed cells as the pages and the CSV downloads ("<5", "*").
Counted for the whole network, or one house with `--house` (its id or code).
Audited as `report.cli` (no figures in the audit row). Only defenders who agreed to be counted are
counted (`facts.COUNTED`); the table ends with how many were left out.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

import click
from sqlalchemy import select

from app.extensions import db
from app.reports.tables import CLI_REPORTS


def _house_id(value: str | None) -> int | None:
    from app.models import House

    if value is None:
        return None
    house = db.session.scalar(select(House).where(House.code == value))
    if house is None and value.isdigit():
        house = db.session.get(House, int(value))
    if house is None:
        raise click.ClickException(f"no house with id or code {value!r}")
    return house.id


def render_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)] if rows else [len(h) for h in header]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)), line]
    for row in rows:
        out.append("  ".join(str(x).rjust(w) if i > 1 else str(x).ljust(w)
                             for i, (x, w) in enumerate(zip(row, widths))))
    return "\n".join(out)


def render_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@click.command("report")
@click.argument("name", type=click.Choice(CLI_REPORTS))
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 36), help="how many months")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m"]),
              help="first month (YYYY-MM); default: this month for demand and load, else the months up to this one")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["csv", "table"]))
@click.option("--house", help="one house (its id or code); default: the whole network")
def report(name: str, months: int, start: dt.datetime | None, fmt: str, house: str | None) -> None:
    """Print a report (counts of fewer than 5 people show as <5)."""
    from app.models import local_today
    from app.reports import service
    from app.security import audit

    today = local_today()
    house_id = _house_id(house)
    first = start.date() if start else service.default_start(name, months, today)
    built = service.build(name, start=first, months=months, today=today,
                          house_ids=None if house_id is None else [house_id])
    audit.record(None, "report.cli", report=name, months=months, start=first.isoformat(), house_id=house_id,
                 format=fmt)
    db.session.commit()
    if fmt == "csv":
        click.echo(render_csv(built.csv_header, built.csv_rows), nl=False)
    else:
        click.echo(render_table(built.table_header, built.csv_rows))
        if built.not_counted is not None:  # the CSV stays the download's very cells; the table says who is in it
            click.echo(f"\nonly defenders who agreed to be counted; left out (did not agree): {built.not_counted}")
