"""`riskroute serve` and `riskroute demo`: run the case service and load its synthetic demo data.

Settings come from the environment (see riskroute.web.settings and docs/case-service.md).
`serve` runs gunicorn, a production-grade WSGI server; the database is migrated first so that a
fresh SQLite file just works. Outside demo mode, `serve` refuses a database that holds demo
accounts, because demo passwords are public.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from riskroute.cli.io import django_setup

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _fail(message: str) -> None:
    typer.echo(f"riskroute: {message}", err=True)
    raise typer.Exit(2)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = DEFAULT_PORT,
    workers: Annotated[int, typer.Option(min=1, max=64, help="gunicorn worker processes.")] = 2,
) -> None:
    """Run the case service with gunicorn (API at /api/, OpenAPI at /api/openapi.json)."""
    django_setup()
    from django.conf import settings

    from riskroute.cases.demo import has_demo_data

    _migrate()
    if not settings.DEMO_MODE and has_demo_data():
        _fail("this database holds demo accounts; use RISKROUTE_DEMO=1 or a fresh database (DATABASE_URL)")
    from gunicorn.app.base import BaseApplication

    from riskroute.web.wsgi import application

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": 4,
                "timeout": 60,
                "graceful_timeout": 20,
                "accesslog": "-",
                "errorlog": "-",
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    mode = " (DEMO MODE)" if settings.DEMO_MODE else ""
    typer.echo(f"riskroute case service on http://{host}:{port}/{mode}", err=True)
    _drop_server_banner()
    _Server().run()


def _drop_server_banner() -> None:
    """gunicorn names itself in a `Server` header on every response and has no setting to stop it;
    the header tells an attacker which server's flaws to try, and nobody else needs it. Its
    response class builds the default headers in one method, which is wrapped here to leave the
    banner out (tested against a running `serve`)."""
    from gunicorn.http import wsgi

    build = wsgi.Response.default_headers
    if getattr(build, "without_banner", False):
        return

    def default_headers(self: Any) -> list[str]:
        return [line for line in build(self) if not line.lower().startswith("server:")]

    default_headers.without_banner = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


def demo() -> None:
    """Migrate an empty database and load synthetic demo cases (logins printed in demo mode)."""
    django_setup()
    from django.conf import settings

    from riskroute.accounts.models import User
    from riskroute.cases.demo import DEMO_PASSWORD, demo_logins, has_demo_data, load_demo

    if not settings.DEMO_MODE:
        _fail("demo data needs demo mode: set RISKROUTE_DEMO=1 (demo accounts exist only in demo mode)")
    _migrate()
    if has_demo_data():
        typer.echo("Demo data already loaded.", err=True)
    elif User.objects.exists():
        _fail("the database is not empty; the demo loads only into an empty database")
    else:
        load_demo()
        typer.echo("Demo data loaded.", err=True)
    typer.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in demo_logins():
        typer.echo(f"  {username:<28} {description}")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add `serve` and `demo` to the main app."""
    app.command("serve")(serve)
    app.command("demo")(demo)
