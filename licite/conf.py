"""Strict readers of the environment variables that configure licite.

Every helper refuses a bad value with a `SettingsError` that names the variable, so that
`licite` can stop with one clear line instead of a traceback. Nothing here imports Django.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
MIN_KEY_LENGTH = 32


class SettingsError(Exception):
    """A configuration value is missing or malformed."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


class Env:
    """Typed access to a mapping of environment variables (os.environ by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if not raw:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise SettingsError(name, f"expected true or false (or 1/0, yes/no, on/off), got {raw!r}")

    def integer(self, name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(name, f"expected a whole number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise SettingsError(name, f"expected a number from {minimum} to {maximum}, got {value}")
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        raw = self.text(name, default).lower()
        if raw not in choices:
            raise SettingsError(name, f"expected one of {', '.join(choices)}, got {raw!r}")
        return raw

    def items(self, name: str, default: tuple[str, ...]) -> list[str]:
        raw = self.text(name)
        if not raw:
            return list(default)
        return [item.strip() for item in raw.split(",") if item.strip()]

    def path(self, name: str, default: str) -> Path:
        return Path(self.text(name, default) or default).expanduser().resolve()

    def optional_file(self, name: str) -> Path | None:
        """An existing file, or None when the variable is empty."""
        if not self.text(name):
            return None
        path = Path(self.text(name)).expanduser().resolve()
        if not path.is_file():
            raise SettingsError(name, f"no file {path}")
        return path

    def secret(self, name: str, home: Path, filename: str) -> str:
        """The secret from the variable, else from its file under LICITE_HOME, created at once.

        The file is created with mode 0600 and never overwritten: losing the suppression key
        would make every suppression hash unmatchable (RULES F4).
        """
        raw = self.text(name)
        if raw:
            if len(raw) < MIN_KEY_LENGTH:
                raise SettingsError(name, f"must be at least {MIN_KEY_LENGTH} characters long")
            return raw
        return read_or_create_secret(home / filename, name)

    def optional_integer(self, name: str, *, minimum: int, maximum: int, below: str = "") -> int | None:
        """A whole number, or None when the variable is empty; `below` says why the minimum."""
        if not self.text(name):
            return None
        raw = self.text(name)
        if raw.lstrip("-").isdigit() and int(raw) < minimum and below:
            raise SettingsError(name, f"{raw} is below {minimum}: {below}")
        return self.integer(name, 0, minimum=minimum, maximum=maximum)

    def rate(self, name: str, default: str) -> str:
        """A rate such as 600/m: a number of requests per second, minute, hour or day."""
        raw = self.text(name, default)
        if not re.fullmatch(r"[1-9][0-9]{0,6}/[smhd]", raw):
            raise SettingsError(name, f"expected requests per s, m, h or d, such as 600/m, got {raw!r}")
        return raw

    def cron(self, name: str, default: str) -> str:
        """A cron expression: minute hour day month weekday, or with a leading seconds field."""
        raw = " ".join(self.text(name, default).split()) or default
        problem = cron_problem(raw)
        if problem:
            raise SettingsError(name, problem)
        return raw


def cron_trigger(expression: str, timezone: Any = None) -> Any:
    """The APScheduler trigger of a cron expression (5 fields, or 6 with seconds first).

    APScheduler counts weekdays from Monday (0), cron from Sunday: a weekday is therefore
    written as a name (mon-fri), never a number, as django-crontask requires too."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(
            f"expected 5 fields (minute hour day month weekday), or 6 with seconds first, got {len(fields)}"
        )
    if any(character.isdigit() for character in fields[-1]):
        raise ValueError("write the weekday as a name (mon, tue... or mon-fri) or *, never a number")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week,
        timezone=timezone,
    )  # fmt: skip


def cron_problem(expression: str) -> str:
    """What is wrong with a cron expression, or ""."""
    try:
        cron_trigger(expression, "UTC")
    except ValueError as exc:
        return f"not a cron expression ({exc}): {expression!r}"
    return ""


# Email backends that never reach a real mail server: they print, write or keep the messages.
LOCAL_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


def reaches_mailboxes(email_backend: str) -> bool:
    """Whether messages given to this backend can reach a real person's mailbox."""
    return email_backend not in LOCAL_EMAIL_BACKENDS


def unreachable_links(base_url: str, email_backend: str) -> str:
    """Why the links of a message sent now could not serve their purpose, or "" if they can.

    RULES E1, E2: the objection link must work for whoever receives the message, and the
    one-click unsubscribe header needs an HTTPS URL. A local backend (console, file) is for
    development: its links are read by the developer on their own machine.
    """
    if not reaches_mailboxes(email_backend):
        return ""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    loopback = host in {"localhost", "::1"} or host.startswith("127.") or host.endswith(".localhost")
    if parts.scheme != "https" or not host or loopback:
        return (
            f"LICITE_BASE_URL is {base_url!r}: the objection and unsubscribe links of every message "
            "would point there, where recipients cannot reach them (RULES E1, E2)"
        )
    return ""


