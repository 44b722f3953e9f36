"""Where the case service keeps its files, and the start-up step that creates them.

Importing `riskroute.web.settings` only reads: the environment, and the secret key file if it is
already there. Anything that merely imports the settings (mypy's Django plugin, a test, a script
asking for one value) therefore leaves nothing behind. The files are made by `prepare()`, which
every entry point that serves pages or opens the database calls before Django starts: the
`riskroute` commands (`cli.io.django_setup`), the WSGI and ASGI modules, and the test suite's
conftest. It is idempotent: a second call, or a second process, finds the files and keeps them.

This module does not import Django, so it can run before the settings are read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

#: The directory of the default database, the generated secret key and the collected static files.
DATA_DIR_ENV = "RISKROUTE_DATA_DIR"
SECRET_KEY_ENV = "DJANGO_SECRET_KEY"
DATABASE_URL_ENV = "DATABASE_URL"
SQLITE_ENGINE = "django.db.backends.sqlite3"


def data_dir() -> Path:
    """`RISKROUTE_DATA_DIR`, by default `./var`, as an absolute path (it need not exist yet)."""
    return Path(os.environ.get(DATA_DIR_ENV, "var")).resolve()


def database_url() -> str:
    """`DATABASE_URL`, by default a SQLite file in the data directory."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{data_dir() / 'riskroute.sqlite3'}"


def static_root() -> Path:
    """Where `collectstatic` writes; whitenoise warns on every start if it is missing."""
    return data_dir() / "staticfiles"


def _secret_key_file() -> Path:
    return data_dir() / "secret_key"


def secret_key() -> str:
    """The signing key from the environment, else the one `prepare()` stored; "" if neither exists
    yet (Django then refuses to sign anything, naming SECRET_KEY, rather than using a weak key)."""
    from_env = os.environ.get(SECRET_KEY_ENV)
    if from_env:
        return from_env
    with contextlib.suppress(FileNotFoundError):
        return _secret_key_file().read_text(encoding="utf-8").strip()
    return ""


def prepare() -> None:
    """Create what the service needs on disk, if it is not there: the data directory (0700), a
    secret key (0600) unless the environment gives one, the SQLite database file (0600) when the
    database is SQLite, and the static files directory."""
    root = data_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not os.environ.get(SECRET_KEY_ENV):
        _create_secret_key(_secret_key_file())
    config = dj_database_url.parse(database_url())
    if config["ENGINE"] == SQLITE_ENGINE:
        _private_file(Path(str(config["NAME"])))
    static_root().mkdir(parents=True, exist_ok=True)


def _create_secret_key(path: Path) -> None:
    """A new random key, written once. It is written to a private temporary file and then linked
    into place, which fails if the key exists: so a process starting at the same moment reads
    either no key or the whole of the one key that won, never a half-written file."""
    if path.exists():
        return
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _private_file(path: Path) -> None:
    """Create a file only its owner can read (0600) before SQLite does (it would use the umask,
    typically 0644); SQLite gives its -wal and -shm files the same mode as the database."""
    if str(path) in ("", ":memory:") or path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
