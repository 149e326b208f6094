"""Runs of many questions or notebooks: task suites and their checks, the runner (one task in a fresh kernel,
one JSON record), ``sciwand eval``, batch on a kernel pool or on Dask, notebooks with ``%%ask`` cells, score
tables and progress bars."""
