"""Entry point for ``python -m bot``."""
import logging
import os
import sys

# thinc (spaCy's ML layer) probes for TensorFlow on import; loading TF costs seconds and
# prints logs, and the rule-based core never needs it. Block it for the CLI only - the Rasa
# server imports bot as a library and keeps its TensorFlow.
sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

from .cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
