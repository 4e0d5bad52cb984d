"""What the small strategy objects share: repr, equality, argument checks, seeded streams.

Samplings, policies and resources are configuration objects that store their
constructor arguments verbatim, print like the call that built them, and
compare equal by type and arguments (the experiment store compares specs).
"""

import numbers

import numpy as np


class ConfigObject:
    """Base of samplings, policies and resources: ``repr`` and ``==`` from ``_arguments``."""

    def _arguments(self):
        """The constructor arguments, by name, in signature order."""
        return {}

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self._arguments().items())
        return f"{type(self).__name__}({arguments})"

    def __eq__(self, other):
        return type(self) is type(other) and self._arguments() == other._arguments()

    def __hash__(self):
        return hash(repr(self))


def check_int(owner, name, value, low):
    """Raise ValueError naming ``owner.name`` unless ``value`` is an int >= ``low``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{owner}: {name} must be an int >= {low}, got {name}={value!r}")


def stream_factory(entropy, trial_id, fold):
    """``rng_for(*key)``: a Generator seeded for (trial, fold, *key) from ``entropy``."""

    def rng_for(*key):
        return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(trial_id, fold, *key)))

    return rng_for
