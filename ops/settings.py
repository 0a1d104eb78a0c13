"""Backline's storage and privacy settings, read from environment variables.

Nothing here is required: with no variable set, conversations go to a SQLite file under the project
(var/backline.db), the lock store is in memory (one Rasa server), the HTTP API is off and conversations
are deleted 30 days after their last message.

Variable: meaning (default).

- BACKLINE_DB_URL: full SQLAlchemy URL of the tracker database, e.g.
  postgresql://backline:PW@db:5432/backline
- BACKLINE_DB_HOST, BACKLINE_DB_PORT, BACKLINE_DB_NAME, BACKLINE_DB_USER, BACKLINE_DB_PASSWORD: the same
  for PostgreSQL, piece by piece (used when BACKLINE_DB_URL is unset and BACKLINE_DB_HOST is set)
- BACKLINE_SQLITE_PATH: the SQLite file when no database is configured (var/backline.db, relative to
  the project; created with mode 0600)
- BACKLINE_DB_CONNECT_TIMEOUT: seconds to wait for the database at start-up (20)
- BACKLINE_REDIS_URL: Redis for the lock store, e.g. redis://redis:6379/1 (unset: in-memory locks, one
  server and one Sanic worker only)
- BACKLINE_RETENTION_DAYS: delete conversations whose last message is older than this many days
  (30; 0 keeps them)
- BACKLINE_ENABLE_API, BACKLINE_API_TOKEN, BACKLINE_JWT_SECRET, BACKLINE_JWT_METHOD: the Rasa HTTP API,
  on only with a token or JWT secret; placeholders such as "change-me" are refused.
  `python -m ops.preflight --rasa-args` prints the matching `rasa run` flags.
- BACKLINE_CORS: origins allowed to call the Rasa server from a browser, space separated (none: same
  origin only; scripts/run.sh allows its own web page)
- BACKLINE_ACTION_TIMEOUT: seconds the Rasa server waits for the action server before the safety net
  answers (10)
- BACKLINE_STORE_TIMEOUT: seconds one tracker-store or lock-store call may take before the turn goes on
  without it (3)
- BACKLINE_WEB_SECRET: the key that signs the web widget's conversation ids and the diary links (a random
  key kept in var/web-session.secret, mode 0600)
- BACKLINE_WEB_SESSION_DAYS: how long a web widget's conversation id stays valid without use (30); every
  visit renews it, "delete my conversation" revokes it
- BACKLINE_ACTION_SECRET: the credential the Rasa server sends with every call to the action server, which
  refuses (401) any call without it (a random key kept in var/action-server.secret, mode 0600, shared by the
  two servers of one checkout; set it, the same on both, when they run in different containers or hosts)
- Every secret (BACKLINE_WEB_SECRET, BACKLINE_API_TOKEN, BACKLINE_JWT_SECRET, BACKLINE_ACTION_SECRET, and
  `--auth-token` / `--jwt-secret` on the command line) needs at least MIN_SECRET_CHARS (32) characters
- BACKLINE_RATE_LIMIT: messages per client address on REST and socket.io, as COUNT/SECONDS (30/60;
  "off" disables); BACKLINE_RATE_LIMIT_LOOPBACK=1 applies it to 127.0.0.1 too (off: local evaluation,
  tests and benchmarks are not limited)
- BACKLINE_TRUSTED_PROXIES: addresses or networks (CIDR) of reverse proxies in front of the Rasa server,
  space or comma separated (none). Only a request whose direct peer is one of them has its client address
  taken from X-Forwarded-For (the rate limit's key); anyone else's header is ignored
- BACKLINE_MAX_MESSAGE_CHARS: the longest message any channel reads (10000); a longer one gets a short
  reply saying so and is neither read nor stored
- SANIC_WORKERS (Rasa's own): more than 1 needs BACKLINE_REDIS_URL
- RASA_PORT: the Rasa server's port under `make run` / `make shell` (5005); scripts/run.sh passes it on
- BACKLINE_PUBLIC_URL: the Rasa server's address as the caregiver's browser or client reaches it; the diary's
  chart, report and CSV links start with it (http://127.0.0.1:RASA_PORT, the address `make run` gives the page)
- BACKLINE_LINK_MINUTES: how long a diary link works (30)
- BACKLINE_SPEEDUPS_OFF: speed-ups to switch off, comma separated names from SPEEDUPS, or "all" (none:
  every speed-up on). For `make bench` and for ruling a speed-up out when something looks wrong.
"""
from __future__ import annotations