def read_or_create_secret(path: Path, variable: str) -> str:
    """Read a secret file, or create it with a new random value and mode 0600."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a file of its own, then linked into place: a process starting at the
        # same moment reads either no file or the whole secret, never an empty one.
        value = secrets.token_urlsafe(48)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            value = path.read_text(encoding="ascii").strip()
        finally:
            draft.unlink()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(variable, f"cannot read or create {path}: {exc}") from None
    if len(value) < MIN_KEY_LENGTH:
        raise SettingsError(variable, f"{path} holds fewer than {MIN_KEY_LENGTH} characters")
    return value


def parse_database_url(url: str, *, variable: str, default_sqlite: Path) -> dict[str, Any]:
    """Turn `sqlite:///path` or `postgres://user:pass@host:port/name?opt=v` into DATABASES['default']."""
    if not url:
        return _sqlite(default_sqlite)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc or not parts.path or parts.path == "/":
            raise SettingsError(
                variable, "expected sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        return _sqlite(Path(unquote(parts.path[1:])).expanduser().resolve())
    if scheme in {"postgres", "postgresql", "pgsql"}:
        return _postgres(parts, variable)
    expected = "expected sqlite:///path/to/file.db or postgres://user:password@host:5432/name"
    if not scheme:
        raise SettingsError(variable, f"not a database URL; {expected}")
    # The URL itself is never echoed: it may hold a password.
    raise SettingsError(variable, f"unsupported database scheme {scheme!r}; {expected}")


# A new database's pages (an existing one keeps its own): 16 KiB rather than SQLite's 4 KiB, a
# quarter of the pages to split, link and log for the same rows. The benchmark's 1M-row import,
# in-process, three runs each: 11.2 to 12.1 s with --exclusive against 12.6 to 13.1 s, the WAL
# commit 2.5 to 2.8 s against 3.8 to 4.1 s; a request reads a few pages either way.
PAGE_SIZE = 16384


def _sqlite(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # page_size first: it takes effect only before the database's first write.
            # RULES G4, F1: erased means gone from the files too. secure_delete overwrites deleted
            # rows and freed pages with zeros; journal_size_limit=0 truncates the write-ahead log
            # when it restarts after a checkpoint, so its old pages do not outlive that checkpoint
            # (licite.rights.purge.scrub_files checkpoints at once after an erasure).
            "init_command": (
                f"PRAGMA page_size={PAGE_SIZE}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA secure_delete=ON; PRAGMA journal_size_limit=0;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Closing the last connection checkpoints the WAL: a worker keeps its connection open.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _postgres(parts: Any, variable: str) -> dict[str, Any]:
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise SettingsError(
            variable, "a PostgreSQL URL needs a database name: postgres://user@host:5432/licite"
        )
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(variable, "the port of the PostgreSQL URL is not a number") from None
    options = dict(parse_qsl(parts.query, keep_blank_values=False, strict_parsing=False))
    host = unquote(parts.hostname or "")
    if "host" in options:  # a unix socket directory: postgres:///licite?host=/run/postgresql
        host = options.pop("host")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


@dataclass(frozen=True)
class ImapMailbox:
    """Where `licite inbox` reads the mail that comes in (LICITE_IMAP_URL)."""

    tls: bool  # imaps: TLS from the start; imap: STARTTLS, or plain text on loopback only
    host: str
    port: int
    user: str
    password: str
    folder: str


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def parse_imap_url(url: str, *, variable: str = "LICITE_IMAP_URL") -> ImapMailbox | None:
    """`imaps://user:password@host[:port]/INBOX` (or `imap://` on loopback or with STARTTLS); "" is None."""
    if not url:
        return None
    parts = urlsplit(url)
    expected = "expected imaps://user:password@host/INBOX"
    if parts.scheme.lower() not in {"imap", "imaps"}:
        # The URL itself is never echoed: it holds a password.
        raise SettingsError(variable, f"not an IMAP URL; {expected}")
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(variable, "the port of the IMAP URL is not a number") from None
    if not parts.hostname or not parts.username:
        raise SettingsError(variable, f"the IMAP URL needs a user and a host; {expected}")
    tls = parts.scheme.lower() == "imaps"
    return ImapMailbox(
        tls=tls, host=parts.hostname, port=port or (993 if tls else 143), user=unquote(parts.username),
        password=unquote(parts.password or ""), folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )  # fmt: skip


def imap_in_clear(mailbox: ImapMailbox) -> bool:
    """Whether the password would cross a network in clear: plain imap:// to a host not on loopback."""
    return not mailbox.tls and mailbox.host not in _LOOPBACK
