"""What the small strategy objects share: repr, equality, argument checks, seeded streams.

Samplings, policies and resources are configuration objects that store their
constructor arguments verbatim, print like the call that built them, and
compare equal by type and arguments (the experiment store compares specs).
"""

import difflib
import inspect
import numbers

import numpy as np


class ConfigObject:
    """Base of samplings, policies and resources: ``repr`` and ``==`` from ``_arguments``.

    Constructing one with an argument its ``__init__`` does not take raises a
    ``TypeError`` naming the class, the arguments it takes and, for a
    misspelled keyword, the closest one.
    """

    def __new__(cls, *args, **kwargs):
        check_constructor_arguments(cls, args, kwargs)
        return super().__new__(cls)

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


def check_constructor_arguments(cls, args, kwargs):
    """Raise TypeError when ``cls(*args, **kwargs)`` passes an argument ``cls.__init__`` does not take.

    Missing required arguments are left to ``__init__`` itself: ``copy`` and
    ``pickle`` call ``__new__`` with none.

    Parameters
    ----------
    cls : type
    args : tuple
    kwargs : dict

    Raises
    ------
    TypeError
        For example ``MedianStoppingPolicy got an unexpected argument
        'delay_evaluations'; did you mean 'delay_evaluation'? It takes:
        evaluation_interval=1, delay_evaluation=0``.
    """
    parameters = _init_parameters(cls)
    if parameters is None:
        return
    names = [p.name for p in parameters]
    for name in kwargs:
        if name not in names:
            raise TypeError(
                f"{cls.__name__} got an unexpected argument {name!r}{did_you_mean(name, names)} "
                f"It takes: {_describe(parameters)}."
            )
    if len(args) > len(parameters):
        at_most = f"at most {len(parameters)} arguments" if parameters else "no arguments"
        takes = f" It takes: {_describe(parameters)}." if parameters else ""
        raise TypeError(f"{cls.__name__} takes {at_most}, got {len(args)}: {args!r}.{takes}")


def _init_parameters(cls):
    """The parameters of ``cls.__init__`` after ``self``, or None when it takes ``*args`` or ``**kwargs``."""
    if cls.__init__ is object.__init__:
        return []
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    if any(p.kind in variadic for p in parameters):
        return None
    return parameters


def _describe(parameters):
    if not parameters:
        return "no arguments"
    return ", ".join(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
                     for p in parameters)


def did_you_mean(word, candidates):
    """``"; did you mean 'x'?"`` for the closest of ``candidates`` to ``word``, else ``"."``.

    ``difflib``'s closest match, case ignored (the suggestion keeps the
    candidate's case); failing that, the candidates that contain ``word``
    (``slack`` -> ``slack_factor`` or ``slack_amount``).

    Parameters
    ----------
    word : str
    candidates : iterable of str

    Returns
    -------
    str
    """
    candidates = [str(c) for c in candidates]
    by_lower = {c.lower(): c for c in candidates}
    word = str(word).lower()
    close = difflib.get_close_matches(word, list(by_lower), n=1, cutoff=0.6)
    if not close:
        close = [lower for lower in by_lower if word and word in lower][:2]
    if not close:
        return "."
    return f"; did you mean {' or '.join(repr(by_lower[c]) for c in close)}?"


def check_int(owner, name, value, low):
    """Raise ValueError naming ``owner.name`` unless ``value`` is an int >= ``low``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{owner}: {name} must be an int >= {low}, got {name}={value!r}")


def stream_factory(entropy, trial_id, fold):
    """``rng_for(*key)``: a Generator seeded for (trial, fold, *key) from ``entropy``."""

    def rng_for(*key):
        return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(trial_id, fold, *key)))

    return rng_for
