"""Importing the settings writes nothing; the start-up step makes the service's files (issue 11).

A tool that only imports `riskroute.web.settings` (mypy's Django plugin, a script, a test) used to
leave a data directory, a secret key and an empty database file behind. Now `startup.prepare()`,
called by every entry point, makes them, privately and once.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from riskroute.web import startup


def _clean_env(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh process with nothing but a data directory configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_", "RISKROUTE_"))}
    return env | {"RISKROUTE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "riskroute.web.settings"}


def _python(code: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("exists", [True, False], ids=["empty-dir", "no-dir"])
def test_importing_the_settings_in_a_fresh_interpreter_creates_nothing(tmp_path: Path, exists: bool) -> None:
    data = tmp_path / "data"
    if exists:
        data.mkdir()
    work = tmp_path / "cwd"  # and nothing in the working directory (the default `./var`)
    work.mkdir()
    code = (
        "import riskroute.web.settings as s; import django; django.setup(); "
        "print(s.DATA_DIR, s.DATABASES['default']['NAME'], repr(s.SECRET_KEY))"
    )
    out = _python(code, _clean_env(data), work)
    assert out.split() == [str(data), str(data / "riskroute.sqlite3"), "''"]  # read from the env
    if exists:
        assert list(data.iterdir()) == []
    else:
        assert not data.exists()
    assert list(work.iterdir()) == []


def test_prepare_makes_the_files_privately_and_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for name in ("DATABASE_URL", "DJANGO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RISKROUTE_DATA_DIR", str(data))
    startup.prepare()
    assert sorted(p.name for p in data.iterdir()) == ["riskroute.sqlite3", "secret_key", "staticfiles"]
    mode = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert mode["secret_key"] == mode["riskroute.sqlite3"] == 0o600
    key = startup.secret_key()
    assert len(key) >= 50 and key == (data / "secret_key").read_text()
    startup.prepare()  # idempotent: the same key, no temporary file left over
    assert startup.secret_key() == key
    assert sorted(p.name for p in data.iterdir()) == ["riskroute.sqlite3", "secret_key", "staticfiles"]


def test_prepare_writes_no_key_or_database_file_the_environment_provides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("RISKROUTE_DATA_DIR", str(data))
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment-" + "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/not_opened")
    startup.prepare()
    assert [p.name for p in data.iterdir()] == ["staticfiles"]
    assert startup.secret_key().startswith("from-the-environment-")


def test_the_settings_read_the_key_that_prepare_made(tmp_path: Path) -> None:
    env = _clean_env(tmp_path / "data")
    code = (
        "from riskroute.web import startup; startup.prepare(); "
        "from django.conf import settings; print(settings.SECRET_KEY == startup.secret_key() != '')"
    )
    assert _python(code, env, tmp_path).strip() == "True"
