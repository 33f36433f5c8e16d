"""Settings come from LICITE_* variables through strict helpers that refuse bad values."""

from __future__ import annotations

import stat

import pytest

from licite.conf import Env, SettingsError, parse_database_url
from tests.conftest import run_licite


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", True),
    ],
)
def test_flags_accept_the_usual_spellings(raw, expected):
    assert Env({"X": raw}).flag("X", default=True) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "vrai", "yes please"])
def test_a_flag_refuses_anything_else_and_names_the_variable(raw):
    with pytest.raises(SettingsError, match=r"^LICITE_DEBUG: expected true or false"):
        Env({"LICITE_DEBUG": raw}).flag("LICITE_DEBUG", default=False)


def test_a_number_out_of_range_is_refused():
    with pytest.raises(SettingsError, match="LICITE_EMAIL_PORT: expected a number from 1 to 65535"):
        Env({"LICITE_EMAIL_PORT": "70000"}).integer("LICITE_EMAIL_PORT", 25, minimum=1, maximum=65535)


def test_a_choice_lists_the_valid_values():
    with pytest.raises(SettingsError, match="expected one of fr, en, got 'de'"):
        Env({"LICITE_LANGUAGE": "de"}).choice("LICITE_LANGUAGE", "fr", ("fr", "en"))


def test_the_default_database_is_a_sqlite_file_under_licite_home(tmp_path):
    config = parse_database_url("", variable="V", default_sqlite=tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")


def test_a_postgres_url_is_split_into_its_parts():
    config = parse_database_url(
        "postgres://lic:s%40cret@db.internal:5433/licite?sslmode=require",
        variable="V",
        default_sqlite=None,
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "lic",
        "s@cret",
        "db.internal",
        "5433",
        "licite",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    "url", ["nonsense", "mysql://u@h/db", "postgres://u@h:port/db", "postgres://u@h/", "sqlite://"]
)
def test_an_unparsable_database_url_is_refused_without_echoing_a_password(url):
    with pytest.raises(SettingsError) as caught:
        parse_database_url(url, variable="LICITE_DATABASE_URL", default_sqlite=None)
    assert str(caught.value).startswith("LICITE_DATABASE_URL: ")


def test_an_unknown_scheme_does_not_echo_the_password():
    with pytest.raises(SettingsError) as caught:
        parse_database_url("mysql://root:hunter2hunter2@h/db", variable="V", default_sqlite=None)
    assert "hunter2" not in str(caught.value)


def test_secrets_are_generated_once_into_files_readable_by_the_owner_only(tmp_path):
    first = Env({}).secret("LICITE_SECRET_KEY", tmp_path, "secret_key")
    again = Env({}).secret("LICITE_SECRET_KEY", tmp_path, "secret_key")
    assert first == again
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_a_short_secret_from_the_environment_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="LICITE_SUPPRESSION_KEY: must be at least 32"):
        Env({"LICITE_SUPPRESSION_KEY": "short"}).secret("LICITE_SUPPRESSION_KEY", tmp_path, "k")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LICITE_DEBUG", "maybe"),
        ("LICITE_DATABASE_URL", "not a url"),
        ("LICITE_EMAIL_PORT", "twenty-five"),
    ],
)
def test_a_bad_setting_stops_the_command_with_one_line_naming_the_variable(variable, value, tmp_path):
    result = run_licite("check", env={variable: value, "LICITE_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"licite: configuration error: {variable}: ")


def test_every_variable_the_settings_read_is_documented_in_the_example_env_file():
    import re

    from tests.conftest import ROOT

    code = "".join(p.read_text() for p in (ROOT / "licite").rglob("*.py"))
    used = set(re.findall(r'"(LICITE_[A-Z_]+)"', code))
    listed = set(re.findall(r"^(LICITE_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used - listed == set()


def _secret_of(path: str) -> str:
    from pathlib import Path

    from licite.conf import read_or_create_secret

    return read_or_create_secret(Path(path), "LICITE_TEST_KEY")


def test_processes_starting_at_once_all_read_the_same_whole_secret(tmp_path):
    """Eight commands started together (a worker pool, a test) never read a half-written key."""
    from concurrent.futures import ProcessPoolExecutor

    for attempt in range(20):
        path = str(tmp_path / f"key{attempt}")
        with ProcessPoolExecutor(8) as pool:
            values = list(pool.map(_secret_of, [path] * 16))
        assert len(set(values)) == 1
        assert len(values[0]) >= 32
