#!/usr/bin/env bash
# Creates .venv/ with everything Backline needs, from the pinned files in requirements/.
# Rasa 3.6.21 and rasa-sdk 3.6.2 declare Requires-Python <3.11, so their dependency set
# (resolved for 3.11) goes in first, and they follow with --no-deps --ignore-requires-python.
# Idempotent: a stamp holds the hash of the requirement files; an up-to-date .venv returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
VENV=.venv
STAMP="$VENV/.backline-installed"

fail() { echo "make install: $*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || fail "'$PYTHON' was not found. Backline needs CPython 3.11 (set PYTHON=/path/to/python3.11)."
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$version" = "3.11" ] || fail "'$PYTHON' is Python $version; Backline's pinned Rasa 3.6 set is built for Python 3.11 exactly."

# The browser tests drive Debian's chromium (never a browser download): install it when it is missing.
if [ ! -x /usr/bin/chromium ]; then
  echo "make install: installing Debian's chromium for the browser tests (apt-get) ..."
  if [ "$(id -u)" -ne 0 ]; then
    echo "make install: not root, so chromium was not installed; run 'sudo apt-get install -y chromium' for the browser tests." >&2
  elif ! { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q chromium >/dev/null \
           || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }; then
    fail "apt-get could not install chromium (needed by the browser tests). Is Debian's package mirror reachable?"
  fi
fi

# The diary test over REST reads the report PDF's text with pdftotext (Debian's poppler-utils), and the README's
# report picture is drawn with pdftoppm from the same package: install it when it is missing.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  echo "make install: installing Debian's poppler-utils (pdftotext, pdftoppm) for the diary report tests (apt-get) ..."
  if [ "$(id -u)" -ne 0 ]; then
    echo "make install: not root, so poppler-utils was not installed; run 'sudo apt-get install -y poppler-utils' for the diary report tests." >&2
  elif ! { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q --no-install-recommends poppler-utils >/dev/null \
           || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends poppler-utils >/dev/null; }; }; then
    fail "apt-get could not install poppler-utils (needed by the diary report tests). Is Debian's package mirror reachable?"
  fi
fi

# The scale-out tests need PostgreSQL and Redis; on a machine that runs neither, make test starts private ones
# from Debian's packages (scripts/services.sh): install them when they are missing.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  echo "make install: installing Debian's postgresql and redis-server for the scale-out tests (apt-get) ..."
  if [ "$(id -u)" -ne 0 ]; then
    echo "make install: not root, so they were not installed; run 'sudo apt-get install -y postgresql redis-server', or set BACKLINE_TEST_PG and BACKLINE_TEST_REDIS." >&2
  elif ! { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q --no-install-recommends postgresql redis-server >/dev/null \
           || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends postgresql redis-server >/dev/null; }; }; then
    fail "apt-get could not install postgresql and redis-server (needed by the scale-out tests). Is Debian's package mirror reachable?"
  fi
fi

# The stamp covers the Python pins and the web widget's lockfile.
want=$(cat requirements/*.txt $(ls web/package-lock.json 2>/dev/null) | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/rasa" ] \
   && { [ ! -f web/package.json ] || { [ -f web/vendor/rasa-webchat.js ] && [ -f web/node_modules/axe-core/axe.min.js ]; }; }; then
  echo "make install: .venv is up to date."
  exit 0
fi

if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
  echo "make install: .venv is broken or not Python 3.11; recreating it."
  rm -rf "$VENV"
fi
[ -d "$VENV" ] || "$PYTHON" -m venv "$VENV"

# pip's own noise about this machine's optional local indexes is not an error: keep it out of the log.
pip_install() {
  "$VENV/bin/pip" install --disable-pip-version-check -q "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) \
    || fail "pip could not install '$*'. Is the package registry (PyPI) reachable from this machine? See docs/troubleshooting.md."
}

start=$(date +%s)
echo "make install: installing Rasa's dependency set for Python 3.11 (a few minutes on a fresh machine) ..."
pip_install -r requirements/rasa-deps.txt
echo "make install: installing rasa 3.6.21 and rasa-sdk 3.6.2 (--no-deps --ignore-requires-python) ..."
pip_install --no-deps --ignore-requires-python -r requirements/rasa.txt
echo "make install: installing the project's own packages and test tools ..."
pip_install -r requirements/project.txt -r requirements/dev.txt

# A test tool or a later pin that pulls a newer packaging would break `import rasa` (LegacyVersion).
"$VENV/bin/python" - <<'PY' || fail "the installed set is inconsistent (see above)."
import importlib.metadata as md
assert md.version("packaging").startswith("20."), "packaging must stay <21 for rasa 3.6, got " + md.version("packaging")
for pkg in ("rasa", "rasa-sdk", "spacy", "tensorflow", "playwright"):
    md.version(pkg)
PY

# The web page's widget, and axe-core for the browser tests' accessibility check (web/package.json); then the
# page's copy of the widget without the remote web font its CSP would block (ops/webpage.py --vendor).
if [ -f web/package.json ]; then
  command -v npm >/dev/null 2>&1 || fail "npm was not found; it is needed for the web chat widget and the browser tests' accessibility check (apt-get install nodejs npm)."
  echo "make install: installing the web widget and axe-core (npm ci) ..."
  (cd web && npm ci --no-audit --no-fund --loglevel=error) || fail "npm could not install the web widget. Is the npm registry reachable?"
  PYTHONPATH="$PWD" "$VENV/bin/python" -m ops.webpage --vendor || fail "could not write web/vendor/rasa-webchat.js (see above)."
fi

echo "$want" > "$STAMP"
echo "make install: done in $(( $(date +%s) - start )) s."
