"""The only place where hdsearch touches scikit-learn beyond its documented API.

Every helper here is small, tested on the oldest (1.6) and newest supported
scikit-learn, and says why the public API does not suffice.
"""

import re
import warnings
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


def inverse_transform_input(X, Xt):
    """``inverse_transform``'s input, with ``Xt`` as the installed ``GridSearchCV`` treats it.

    scikit-learn 1.5 renamed ``Xt`` to ``X`` and removed ``Xt`` in 1.7;
    the installed ``GridSearchCV.inverse_transform`` signature says which
    rule holds. Older releases take ``Xt`` with a ``FutureWarning`` (the
    messages of their private ``_deprecate_Xt_in_inverse_transform``);
    newer ones refuse it.

    Parameters
    ----------
    X, Xt : array-like or None

    Returns
    -------
    X : array-like

    Raises
    ------
    TypeError
        When ``X`` is missing, or ``Xt`` is given where it no longer exists
        or together with ``X``.
    """
    from sklearn.model_selection import GridSearchCV

    if "Xt" not in signature(GridSearchCV.inverse_transform).parameters:
        if Xt is not None:
            raise TypeError("inverse_transform() got an unexpected keyword argument 'Xt'")
        if X is None:
            raise TypeError("inverse_transform() missing 1 required positional argument: 'X'")
        return X
    if X is not None and Xt is not None:
        raise TypeError("Cannot use both X and Xt. Use X only.")
    if X is None and Xt is None:
        raise TypeError("Missing required positional argument: X.")
    if Xt is not None:
        warnings.warn("Xt was renamed X in version 1.5 and will be removed in 1.7.", FutureWarning)
        return Xt
    return X


def inconsistent_splits_message(expected, got):
    """scikit-learn's error when ``cv.split`` and ``cv.get_n_splits`` disagree.

    Worded as the installed release words it: "returned" up to 1.8,
    "return" from 1.9.

    Parameters
    ----------
    expected, got : int
        The numbers of splits from ``get_n_splits`` and from ``split``.

    Returns
    -------
    str
    """
    verb = "returned" if _sklearn_release() < (1, 9) else "return"
    return f"cv.split and cv.get_n_splits {verb} inconsistent results. Expected {expected} splits, got {got}"


def _sklearn_release():
    import sklearn

    major, minor = re.match(r"(\d+)\.(\d+)", sklearn.__version__).groups()
    return int(major), int(minor)


try:
    # Public from scikit-learn 1.9: callbacks set with ``set_callbacks``.
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9 has no callbacks

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin where callbacks do not exist."""

    def with_callbacks(method):
        """Stands in for scikit-learn's decorator where callbacks do not exist."""
        return method


def declared_to_reject(estimator, name, value):
    """Whether scikit-learn's declared constraints on parameter ``name`` reject ``value``.

    scikit-learn declares what each parameter takes in the private
    ``_parameter_constraints`` of its estimators and checks it in ``fit``;
    the public API has no way to ask before fitting. ``name`` reaches a
    pipeline step as in ``set_params`` (``"tree__max_depth"``).

    Parameters
    ----------
    estimator : estimator
    name : str
    value : object

    Returns
    -------
    bool
        False when the owner declares no constraints for ``name`` (not a
        scikit-learn estimator, or a release without them): no check.
    """
    try:
        from sklearn.utils._param_validation import make_constraint
    except ImportError:
        return False
    owner, _, parameter = name.rpartition("__")
    owner = estimator.get_params(deep=True).get(owner) if owner else estimator
    constraints = getattr(type(owner), "_parameter_constraints", None)
    if not isinstance(constraints, dict) or not isinstance(constraints.get(parameter), list):
        return False
    try:
        return not any(make_constraint(c).is_satisfied_by(value) for c in constraints[parameter])
    except (TypeError, ValueError):  # a constraint this release cannot build
        return False
