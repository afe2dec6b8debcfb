"""Helpers shared by the benchmark scripts: a thread limit that holds, and wall-clock timers."""

import os
import statistics
import time


def limit_threads(threads: int, cores: int | None = None) -> None:
    """Runs XLA on ``threads`` threads and the whole process on the first ``cores`` CPUs (default ``threads``).

    Call it before JAX is imported; ``threads <= 0`` leaves the defaults. The XLA flags alone do not hold a
    large matrix product to one thread (on the 2-core machine a 2048 x 2048 ``jnp.dot`` ran at 197 GFLOP/s
    with them, 97 GFLOP/s pinned to one core), so the process is also pinned where the OS allows it.
    """
    if threads <= 0:
        return
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false "
                               f"intra_op_parallelism_threads={threads}")
    if hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, available[: cores or threads])


def wall_times(run, repeats: int) -> list[float]:
    """Wall times in seconds of ``repeats`` calls of ``run`` (which must block until its work is done)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def median_seconds(run, repeats: int) -> float:
    """Median of :func:`wall_times`."""
    return statistics.median(wall_times(run, repeats))
