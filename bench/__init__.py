"""make bench / make soak: see bench/bench.py and bench/soak.py."""