import argparse
import functools
import ipaddress
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = "var/backline.db"
DEFAULT_RETENTION_DAYS = 30
DEFAULT_CONNECT_TIMEOUT = 20.0
DEFAULT_ACTION_TIMEOUT = 10.0
DEFAULT_STORE_TIMEOUT = 3.0
DEFAULT_RATE_LIMIT = (30, 60.0)
DEFAULT_RASA_PORT = 5005
DEFAULT_LINK_MINUTES = 30.0
# The longest message read: a long caregiver message is a few hundred words; reading costs about 35 ms per
# 1,000 characters on the event loop's machine (0.36 s at 10,000), so the cap bounds one message's cost.
DEFAULT_MAX_MESSAGE_CHARS = 10_000
MAX_MESSAGE_CHARS_CEILING = 50_000  # the REST body limit (64 KiB) holds no more anyway
WEB_SECRET_FILE = "var/web-session.secret"
ACTION_SECRET_FILE = "var/action-server.secret"
# 32 characters: 128 bits as hex (`openssl rand -hex 16`); a key made here has 64 (`secrets.token_hex(32)`).
MIN_SECRET_CHARS = 32
DEFAULT_WEB_SESSION_DAYS = 30  # as retention: a conversation nobody came back to for 30 days is gone anyway
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
# Values copied from an example instead of a real secret. Matched case-insensitively, ignoring - and _.
PLACEHOLDERS = {"changeme", "change", "secret", "token", "password", "example", "todo", "xxx", "test", "default",
                "yoursecret", "yourtoken", "replaceme", "setme", "none", "null"}


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


