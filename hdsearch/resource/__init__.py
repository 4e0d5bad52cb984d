"""Resources: what one evaluation interval of work is.

- ``Folds`` (``"folds"``): interval k is the k-th CV fold; the score at k is
  the mean of the first k folds' scores. Works for every estimator.
- ``PartialFit``: interval k is k passes of ``partial_fit`` over the training
  fold, in an order seeded per (trial, fold, epoch).
- ``WarmStart``: a parameter such as ``n_estimators`` grows each interval,
  through one growth adapter chosen when the search checks it
  (:mod:`hdsearch.resource.growth`).
- ``Subsample``: interval k trains on a growing, seeded subsample of the
  training fold and scores on the whole test fold.

A per-fold resource (all but ``Folds``) advances every fold of a trial by the
same steps; its score at k is the mean over folds of the step-k scores.

A fold is only scored at some intervals (the ones a policy reads, and the
last), so :meth:`BaseResource.advance` takes a model from one scored interval
to the next in as few native calls as the resource allows: ``WarmStart`` jumps
straight to the next value in one ``fit``, ``Subsample`` trains only on the
subsample it is scored on, ``PartialFit`` runs its passes back to back.
"""

import copy

from .base import BaseResource
from .folds import Folds
from .growth import BOOSTING_HELD_STEP_COST, parameter_names
from .partial_fit import PartialFit
from .subsample import Subsample
from .warm_start import WarmStart

__all__ = [
    "BOOSTING_HELD_STEP_COST",
    "DEFAULT_MAX_EPOCHS",
    "BaseResource",
    "Folds",
    "PartialFit",
    "Subsample",
    "WarmStart",
    "make_resource",
    "parameter_names",
]

#: Passes of ``resource="partial_fit"``.
DEFAULT_MAX_EPOCHS = 10


def make_resource(resource):
    """A resource object from ``"folds"``, ``"partial_fit"``, None or an instance.

    An instance is copied, so what a search's ``check`` binds to it (the
    ``WarmStart`` growth adapter) stays off the object the user passed.

    Parameters
    ----------
    resource : {"folds", "partial_fit"}, None or BaseResource

    Returns
    -------
    BaseResource
    """
    if resource is None or (isinstance(resource, str) and resource == "folds"):
        return Folds()
    if isinstance(resource, str) and resource == "partial_fit":
        return PartialFit(max_epochs=DEFAULT_MAX_EPOCHS)
    if isinstance(resource, BaseResource):
        return copy.copy(resource)
    raise ValueError(
        "resource must be 'folds', 'partial_fit', or a Folds, PartialFit, WarmStart or "
        f"Subsample object; got resource={resource!r}"
    )
