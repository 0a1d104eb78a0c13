"""The tracker and lock stores `make run` uses, for servers that get their own endpoints file (the tests
and the benchmark pick free ports, so they write one). Read from endpoints.yml, so the two cannot drift."""
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import yaml

PG_ADMIN = os.environ.get("BACKLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ENDPOINTS = Path(__file__).resolve().parents[1] / "endpoints.yml"
STORE_KEYS = ("tracker_store", "lock_store")


def store_endpoints(endpoints: Path = ENDPOINTS) -> str:
    """The `tracker_store:` and `lock_store:` sections of an endpoints file, as YAML text to append."""
    config = yaml.safe_load(endpoints.read_text()) or {}
    missing = [key for key in STORE_KEYS if not config.get(key)]
    if missing:
        raise ValueError(f"{endpoints} has no {', '.join(missing)} section")
    return yaml.safe_dump({key: config[key] for key in STORE_KEYS}, sort_keys=False)


STORES = store_endpoints()


class ServiceMissing(RuntimeError):
    """A service the test needs does not answer: a failure, never a skip."""


@contextmanager
def fresh_pg_database(prefix: str = "backline_test") -> Iterator[str]:
    """A new, empty PostgreSQL database on BACKLINE_TEST_PG's server; its URL; dropped afterwards."""
    import psycopg2
    from sqlalchemy.engine.url import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_url(PG_ADMIN)
    try:
        conn = psycopg2.connect(host=admin.host, port=admin.port or 5432, user=admin.username,
                                password=admin.password, dbname=admin.database, connect_timeout=5)
    except psycopg2.OperationalError as error:
        raise ServiceMissing(f"PostgreSQL at {PG_ADMIN} is needed for this test (set BACKLINE_TEST_PG): {error}") \
            from None
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
