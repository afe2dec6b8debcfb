"""Timing helper shared by the benchmark scripts."""

import statistics
import time


def median_seconds(run, repeats: int) -> float:
    """Median wall time of ``repeats`` calls of ``run`` (which must block until its work is done)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
