"""make test on a machine without PostgreSQL or Redis: scripts/services.sh starts throwaway ones on free loopback
ports (forced here with BACKLINE_PRIVATE_SERVICES=1), the tests can use them, and they are gone afterwards."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = r'''
source scripts/services.sh
services_up || exit 3
echo "PG=$BACKLINE_TEST_PG"
echo "REDIS=$BACKLINE_TEST_REDIS"
echo "DIR=$_SVC_DIR"
.venv/bin/python - <<'PY'
import os, psycopg2, redis
from sqlalchemy.engine.url import make_url
url = make_url(os.environ["BACKLINE_TEST_PG"])
conn = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname=url.database, connect_timeout=5)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("CREATE DATABASE probe_db")
    cur.execute("SELECT 1")
    print("PGOK", cur.fetchone()[0])
conn.close()
print("REDISOK", redis.Redis.from_url(os.environ["BACKLINE_TEST_REDIS"]).ping())
PY
'''


def test_private_postgresql_and_redis_start_answer_and_are_removed():
    env = {k: v for k, v in os.environ.items() if k not in ("BACKLINE_TEST_PG", "BACKLINE_TEST_REDIS")}
    env["BACKLINE_PRIVATE_SERVICES"] = "1"
    done = subprocess.run(["bash", "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    out = dict(line.split("=", 1) for line in done.stdout.splitlines()
               if "=" in line and line.startswith(("PG=", "REDIS=", "DIR=")))
    assert ":5432/" not in out["PG"] and ":6379/" not in out["REDIS"]  # never the machine's own services
    assert "PGOK 1" in done.stdout and "REDISOK True" in done.stdout
    assert not Path(out["DIR"]).exists()  # stopped and removed when the shell exited
