"""Backline's storage and privacy settings, read from environment variables.

Nothing here is required: with no variable set, conversations go to a SQLite file under the project
(var/backline.db), the lock store is in memory (one Rasa server), the HTTP API is off and conversations
are deleted 30 days after their last message.

| variable | meaning |
|---|---|
| BACKLINE_DB_URL | full SQLAlchemy URL of the tracker database, e.g. postgresql://backline:PW@db:5432/backline |
| BACKLINE_DB_HOST, BACKLINE_DB_PORT, BACKLINE_DB_NAME, BACKLINE_DB_USER, BACKLINE_DB_PASSWORD | the same for PostgreSQL, piece by piece (used when BACKLINE_DB_URL is unset and BACKLINE_DB_HOST is set) |
| BACKLINE_SQLITE_PATH | the SQLite file when no database is configured (default var/backline.db, relative to the project) |
| BACKLINE_DB_CONNECT_TIMEOUT | seconds to wait for the database at start-up (default 20) |
| BACKLINE_REDIS_URL | Redis for the lock store, e.g. redis://redis:6379/1; unset: in-memory locks (one server only) |
| BACKLINE_RETENTION_DAYS | delete conversations whose last message is older than this many days (default 30; 0 keeps them) |
| BACKLINE_ENABLE_API, BACKLINE_API_TOKEN, BACKLINE_JWT_SECRET | the Rasa HTTP API (scripts/run.sh, ops.preflight) |
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = "var/backline.db"
DEFAULT_RETENTION_DAYS = 30
DEFAULT_CONNECT_TIMEOUT = 20.0
TRUE = {"1", "true", "yes", "on"}


class ConfigError(Exception):
    """A setting is wrong or points at something unusable. The message names the setting."""

    def __init__(self, setting: str, problem: str, hint: str = "") -> None:
        self.setting = setting
        self.problem = problem
        self.hint = hint
        super().__init__(f"{setting}: {problem}" + (f" {hint}" if hint else ""))


def _env(env: Optional[Mapping[str, str]]) -> Mapping[str, str]:
    return os.environ if env is None else env


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


@dataclass(frozen=True)
class Database:
    url: str          # SQLAlchemy URL (with the password)
    setting: str      # the variable(s) it came from, for error messages
    kind: str         # "sqlite" or "postgresql" (or another SQLAlchemy dialect given by URL)

    @property
    def safe_url(self) -> str:
        """The URL with the password masked, for logs and messages."""
        from sqlalchemy.engine.url import make_url

        try:
            return make_url(self.url).__repr__()  # SQLAlchemy masks the password as ***
        except Exception:  # noqa: BLE001 - only for display
            return "(unparseable URL)"

    @property
    def sqlite_path(self) -> Optional[Path]:
        if self.kind != "sqlite":
            return None
        return Path(self.url[len("sqlite:///"):])


def database(env: Optional[Mapping[str, str]] = None) -> Database:
    """Which database the tracker store uses, from the environment."""
    env = _env(env)
    url = _get(env, "BACKLINE_DB_URL")
    if url:
        try:
            from sqlalchemy.engine.url import make_url

            parsed = make_url(url)
        except Exception as error:  # noqa: BLE001 - SQLAlchemy raises ArgumentError and others
            raise ConfigError("BACKLINE_DB_URL", f"is not a database URL ({error}).",
                              "Example: postgresql://backline:PASSWORD@db.example:5432/backline") from None
        backend = parsed.get_backend_name()
        if backend == "postgres":  # SQLAlchemy 1.4 dropped the old alias
            url = "postgresql" + url[len("postgres"):]
            backend = "postgresql"
        return Database(url=url, setting="BACKLINE_DB_URL", kind=backend)
    host = _get(env, "BACKLINE_DB_HOST")
    if host:
        from sqlalchemy.engine.url import URL

        port_text = _get(env, "BACKLINE_DB_PORT") or "5432"
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigError("BACKLINE_DB_PORT", f"'{port_text}' is not a port number.") from None
        url = URL.create(
            "postgresql", username=_get(env, "BACKLINE_DB_USER") or "postgres",
            password=env.get("BACKLINE_DB_PASSWORD") or None, host=host, port=port,
            database=_get(env, "BACKLINE_DB_NAME") or "backline",
        )
        return Database(url=url.render_as_string(hide_password=False),
                        setting="BACKLINE_DB_HOST/PORT/NAME/USER/PASSWORD", kind="postgresql")
    path = Path(_get(env, "BACKLINE_SQLITE_PATH") or DEFAULT_SQLITE_PATH)
    if not path.is_absolute():
        path = ROOT / path
    return Database(url=f"sqlite:///{path}", setting="BACKLINE_SQLITE_PATH", kind="sqlite")


def redis_url(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    url = _get(_env(env), "BACKLINE_REDIS_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise ConfigError("BACKLINE_REDIS_URL", f"'{url}' is not a Redis URL.", "Example: redis://redis:6379/1")
    return url


def retention_days(env: Optional[Mapping[str, str]] = None) -> int:
    text = _get(_env(env), "BACKLINE_RETENTION_DAYS")
    if not text:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(text)
    except ValueError:
        raise ConfigError("BACKLINE_RETENTION_DAYS", f"'{text}' is not a whole number of days.") from None
    if days < 0:
        raise ConfigError("BACKLINE_RETENTION_DAYS", "must be 0 (keep forever) or more days.")
    return days


def connect_timeout(env: Optional[Mapping[str, str]] = None) -> float:
    text = _get(_env(env), "BACKLINE_DB_CONNECT_TIMEOUT")
    try:
        return float(text) if text else DEFAULT_CONNECT_TIMEOUT
    except ValueError:
        raise ConfigError("BACKLINE_DB_CONNECT_TIMEOUT", f"'{text}' is not a number of seconds.") from None


@dataclass(frozen=True)
class Api:
    enabled: bool
    token: Optional[str]
    jwt_secret: Optional[str]


def api(env: Optional[Mapping[str, str]] = None) -> Api:
    """The Rasa HTTP API is on only with a token or JWT secret; asking for it without one is an error."""
    env = _env(env)
    token = _get(env, "BACKLINE_API_TOKEN") or None
    secret = _get(env, "BACKLINE_JWT_SECRET") or None
    wanted = _get(env, "BACKLINE_ENABLE_API").lower()
    if wanted in TRUE and not (token or secret):
        raise ConfigError(
            "BACKLINE_ENABLE_API", "is set, but neither BACKLINE_API_TOKEN nor BACKLINE_JWT_SECRET is.",
            "The HTTP API exposes every conversation (health details); set BACKLINE_API_TOKEN to a long "
            "random string (e.g. `openssl rand -hex 32`), or unset BACKLINE_ENABLE_API.",
        )
    if wanted and wanted not in TRUE and wanted not in {"0", "false", "no", "off"}:
        raise ConfigError("BACKLINE_ENABLE_API", f"'{wanted}' is not 1/0, true/false, yes/no or on/off.")
    return Api(enabled=bool(token or secret) and wanted not in {"0", "false", "no", "off"},
               token=token, jwt_secret=secret)


# --- checks that talk to the services ---------------------------------------------------------------

def explain_database_error(db: Database, error: BaseException) -> ConfigError:
    """Turns a driver error into a message that names the setting and says what to do."""
    text = str(getattr(error, "orig", None) or error).strip()
    low = text.lower()
    where = db.safe_url
    password_setting = "BACKLINE_DB_PASSWORD" if db.setting.startswith("BACKLINE_DB_HOST") else "BACKLINE_DB_URL"
    if "password authentication failed" in low or "no password supplied" in low or "28p01" in low:
        return ConfigError(password_setting, f"the database rejected the password for {where}.",
                           "Check the user name and password.")
    if "role" in low and "does not exist" in low:
        return ConfigError(db.setting, f"the database user does not exist ({where}).", "Check the user name.")
    if "database" in low and "does not exist" in low:
        return ConfigError(db.setting, f"the database does not exist ({where}).",
                           "Create it first (CREATE DATABASE ...) or fix the database name.")
    if "could not translate host name" in low or "name or service not known" in low:
        return ConfigError(db.setting, f"unknown database host in {where}.", "Check the host name.")
    if "connection refused" in low or "timeout" in low or "could not connect" in low or "no route" in low:
        return ConfigError(db.setting, f"cannot reach the database at {where}: nothing answers there.",
                           "Is PostgreSQL running and is the host/port right?")
    if db.kind == "sqlite" and ("unable to open" in low or "readonly" in low or "read-only" in low):
        return ConfigError("BACKLINE_SQLITE_PATH", f"cannot open or write the SQLite file {db.sqlite_path}.",
                           "Check that the folder exists and is writable.")
    first_line = text.splitlines()[0] if text else type(error).__name__
    return ConfigError(db.setting, f"cannot use the database at {where}: {first_line}")


def check_database(db: Database, timeout: Optional[float] = None, engine=None) -> None:
    """Connects once (retrying while nothing answers, up to `timeout` s); raises ConfigError."""
    import sqlalchemy as sa

    if db.kind == "sqlite":
        path = db.sqlite_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError("BACKLINE_SQLITE_PATH", f"cannot create the folder {path.parent}: {error}.") from None
    timeout = connect_timeout() if timeout is None else timeout
    own = engine is None
    if own:
        kwargs = {"connect_args": {"connect_timeout": 5}} if db.kind == "postgresql" else {}
        try:
            engine = sa.create_engine(db.url, **kwargs)
        except ImportError as error:
            raise ConfigError(db.setting, f"the database driver is not installed ({error}).") from None
        except Exception as error:  # noqa: BLE001 - a bad URL raises several kinds
            raise ConfigError(db.setting, f"cannot use {db.safe_url}: {error}") from None
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                    if db.kind == "sqlite":  # a read-only file only fails on write
                        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS backline_probe (x INTEGER)"))
                        conn.execute(sa.text("DROP TABLE backline_probe"))
                return
            except Exception as error:  # noqa: BLE001 - classified below
                explained = explain_database_error(db, error)
                retriable = "nothing answers" in explained.problem
                if not retriable or time.monotonic() >= deadline:
                    raise explained from None
                time.sleep(1)
    finally:
        if own:
            engine.dispose()


def check_redis(url: str, timeout: float = 5.0) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        client.ping()
        client.close()
    except redis.AuthenticationError as error:
        raise ConfigError("BACKLINE_REDIS_URL", f"Redis rejected the credentials in {mask_redis(url)} ({error}).") from None
    except (redis.ConnectionError, redis.TimeoutError, socket.error) as error:
        raise ConfigError("BACKLINE_REDIS_URL", f"cannot reach Redis at {mask_redis(url)}: {error}.",
                          "Is Redis running and is the host/port right?") from None
    except redis.RedisError as error:
        raise ConfigError("BACKLINE_REDIS_URL", f"Redis at {mask_redis(url)} answered with an error: {error}.") from None


def mask_redis(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
