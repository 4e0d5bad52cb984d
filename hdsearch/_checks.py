"""The search's checks before any fit: parameter names, int parameters, a policy that never acts.

Each check reads the estimator and the parsed space (or the policy and the
resource) and raises or warns, naming the parameter and the value, before
the first fit starts. Also the words of the warning when ``max_duration``
runs out.
"""

import warnings

from sklearn.base import clone

from .resource.growth import parameter_names
from ._compat import declared_to_reject
from ._config import did_you_mean
from .space import Normal, Uniform


def check_param_names(estimator, space):
    """Set one parameter set of every subspace on a clone, as each trial will.

    ``set_params`` is the judge, not ``get_params``: an estimator may
    accept more names than it lists. When ``set_params`` fails although
    every name is listed (or belongs to a step searched in the same
    dict), the drawn values failed, not the names: the trials report it.

    Parameters
    ----------
    estimator : estimator object
        The search's estimator (not modified).
    space : Space
        The parsed ``param_distributions``.

    Raises
    ------
    ValueError
        Naming the first unknown parameter, the closest known name and
        ``set_params``' own error.
    """
    for subspace in space.subspaces:
        params = {name: expression.rvs(random_state=0) for name, expression in subspace.items()}
        if not params:
            continue
        try:
            clone(estimator).set_params(**clone(params, safe=False))
        except Exception as exc:
            unlisted = _unlisted_names(estimator, subspace)
            if unlisted:
                hint = did_you_mean(unlisted[0], _listed_names(estimator))
                raise ValueError(
                    f"Invalid parameter {unlisted[0]!r} in param_distributions for estimator "
                    f"{estimator!r}{hint} set_params raised {type(exc).__name__}: {exc}"
                ) from exc


def _listed_names(estimator):
    """Every parameter name the estimator lists, its steps' included (``svc__C``)."""
    # CatBoost lists only the parameters its constructor was given.
    return set(estimator.get_params(deep=True)) | parameter_names(estimator)


def _unlisted_names(estimator, subspace):
    """Names of ``subspace`` that neither ``get_params`` nor a searched step lists."""
    listed = _listed_names(estimator)
    # 'clf__C' is settable when 'clf' itself is searched in the same dict.
    return [
        name
        for name in subspace
        if name not in listed and not ("__" in name and name.rsplit("__", 1)[0] in subspace)
    ]


def check_int_parameters_get_ints(estimator, space):
    """Raise ValueError before any fit when an expression draws floats for a parameter declared int-only.

    ``quniform(2, 10, 1.0)`` on scikit-learn's ``max_depth`` would make
    every fit fail; ``quniform(2, 10, 1)`` draws ints.

    Parameters
    ----------
    estimator : estimator object
        Its declared parameter constraints are read, when it has them.
    space : Space
        The parsed ``param_distributions``.
    """
    for subspace in space.subspaces:
        for name, expression in subspace.items():
            value = _float_an_int_parameter_rejects(estimator, name, expression)
            if value is not None:
                raise ValueError(
                    f"param_distributions[{name!r}]: {expression!r} draws floats such as {value!r}, but "
                    f"{name} takes an int there (scikit-learn's declared constraints): its fits would fail. "
                    f"Write {_drawing_ints(expression)!r}: with an int q it draws ints."
                )


def _float_an_int_parameter_rejects(estimator, name, expression):
    """A value ``expression`` draws that ``name`` rejects as a float and takes as an int, or None."""
    if not isinstance(expression, (Uniform, Normal)) or expression.is_integer:
        return None
    for u in (0.25, 0.5, 0.75):
        value = expression.from_unit(u)
        as_int = int(round(value))
        if declared_to_reject(estimator, name, value) and not declared_to_reject(estimator, name, as_int):
            return value
    return None


def _drawing_ints(expression):
    """``expression`` with an int ``q``: the same step when it is a whole number, else 1."""
    q = expression.q
    return expression.with_q(int(q) if q is not None and float(q).is_integer() else 1)


def warn_if_the_policy_never_acts(policy, resource, first_decision, n_intervals):
    """Warn before any fit when the policy's first decision comes at or after a trial's last interval.

    Parameters
    ----------
    policy : BasePolicy or None
    resource : BaseResource
    first_decision : int or None
        The first interval the policy decides at; None for never.
    n_intervals : int
        Intervals of a trial run to the end.
    """
    if policy is None or (first_decision is not None and first_decision < n_intervals):
        return
    when = "never" if first_decision is None else f"first at interval {first_decision}"
    more = "cv" if not resource.per_fold else "the resource's intervals"
    warnings.warn(
        f"{policy!r} will stop no trial: it acts {when}, but with {resource!r} a trial has {n_intervals} "
        f"intervals and a policy never acts at the last one. Lower delay_evaluation (or evaluation_interval, "
        f"HalvingPolicy's min_resource, PartialFit's min_epochs), or raise {more} above "
        f"{first_decision or n_intervals}.",
        UserWarning,
        stacklevel=2,
    )


def max_duration_message(max_duration, trials):
    """The warning when ``max_duration`` ran out: what ran, per status, and what was kept.

    Parameters
    ----------
    max_duration : float
        The search's ``max_duration``, in seconds.
    trials : list of Trial
        This search's trials when it stopped.
    """
    counts = {status: sum(t.status == status for t in trials) for status in ("completed", "terminated", "failed")}
    return (
        f"max_duration={max_duration} s ran out: the search stopped between waves after "
        f"{len(trials)} trials ({counts['completed']} completed, {counts['terminated']} terminated, "
        f"{counts['failed']} failed). Their results are kept; trials still running were marked terminated."
    )
