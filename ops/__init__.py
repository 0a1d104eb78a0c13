"""Operations: where conversations are stored, locks for several servers, retention, start-up checks."""
import warnings

# Rasa 3.6's SQL tracker store uses SQLAlchemy 1.4 APIs; the "not compatible with 2.0" notice is noise here
# (requirements pin SQLAlchemy 1.4).
warnings.filterwarnings("ignore", message=".*Deprecated API features detected.*")
