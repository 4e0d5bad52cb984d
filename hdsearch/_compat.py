"""The only place where hdsearch touches scikit-learn beyond its documented API.

Every helper here is small, tested on the oldest (1.6) and newest supported
scikit-learn, and says why the public API does not suffice.
"""

from inspect import signature

# ``_safe_indexing`` is listed in scikit-learn's API reference (sklearn.utils)
# despite its leading underscore; it is the one function that indexes arrays,
# sparse matrices, lists and DataFrames alike, which the workers need.
from sklearn.utils import _safe_indexing as safe_indexing  # noqa: F401


def release_forwards_sample_weight():
    """Whether this scikit-learn forwards ``fit``'s ``sample_weight`` to scorers.

    With metadata routing disabled, scikit-learn >= 1.9 passes
    ``sample_weight`` to the scorers that accept it (and warns about those
    that do not); older releases never do. The release is recognized by the
    private ``_accept_sample_weight`` method its scorer objects gained.

    Returns
    -------
    bool
    """
    from sklearn.metrics import get_scorer

    return hasattr(get_scorer("accuracy"), "_accept_sample_weight")


def scorer_accepts_sample_weight(scorer):
    """Whether ``scorer`` takes a ``sample_weight``, as scikit-learn >= 1.9 decides it.

    The answer lives in the private ``_accept_sample_weight`` method of
    scikit-learn's scorer objects; a user's callable is asked through its
    signature.

    Parameters
    ----------
    scorer : callable
        A scorer from ``check_scoring`` or the user's own callable.

    Returns
    -------
    bool
    """
    accept = getattr(scorer, "_accept_sample_weight", None)
    if accept is not None:
        return bool(accept())
    try:
        return "sample_weight" in signature(scorer).parameters
    except (TypeError, ValueError):
        return False
