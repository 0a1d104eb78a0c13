# The environment every Backline process runs with: the one copy of these lines. Sourced by the
# Makefile's recipes (through BASH_ENV), scripts/*.sh and the container entrypoint; Python code that
# starts the servers reads the same lines with ops.settings.process_environment().
BACKLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RASA_TELEMETRY_ENABLED=false  # Rasa otherwise phones home for telemetry and error reports
export TF_CPP_MIN_LOG_LEVEL=2  # TensorFlow is chatty on start
export PYTHONPATH="$BACKLINE_ROOT"
