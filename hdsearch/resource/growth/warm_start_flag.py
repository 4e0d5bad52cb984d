"""Growth through the estimator's own ``warm_start`` flag (forests, ``max_iter`` of linear models, ...).

The fold model gets ``warm_start=True``; each interval calls ``fit`` with the
larger value and the estimator keeps what it has.
"""

from .base import Growth
from .refit import warm_start_name


class WarmStartFlag(Growth):
    """``warm_start=True``, then one ``fit`` per interval with the larger value."""

    def prepare(self, model):
        model.set_params(**{warm_start_name(self.param): True})
        return model

    def grow(self, model, target, fold, fresh):
        return self._fit_to(model, target, fold)
