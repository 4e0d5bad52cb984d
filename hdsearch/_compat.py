"""The only place where hdsearch touches scikit-learn beyond its documented API.

Every helper here is small, tested on the oldest (1.6) and newest supported
scikit-learn, and says why the public API does not suffice.
"""

from inspect import signature

# ``_safe_indexing`` is listed in scikit-learn's API reference (sklearn.utils)
# despite its leading underscore; it is the one function that indexes arrays,
# sparse matrices, lists and DataFrames alike, which the workers need.
from sklearn.utils import _safe_indexing as safe_indexing  # noqa: F401


def scorer_takes_fit_sample_weight(scorer):
    """Whether a search forwards ``fit``'s ``sample_weight`` to ``scorer``.

    With metadata routing disabled, scikit-learn >= 1.9 passes
    ``sample_weight`` to the scorers that accept it; older releases never
    do. The answer lives in the private ``_accept_sample_weight`` method of
    scikit-learn's scorer objects, so this mirrors the installed release.

    Parameters
    ----------
    scorer : callable
        A scorer from ``check_scoring`` or the user's own callable.

    Returns
    -------
    bool
    """
    if not _release_forwards_sample_weight():
        return False
    accept = getattr(scorer, "_accept_sample_weight", None)
    if accept is not None:
        return bool(accept())
    try:
        return "sample_weight" in signature(scorer).parameters
    except (TypeError, ValueError):
        return False


def _release_forwards_sample_weight():
    from sklearn.metrics import get_scorer

    return hasattr(get_scorer("accuracy"), "_accept_sample_weight")
