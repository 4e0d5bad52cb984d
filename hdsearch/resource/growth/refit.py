"""Growth by refitting from scratch: the estimator has no ``warm_start``.

Every interval fits a fresh model to the larger value; the search warns, and
the engine knows a continuing call pays for every step again.
"""

import warnings

from .base import Growth


def warm_start_name(param):
    """The ``warm_start`` parameter of the estimator (or pipeline step) that owns ``param``."""
    owner, _, _ = param.rpartition("__")
    return f"{owner}__warm_start" if owner else "warm_start"


class Refit(Growth):
    """Each interval refits from scratch with the larger value."""

    held_step_cost = 1.0

    def check(self, estimator, param_names):
        warnings.warn(
            f"WarmStart: {type(estimator).__name__} has no {warm_start_name(self.param)!r} "
            "parameter, so every interval refits from scratch with the larger "
            f"{self.param!r}.",
            UserWarning,
        )

    def grow(self, model, target, fold, fresh):
        # Without warm_start, fit() starts over.
        return self._fit_to(model, target, fold)