def _whole_number(name: str, default: int, unit: str, env: Optional[Mapping[str, str]]) -> int:
    """The setting `name` as a whole number of `unit` (its default when unset)."""
    text = _get(_env(env), name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigError(name, f"'{text}' is not a whole number of {unit}.") from None


def retention_days(env: Optional[Mapping[str, str]] = None) -> int:
    days = _whole_number("BACKLINE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, "days", env)
    if days < 0:
        raise ConfigError("BACKLINE_RETENTION_DAYS", "must be 0 (keep forever) or more days.")
    return days


def connect_timeout(env: Optional[Mapping[str, str]] = None) -> float:
    text = _get(_env(env), "BACKLINE_DB_CONNECT_TIMEOUT")
    try:
        return float(text) if text else DEFAULT_CONNECT_TIMEOUT
    except ValueError:
        raise ConfigError("BACKLINE_DB_CONNECT_TIMEOUT", f"'{text}' is not a number of seconds.") from None


def flag(name: str, env: Optional[Mapping[str, str]] = None, default: bool = False) -> bool:
    """A yes/no setting: 1/0, true/false, yes/no, on/off in any case; anything else is an error."""
    text = _get(_env(env), name).lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ConfigError(name, f"'{text}' is not 1/0, true/false, yes/no or on/off.")


def _seconds(name: str, default: float, env: Optional[Mapping[str, str]]) -> float:
    text = _get(_env(env), name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(name, f"'{text}' is not a number of seconds.") from None
    if not value > 0:
        raise ConfigError(name, "must be more than 0 seconds.")
    return value


def action_timeout(env: Optional[Mapping[str, str]] = None) -> float:
    """How long the Rasa server waits for the action server (components/action_safety_net.py)."""
    return _seconds("BACKLINE_ACTION_TIMEOUT", DEFAULT_ACTION_TIMEOUT, env)


def store_timeout(env: Optional[Mapping[str, str]] = None) -> float:
    """How long one tracker-store or lock-store call may take before the turn goes on without it."""
    return _seconds("BACKLINE_STORE_TIMEOUT", DEFAULT_STORE_TIMEOUT, env)


# The per-turn speed-ups (issue 13). Each can be switched off alone, so the bench can price it and an
# operator can rule it out; with all of them off the server takes Rasa's own path.
SPEEDUPS = ("tracker_cache", "new_events_only", "sqlite_wal", "action_payload", "keep_alive",
            "incremental_states", "applied_events", "copy_without_replay", "rule_lookup", "lazy_state_log",
            "local_actions", "graph_runner", "action_result_check", "gc_freeze", "rule_window", "intent_row")


def speedups_off(env: Optional[Mapping[str, str]] = None) -> frozenset:
    """The speed-ups switched off by BACKLINE_SPEEDUPS_OFF."""
    return _speedups_off(_get(_env(env), "BACKLINE_SPEEDUPS_OFF").lower())


@functools.lru_cache(maxsize=16)  # asked dozens of times a turn; the variable is read each time, parsed once
def _speedups_off(text: str) -> frozenset:
    if text == "all":
        return frozenset(SPEEDUPS)
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(SPEEDUPS))
    if unknown:
        raise ConfigError("BACKLINE_SPEEDUPS_OFF", f"does not know {', '.join(unknown)}.",
                          f"Names: {', '.join(SPEEDUPS)}, or all.")
    return frozenset(names)


_SPEEDUP_NAMES = frozenset(SPEEDUPS)


def speedup(name: str, env: Optional[Mapping[str, str]] = None) -> bool:
    """Whether the speed-up `name` (one of SPEEDUPS) is on."""
    if name not in _SPEEDUP_NAMES:
        raise ValueError(f"unknown speed-up {name!r}")
    return name not in speedups_off(env)


def is_placeholder(value: str) -> bool:
    plain = re.sub(r"[-_\s<>{}\[\]$.]", "", value.lower())
    return not plain or plain in PLACEHOLDERS or plain.startswith(("changeme", "your", "replace"))


def secret_problem(name: str, value: str) -> Optional[ConfigError]:
    """Why `value` cannot be the secret `name` (a placeholder, or too short to resist guessing), or None."""
    if is_placeholder(value):
        return ConfigError(name, f"'{value}' is a placeholder, not a secret.",
                           "Use a long random string, e.g. `openssl rand -hex 32`.")
    if len(value) < MIN_SECRET_CHARS:  # the value itself is never echoed: it may be a real, short secret
        return ConfigError(name, f"is {len(value)} characters long; a secret needs at least {MIN_SECRET_CHARS}.",
                           "Use a long random string, e.g. `openssl rand -hex 32` (64 characters).")
    return None


def secret_value(name: str, env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """A token or secret, or None when unset; a placeholder or a short value is an error."""
    value = _get(_env(env), name) or None
    problem = secret_problem(name, value) if value is not None else None
    if problem is not None:
        raise problem
    return value


@dataclass(frozen=True)
class Api:
    enabled: bool
    token: Optional[str]
    jwt_secret: Optional[str]
    jwt_method: str = "HS256"

    def rasa_args(self) -> List[str]:
        """The `rasa run` flags for this API setting (none when it is off)."""
        if not self.enabled:
            return []
        if self.token:
            return ["--enable-api", "--auth-token", self.token]
        return ["--enable-api", "--jwt-secret", self.jwt_secret, "--jwt-method", self.jwt_method]


def api(env: Optional[Mapping[str, str]] = None) -> Api:
    """The Rasa HTTP API is on only with a token or JWT secret; asking for it without one is an error."""
    env = _env(env)
    token = secret_value("BACKLINE_API_TOKEN", env)
    secret = secret_value("BACKLINE_JWT_SECRET", env)
    wanted = flag("BACKLINE_ENABLE_API", env, default=bool(token or secret))
    if _get(env, "BACKLINE_ENABLE_API") and wanted and not (token or secret):
        raise ConfigError(
            "BACKLINE_ENABLE_API", "is set, but neither BACKLINE_API_TOKEN nor BACKLINE_JWT_SECRET is.",
            "The HTTP API exposes every conversation (health details); set BACKLINE_API_TOKEN to a long "
            "random string (e.g. `openssl rand -hex 32`), or unset BACKLINE_ENABLE_API.",
        )
    return Api(enabled=wanted and bool(token or secret), token=token, jwt_secret=secret,
               jwt_method=_get(env, "BACKLINE_JWT_METHOD") or "HS256")


def cors(env: Optional[Mapping[str, str]] = None) -> List[str]:
    """Origins allowed to call the Rasa server from a browser; empty: same origin only."""
    text = _get(_env(env), "BACKLINE_CORS")
    origins = text.replace(",", " ").split()
    for origin in origins:
        if origin != "*" and not re.fullmatch(r"https?://[^\s/]+", origin):
            raise ConfigError("BACKLINE_CORS", f"'{origin}' is not an origin.",
                              "Example: https://backline.example.org http://127.0.0.1:8080")
    return origins


def web_origins(env: Optional[Mapping[str, str]] = None) -> List[str]:
    """Rasa servers the web page may talk to besides its own origin (the page's allow-list and CSP)."""
    origins = _get(_env(env), "BACKLINE_WEB_ORIGINS").replace(",", " ").split()
    for origin in origins:
        if not re.fullmatch(r"https?://[^\s/*]+", origin):
            raise ConfigError("BACKLINE_WEB_ORIGINS", f"'{origin}' is not an origin.",
                              "Example: https://chat.example.org:5005")
    return origins


def rate_limit(env: Optional[Mapping[str, str]] = None) -> Optional[Tuple[int, float]]:
    """(messages, seconds) allowed per client address, or None when the limit is off."""
    text = _get(_env(env), "BACKLINE_RATE_LIMIT").lower()
    if not text:
        return DEFAULT_RATE_LIMIT
    if text in FALSE:
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)", text)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ConfigError("BACKLINE_RATE_LIMIT", f"'{text}' is not COUNT/SECONDS.", "Example: 30/60, or off.")
    return int(match.group(1)), float(match.group(2))


def rate_limit_loopback(env: Optional[Mapping[str, str]] = None) -> bool:
    return flag("BACKLINE_RATE_LIMIT_LOOPBACK", env)


def trusted_proxies(env: Optional[Mapping[str, str]] = None) -> Tuple[ipaddress._BaseNetwork, ...]:
    """The reverse proxies whose X-Forwarded-For is believed (BACKLINE_TRUSTED_PROXIES), as networks."""
    text = _get(_env(env), "BACKLINE_TRUSTED_PROXIES")
    networks = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError("BACKLINE_TRUSTED_PROXIES", f"'{item}' is not an IP address or network.",
                              "Example: 10.0.0.5 172.18.0.0/16") from None
    return tuple(networks)


def max_message_chars(env: Optional[Mapping[str, str]] = None) -> int:
    """The longest message any channel reads (BACKLINE_MAX_MESSAGE_CHARS)."""
    value = _whole_number("BACKLINE_MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS, "characters", env)
    if not 100 <= value <= MAX_MESSAGE_CHARS_CEILING:
        raise ConfigError("BACKLINE_MAX_MESSAGE_CHARS", f"must be between 100 and {MAX_MESSAGE_CHARS_CEILING}.")
    return value


def sanic_workers(env: Optional[Mapping[str, str]] = None) -> int:
    text = _get(_env(env), "SANIC_WORKERS") or "1"
    try:
        return max(1, int(text))
    except ValueError:
        raise ConfigError("SANIC_WORKERS", f"'{text}' is not a whole number.") from None


def _kept_secret(setting: str, relative: str, env: Optional[Mapping[str, str]], create: bool) -> bytes:
    """The secret `setting`, else a random key kept in ROOT/`relative` (created 0600 by whichever process of
    this checkout starts first), so two servers started from the same folder share it with nothing set."""
    given = secret_value(setting, env)
    if given:
        return given.encode()
    path = ROOT / relative
    if not path.exists() and create:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a name of its own, then linked into place: a process starting at the same moment
        # finds either no file or the whole key, never an empty file (and the first link wins).
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:  # another process made it first
            pass
        finally:
            draft.unlink()
    try:
        key = path.read_text().strip()
    except OSError as error:
        raise ConfigError(setting, f"unset, and {path} cannot be read ({error}).",
                          f"Set {setting} to a long random string (`openssl rand -hex 32`).") from None
    if len(key) < MIN_SECRET_CHARS:
        raise ConfigError(setting, f"unset, and {path} holds no usable key.",
                          f"Delete the file (a new key is made) or set {setting}.")
    return key.encode()


def rasa_port(env: Optional[Mapping[str, str]] = None) -> int:
    """The Rasa server's port under `make run` and `make shell` (RASA_PORT, scripts/run.sh)."""
    text = _get(_env(env), "RASA_PORT")
    if not text:
        return DEFAULT_RASA_PORT
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError("RASA_PORT", f"'{text}' is not a port number.",
                          f"Use a whole number from 1 to 65535, e.g. RASA_PORT=5105 (default {DEFAULT_RASA_PORT}).")
    return int(text)


def web_secret(env: Optional[Mapping[str, str]] = None, create: bool = True) -> bytes:
    """The key that signs web conversation ids and diary links: BACKLINE_WEB_SECRET, else a random key kept in
    var/web-session.secret (created 0600), so ids survive a restart without anyone choosing a key."""
    return _kept_secret("BACKLINE_WEB_SECRET", WEB_SECRET_FILE, env, create)


def action_secret(env: Optional[Mapping[str, str]] = None, create: bool = True) -> bytes:
    """The credential of the Rasa server at the action server (ops/action_guard.py): BACKLINE_ACTION_SECRET,
    else a random key kept in var/action-server.secret, which `rasa run actions` and `rasa run` started from
    the same checkout both read."""
    return _kept_secret("BACKLINE_ACTION_SECRET", ACTION_SECRET_FILE, env, create)


# Secrets a key file cannot stand in for when the servers run in separate containers: each container has a var/
# of its own, so a key made there differs from the other servers' (every action call refused, every web id and
# diary link made by another replica invalid).
SHARED_SECRETS = ("BACKLINE_WEB_SECRET", "BACKLINE_ACTION_SECRET")


def container_problems(env: Optional[Mapping[str, str]] = None) -> List[ConfigError]:
    """The shared secrets left unset in a container (deploy/docker-entrypoint.sh: `ops.preflight --container`)."""
    env = _env(env)
    return [ConfigError(name, "is required in a container: every Backline server of the deployment needs the same "
                        "value, and a key made inside one container is that container's alone.",
                        f"Set {name} on every Backline service, e.g. `openssl rand -hex 32` (docs/deployment.md).")
            for name in SHARED_SECRETS if not _get(env, name)]


def _bounded(name: str, default: float, unit: str, most: float, most_text: str,
             env: Optional[Mapping[str, str]]) -> float:
    """A number of `unit` in (0, most]; `most_text` says the bound in words for the error."""
    text = _get(_env(env), name)
    try:
        value = float(text) if text else default
    except ValueError:
        raise ConfigError(name, f"'{text}' is not a number of {unit}.") from None
    if not 0 < value <= most:
        raise ConfigError(name, f"must be more than 0 and at most {most_text}.")
    return value


def web_session_seconds(env: Optional[Mapping[str, str]] = None) -> float:
    """How long a web widget's conversation id works after it was issued (BACKLINE_WEB_SESSION_DAYS), in seconds."""
    return 24 * 3600 * _bounded("BACKLINE_WEB_SESSION_DAYS", DEFAULT_WEB_SESSION_DAYS, "days", 365, "365 days", env)


def public_url(env: Optional[Mapping[str, str]] = None) -> str:
    """The Rasa server's base URL as clients reach it (the diary links), without a trailing slash: by default
    http://127.0.0.1:RASA_PORT, the address `make run` gives its web page (so the page's CSP lets the chart in)."""
    env = _env(env)
    url = _get(env, "BACKLINE_PUBLIC_URL") or f"http://127.0.0.1:{rasa_port(env)}"
    if not re.fullmatch(r"https?://[^\s/?#\"'<>]+(/[^\s?#\"'<>]*)?", url):
        raise ConfigError("BACKLINE_PUBLIC_URL", f"'{url}' is not an http(s) address.",
                          "Example: https://chat.example.org or http://127.0.0.1:5005")
    return url.rstrip("/")


def link_seconds(env: Optional[Mapping[str, str]] = None) -> float:
    """How long a signed diary link works (BACKLINE_LINK_MINUTES), in seconds."""
    return 60 * _bounded("BACKLINE_LINK_MINUTES", DEFAULT_LINK_MINUTES, "minutes", 7 * 24 * 60,
                         "a week (10080 minutes)", env)


# --- what a `rasa run` command line exposes --------------------------------------------------------

SERVER_COMMANDS = ("run", "shell", "interactive")  # the rasa commands that start the Rasa server


@functools.lru_cache(maxsize=1)
def _rasa_parser() -> argparse.ArgumentParser:
    """Rasa's own command-line parser: a command line is read exactly as Rasa will read it."""
    from rasa.__main__ import create_argument_parser

    return create_argument_parser()


def is_loopback(interface: str) -> bool:
    if interface == "localhost":
        return True
    try:
        return ipaddress.ip_address(interface).is_loopback
    except ValueError:
        return False


def open_api_problem(argv: Sequence[str]) -> Optional[ConfigError]:
    """Why this rasa command line would serve conversations to the network without a credential, or None.

    Read with Rasa's own parser, for every command that starts the Rasa server: `rasa run` (the action server,
    `rasa run actions`, is another matter: ops/action_guard.py), `rasa shell` and `rasa interactive`. On
    loopback the API may run without a token, for local evaluation. Refused: the API on another interface
    without --auth-token or --jwt-secret (--jwt-private-key alone leaves Rasa's authentication off); a
    placeholder or short token; `rasa shell` beyond loopback (it serves Rasa's plain REST webhook, which
    answers for any conversation id); `rasa interactive` (Rasa's API on every interface, never a token); and
    --connector, which replaces Backline's checked channels by Rasa's own."""
    argv = [str(arg) for arg in argv]
    if len(argv) < 2 or argv[1] not in SERVER_COMMANDS:
        return None  # not the Rasa server (rasa train, rasa test, a test runner...)
    try:
        args, _ = _rasa_parser().parse_known_args(argv[1:])
    except SystemExit:  # Rasa itself stops on this command line, with its own message
        return None
    command = getattr(getattr(args, "func", None), "__name__", "")
    if command == "interactive":
        return ConfigError("rasa interactive", "serves Rasa's HTTP API (every stored conversation) on every "
                           "interface without a token, and Backline's stores hold real conversations.",
                           "Talk to the bot with `make shell`; run interactive learning on a copy of the project "
                           "whose endpoints.yml names no Backline store.")
    if command not in ("run", "shell"):
        return None  # `rasa run actions` and the like
    if getattr(args, "connector", None) and command == "run":
        return ConfigError("--connector", f"'{args.connector}' replaces Backline's channels (credentials.yml), "
                           "which check conversation ids and bodies, by Rasa's own.", "Leave --connector out.")
    for name, value in (("--auth-token", args.auth_token), ("--jwt-secret", args.jwt_secret)):
        problem = secret_problem(name, value) if value is not None else None
        if problem is not None:
            return problem
    interface = args.interface or "0.0.0.0"  # Rasa's default: every interface
    if command == "shell" and not is_loopback(interface):
        return ConfigError("rasa shell", f"serves Rasa's plain REST webhook (any conversation id) on {interface}.",
                           "Add -i 127.0.0.1 (`make shell` does).")
    if not args.enable_api or args.auth_token or args.jwt_secret or is_loopback(interface):
        return None
    alone = " (--jwt-private-key alone does not turn Rasa's authentication on)" if args.jwt_private_key else ""
    return ConfigError(
        "--enable-api", f"serves every conversation (health details) on {interface} without a token{alone}.",
        "Add --auth-token (BACKLINE_API_TOKEN with `make run` or the container), or listen on loopback only "
        "(-i 127.0.0.1).")


def rasa_args(interface: str, env: Optional[Mapping[str, str]] = None) -> List[str]:
    """The `rasa run` flags the settings ask for: interface, API and CORS. scripts/run.sh and the container
    entrypoint take these from `python -m ops.preflight --rasa-args` instead of deciding again."""
    args = ["-i", interface, *api(env).rasa_args()]
    origins = cors(env)
    if origins:
        args += ["--cors", *origins]
    problem = open_api_problem(["rasa", "run", *args])
    if problem:
        raise problem
    return args


# --- the environment every Backline process runs with ---------------------------------------------

ENVIRONMENT_FILE = ROOT / "ops" / "env.sh"


def process_environment(root: Path = ROOT) -> dict:
    """The variables ops/env.sh exports (the one environment preamble), for Python code that starts
    Rasa or the action server (tests, bench) the way the Makefile and scripts do."""
    values = {}
    for line in ENVIRONMENT_FILE.read_text().splitlines():
        match = re.match(r"\s*export\s+(\w+)=(\S*)", line)
        if match:
            values[match.group(1)] = match.group(2).strip('"').replace("$BACKLINE_ROOT", str(root))
    return values


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


def make_private(path: Path) -> None:
    """Creates the SQLite file readable and writable by its owner only (0600), or makes an existing one so.
    SQLite gives its journal and WAL files the database file's mode."""
    try:
        # Never open an existing database file here: closing any descriptor of a file drops every POSIX lock
        # this process holds on it, including SQLite's own, and a WAL database then fails with "disk I/O
        # error" (the diary store made this at start while the tracker store was using the file).
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.chmod(path, 0o600)
    except OSError:
        pass  # not ours to change (or not creatable): the connection check below names the problem


def check_database(db: Database, timeout: Optional[float] = None, engine=None) -> None:
    """Connects once (retrying while nothing answers, up to `timeout` s); raises ConfigError."""
    import sqlalchemy as sa

    if db.kind == "sqlite":
        path = db.sqlite_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError("BACKLINE_SQLITE_PATH", f"cannot create the folder {path.parent}: {error}.") from None
        make_private(path)
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
        raise ConfigError("BACKLINE_REDIS_URL",
                          f"Redis rejected the credentials in {mask_redis(url)} ({error}).") from None
    except (redis.ConnectionError, redis.TimeoutError, socket.error) as error:
        raise ConfigError("BACKLINE_REDIS_URL", f"cannot reach Redis at {mask_redis(url)}: {error}.",
                          "Is Redis running and is the host/port right?") from None
    except redis.RedisError as error:
        raise ConfigError("BACKLINE_REDIS_URL",
                          f"Redis at {mask_redis(url)} answered with an error: {error}.") from None


def mask_redis(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
