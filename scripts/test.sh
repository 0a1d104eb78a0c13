#!/usr/bin/env bash
# Everything CI checks, in order; `scripts/test.sh STAGE` runs one stage.
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/env.sh
RASA=.venv/bin/rasa
PY=.venv/bin/python
RUFF=.venv/bin/ruff

# pytest exits 5 when it collects nothing; a stage with no tests must say so, not fail CI silently or pass as green.
pytest_stage() {
  local rc=0
  "$PY" -m pytest "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then echo "pytest: no tests collected for '$*'" >&2; return 1; fi
  return "$rc"
}

stage_lint()     {
  [ -x "$RUFF" ] || { echo "ruff is not in .venv: run make install (requirements/dev.txt pins it)" >&2; return 1; }
  "$RUFF" check .
}
stage_unit()     { pytest_stage tests -m "not e2e" -q; }
stage_validate() { "$RASA" data validate --fail-on-warnings; }
stage_train()    { "$RASA" train --fixed-model-name backline --out models && "$PY" -m bot.reading_model train; }
stage_stories()  {
  rm -rf results/stories
  "$RASA" test core --stories tests/stories --model models --out results/stories --fail-on-prediction-errors
}
stage_nlu()      {
  rm -rf results/nlu
  "$RASA" test nlu --nlu tests/nlu/heldout.yml --model models --out results/nlu
  "$PY" scripts/nlu_report.py results/nlu
}
stage_e2e()      { pytest_stage tests -m e2e -q; }

stages=("${@:-lint unit validate train stories nlu e2e}")
# The tests of the scale-out configuration need PostgreSQL and Redis: the machine's own when configured or
# answering, else throwaway private ones (scripts/services.sh; BACKLINE_PRIVATE_SERVICES=1 forces them).
if [[ " ${stages[*]} " =~ " unit " || " ${stages[*]} " =~ " e2e " ]]; then
  source scripts/services.sh
  services_up
fi
for stage in ${stages[@]}; do
  echo "=== make test: $stage"
  start=$(date +%s)
  "stage_$stage"
  echo "=== make test: $stage passed in $(( $(date +%s) - start )) s"
done
