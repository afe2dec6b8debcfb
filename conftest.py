"""Pytest configuration for the whole repository."""

# Golden-file generators need torch and the anchor packages; they are run by hand, never collected.
collect_ignore_glob = ["tests/golden/*.py"]
