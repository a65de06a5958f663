"""`regelgat serve`: the professional's page and the JSON API on this computer."""

from __future__ import annotations

from pathlib import Path

import click

from regelgat.cli.app import DATE, _date, _load, _rulesets_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default keeps the page on this computer.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--date", type=DATE, default=None, help="Rules date to compile at start (default: today).")
@_rulesets_option
def serve(host: str, port: int, date, rulesets_dir: Path | None) -> None:
    """Start the web page and the JSON API, and print its address.

    The rules are compiled once at start. Nothing a user enters is stored or logged: the access
    log is off, so not even the addresses of pages are written.
    """
    import uvicorn

    from regelgat.web.app import create_app

    app = create_app(_load(rulesets_dir), _date(date))
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                                           server_header=False))
    click.echo(f"regelgat serves on http://{host}:{port}/ (API documentation at /docs); Ctrl+C stops it")
    server.run()
