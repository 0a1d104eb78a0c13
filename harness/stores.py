"""The tracker and lock stores `make run` uses, for servers that get their own endpoints file (the tests
and the benchmark pick free ports, so they write one). Read from endpoints.yml, so the two cannot drift."""
from pathlib import Path

import yaml

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
