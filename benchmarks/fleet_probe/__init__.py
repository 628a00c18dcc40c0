"""A tiny organisation-side app that exists only for ``benchmarks/fleet.py``: its migrations are the
"new migrations" applied to the whole fleet. Installed only by ``benchmarks.settings_bench`` when
``BENCH_FLEET_PROBE_MIGRATIONS`` is set; its migrations live in a temporary folder, never in the tree."""
