"""What the tests and the benchmark share to drive Backline from outside, as a client would.

- `harness.servers`: the real action server and Rasa server on free loopback ports, started with the
  same commands as `make run`; the trained-model lookup; process memory readings.
- `harness.conversation`: the question topics, a typical caregiver's answers, new conversation ids.
- `harness.stores`: the tracker and lock stores of endpoints.yml, for servers given their own endpoints file.

Used by tests/ and bench/ alike, so nothing here imports pytest at module level.
"""
