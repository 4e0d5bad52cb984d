"""Which estimator a ``WarmStart`` parameter reaches, and which boosting library it comes from.

Nothing of a library is imported: XGBoost, LightGBM and CatBoost are
recognised by the module name of the estimator's class (or of one of its bases).
"""

from sklearn.pipeline import Pipeline

#: The libraries whose boosting rounds continue natively.
LIBRARIES = ("xgboost", "lightgbm", "catboost")


def library_of(estimator):
    """``"xgboost"``, ``"lightgbm"``, ``"catboost"`` or None, from the module names of the class and its bases.

    Subclasses of the wrappers are recognised too; nothing is imported.

    Parameters
    ----------
    estimator : object

    Returns
    -------
    str or None
    """
    for cls in type(estimator).__mro__:
        top = (cls.__module__ or "").partition(".")[0]
        if top in LIBRARIES:
            return top
    return None


def is_pipeline(estimator):
    """Whether ``estimator`` is a scikit-learn ``Pipeline``."""
    return isinstance(estimator, Pipeline)


def final_step(estimator):
    """The pipeline's final step, or ``estimator`` itself."""
    return estimator.steps[-1][1] if is_pipeline(estimator) else estimator


def split_param(estimator, param):
    """The estimator that owns ``param`` and the parameter's own name, when it is the final step.

    Parameters
    ----------
    estimator : estimator
        A plain estimator or a ``Pipeline``.
    param : str
        ``"n_estimators"``, or ``"<last step>__n_estimators"`` for a pipeline.

    Returns
    -------
    owner : estimator or None
        The estimator itself, or the pipeline's final step; None when
        ``param`` reaches anything else.
    name : str
    """
    owner_name, _, name = param.rpartition("__")
    if not owner_name:
        return estimator, name
    if is_pipeline(estimator) and estimator.steps and estimator.steps[-1][0] == owner_name:
        return estimator.steps[-1][1], name
    return None, name


def kind_of(estimator, param):
    """The classes that decide how ``param`` grows: the estimator's and its owner's.

    Every fold model of a search is of the base estimator's kind, so a growth
    adapter chosen for one serves them all.

    Parameters
    ----------
    estimator : estimator
    param : str

    Returns
    -------
    tuple of type
    """
    owner, _ = split_param(estimator, param)
    return type(estimator), type(owner)
