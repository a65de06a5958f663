"""Where chunks run: a local process pool, or a Dask cluster. Both hand finished chunks to `store`
in this process, which alone writes files; at most a bounded window of chunks is in flight.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from typing import Any, Callable

from regelgat.batch.chunk import ChunkOutput, Job, run_chunk
from regelgat.io.errors import InputError

_state: dict[str, Any] = {}


def _worker_init(job: Job) -> None:
    _state["pool_job"] = job


def _pool_chunk(index: int) -> ChunkOutput:
    return run_chunk(_state["pool_job"], index)


def run_pool(job: Job, todo: list[int], workers: int, store: Callable[[ChunkOutput], None]) -> None:
    """Run chunks `todo` in a local process pool (fork where possible, so workers inherit imports)."""
    if job.rows == "parquet":
        import pyarrow.parquet  # noqa: F401  imported once here, so that forked workers inherit it
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                                initargs=(job,)) as pool:
        pending: set[cf.Future] = set()
        queue = list(todo)
        window = workers * 2  # bounded, so finished chunks never pile up in memory
        try:
            while queue or pending:
                while queue and len(pending) < window:
                    pending.add(pool.submit(_pool_chunk, queue.pop(0)))
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    store(future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def run_dask(job: Job, todo: list[int], scheduler: str | None, store: Callable[[ChunkOutput], None]) -> None:
    """Run chunks `todo` on a Dask cluster at `scheduler` (an address, or a Client to reuse)."""
    if not scheduler:
        raise InputError("", "", "the dask executor needs a scheduler address",
                         "give the address of a Dask scheduler, e.g. tcp://10.0.0.5:8786", setting="scheduler",
                         code="scheduler-missing")
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("", "", "dask.distributed is not installed",
                         "pip install 'dask[distributed]'", setting="executor") from None
    client = scheduler if not isinstance(scheduler, str) else None
    owned = client is None
    if owned:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError("", "", f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                             "check the address and that the scheduler runs", setting="scheduler",
                             code="scheduler-unreachable") from None
    try:
        shared = client.scatter(job, broadcast=True)
        queue = list(todo)
        window = max(2 * sum(client.nthreads().values()), 2)
        futures = as_completed()
        for _ in range(min(window, len(queue))):
            futures.add(client.submit(run_chunk, shared, queue.pop(0), pure=False))
        for future in futures:
            store(future.result())
            future.release()
            if queue:
                futures.add(client.submit(run_chunk, shared, queue.pop(0), pure=False))
    finally:
        if owned:
            client.close()
