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


def search_visual_block(name, estimator):
    """scikit-learn's diagram block for a search: one box around ``estimator``.

    ``GridSearchCV`` draws its refit ``best_estimator_`` (or, before that,
    its ``estimator``) through ``_sk_visual_block_``, which must return the
    private ``_VisualBlock``; scikit-learn 1.7 moved it to
    ``sklearn.utils._repr_html.estimator``.

    Parameters
    ----------
    name : str
        The attribute drawn, ``"best_estimator_"`` or ``"estimator"``.
    estimator : estimator object

    Returns
    -------
    _VisualBlock
    """
    try:
        from sklearn.utils._repr_html.estimator import _VisualBlock
    except ImportError:  # scikit-learn < 1.7
        from sklearn.utils._estimator_html_repr import _VisualBlock

    return _VisualBlock(
        "parallel",
        [estimator],
        names=[f"{name}: {type(estimator).__name__}"],
        name_details=[str(estimator)],
    )
