"""How the tasks of one wave are packed into joblib calls.

joblib's automatic batching packs consecutive tasks into growing batches
that suit a long stream of equal tasks. A wave is short and its tasks
differ (the engine orders them longest first), so a batch of the longest
tasks could leave the other workers idle until the wave's end: measured on
the SGD benchmark, 5 waves of 12 equal 150 ms tasks on 2 workers took 4.5 to
5.2 s against 2.9 s for the same work dispatched at once. The engine
therefore runs joblib with ``batch_size=1`` and packs the wave itself: tasks
whose estimated times are known are spread over balanced bundles (longest
processing time first), and only short tasks share a bundle, so that the
per-call cost of a worker (about 3 ms between two tasks) stays small.
"""

import heapq
import math

#: A bundle should hold at least this much work (seconds) when tasks are
#: short: the 2.5 to 3.7 ms a worker spends between two tasks is then at
#: most a tenth of it.
MIN_BUNDLE_SECONDS = 0.03
#: At least this many bundles per worker, so that the workers can even out
#: what the estimates got wrong.
BUNDLES_PER_WORKER = 2
#: Tasks of unknown time (new trials) share bundles only when there are more
#: than this many per worker, in as many equal bundles: a no-policy search of
#: thousands of tiny fits runs in one wave before anything is measured, and
#: the last bundle can then keep a worker busy for at most 1/64 of its share.
UNKNOWN_BUNDLES_PER_WORKER = 64


def balanced_bundles(seconds, n_workers):
    """Pack tasks into bundles of about equal estimated time, longest first.

    Parameters
    ----------
    seconds : list of float or None
        Each task's estimated time; None when unknown (such tasks share a
        bundle only when there are very many of them).
    n_workers : int

    Returns
    -------
    list of list of int
        Task positions, each bundle's in increasing order; the bundles in
        decreasing estimated time, so the longest is dispatched first, and
        the tasks of unknown time last.
    """
    known = [i for i, s in enumerate(seconds) if s is not None]
    unknown = [i for i, s in enumerate(seconds) if s is None]
    unknown = _equal_chunks(unknown, UNKNOWN_BUNDLES_PER_WORKER * n_workers)
    if not known:
        return unknown
    total = sum(seconds[i] for i in known)
    n_bundles = min(len(known), max(BUNDLES_PER_WORKER * n_workers, math.floor(total / MIN_BUNDLE_SECONDS)))
    # Longest processing time first: each task to the bundle with the least work so far.
    loads = [(0.0, b) for b in range(n_bundles)]
    members = [[] for _ in range(n_bundles)]
    for i in sorted(known, key=lambda i: (-seconds[i], i)):
        load, b = heapq.heappop(loads)
        members[b].append(i)
        heapq.heappush(loads, (load + seconds[i], b))
    load_of = {b: load for load, b in loads}
    bundles = [sorted(members[b]) for b in sorted(range(n_bundles), key=lambda b: (-load_of[b], b))]
    return bundles + unknown


def _equal_chunks(positions, n_chunks):
    """``positions`` in at most ``n_chunks`` consecutive chunks of (nearly) equal length."""
    if len(positions) <= n_chunks:
        return [[i] for i in positions]
    size, extra = divmod(len(positions), n_chunks)
    chunks, start = [], 0
    for chunk in range(n_chunks):
        end = start + size + (chunk < extra)
        chunks.append(positions[start:end])
        start = end
    return chunks
