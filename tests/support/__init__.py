"""Helpers shared by the tests and the benchmarks: running the real server, signing up and in
through the real forms, reading pages. Fixtures stay in conftest.py; what they use lives here."""
