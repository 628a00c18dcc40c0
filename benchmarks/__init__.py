"""Benchmarks of GovSquare's organisation lifecycle, each in a database of its own (see README.md here)."""
