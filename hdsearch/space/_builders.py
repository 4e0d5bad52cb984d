"""The expression builders users write: ``choice``, ``randint``, ``uniform``, ``loguniform``, ...

Each checks its arguments and returns an expression object; HyperDrive's
names and meanings, log-space bounds included.
"""

from ._expressions import Choice, LogNormal, LogUniform, Normal, RandInt, Uniform


def choice(*options):
    """One of the options; ``choice(1, 2)``, ``choice([1, 2])`` and ``choice(range(3))`` all work.

    Parameters
    ----------
    *options : objects, or one list, tuple or range
        The options.

    Returns
    -------
    Choice

    Examples
    --------
    >>> choice("rbf", "linear")
    choice('rbf', 'linear')
    """
    if len(options) == 1 and isinstance(options[0], (list, tuple, range)):
        options = options[0]
    return Choice(options)


def randint(upper, *bounds):
    """An integer in [0, upper) (HyperDrive's ``randint`` has no lower bound).

    Parameters
    ----------
    upper : int
        Exclusive upper bound.
    *bounds
        Rejected: ``randint(1, 10)`` raises a TypeError saying how to sample
        [1, 10) (``choice(range(1, 10))`` or ``scipy.stats.randint(1, 10)``).

    Returns
    -------
    RandInt
    """
    if bounds:
        raise TypeError(_randint_message((upper, *bounds)))
    return RandInt(upper)


def _randint_message(arguments):
    """Why ``randint(*arguments)`` with more than one argument is an error, and what to write."""
    called = f"randint({', '.join(map(repr, arguments))})"
    low, high = arguments[0], arguments[1]
    return (
        f"{called}: randint(upper) takes one argument and samples an integer in [0, upper), as HyperDrive's "
        f"does. For an integer in [{low!r}, {high!r}) write choice(range({low!r}, {high!r})) or "
        f"scipy.stats.randint({low!r}, {high!r}) (in a spec file, the array of the integers)."
    )


def uniform(low, high):
    """A float in [low, high].

    Parameters
    ----------
    low, high : float

    Returns
    -------
    Uniform
    """
    return Uniform(low, high)


def quniform(low, high, q):
    """``round(uniform(low, high) / q) * q``; an int when ``q`` is an int.

    Parameters
    ----------
    low, high : float
    q : int or float
        Quantization step, > 0.

    Returns
    -------
    Uniform
    """
    return Uniform(low, high, q)


def loguniform(low, high):
    """``exp(uniform(low, high))``: the bounds are in log space (HyperDrive's meaning).

    For values between 1e-5 and 0.1, write ``loguniform(math.log(1e-5),
    math.log(0.1))`` or ``scipy.stats.loguniform(1e-5, 0.1)``.

    :class:`Space` (so every search) warns with a :class:`LogBoundsWarning`,
    naming the parameter, when the bounds look like real values:

    1. both in (0, 1] and the sampled range narrower than a factor of two
       (``loguniform(1e-5, 1e-1)`` samples 1.00001 to 1.105);
    2. ``low`` a fraction in (0, 1) written with at most 3 significant
       digits, as values are typed (0.001, 1e-4, 0.25, not ``math.log(2)``),
       and ``high >= 1`` (``loguniform(0.001, 10)`` samples 1.001 to 22026);
    3. ``high > log(1e10)`` = 23.03, values above 1e10
       (``loguniform(1, 1000)``).

    Negative, zero or integer bounds (``loguniform(-3, 5)``,
    ``loguniform(0, 4)``) and ``math.log`` results never warn.

    Parameters
    ----------
    low, high : float
        Natural logarithms of the smallest and largest values.

    Returns
    -------
    LogUniform

    Examples
    --------
    >>> loguniform(-3, 3)   # values in [exp(-3), exp(3)], about [0.05, 20]
    loguniform(-3, 3)
    """
    return LogUniform(low, high)


def qloguniform(low, high, q):
    """``round(exp(uniform(low, high)) / q) * q``.

    Bounds that look like real values warn as in :func:`loguniform`.

    Parameters
    ----------
    low, high : float
        Bounds in log space.
    q : int or float
        Quantization step, > 0.

    Returns
    -------
    LogUniform
    """
    return LogUniform(low, high, q)


def normal(mu, sigma):
    """A Gaussian.

    Parameters
    ----------
    mu : float
    sigma : float
        Standard deviation, > 0.

    Returns
    -------
    Normal
    """
    return Normal(mu, sigma)


def qnormal(mu, sigma, q):
    """``round(normal(mu, sigma) / q) * q``.

    Parameters
    ----------
    mu, sigma : float
    q : int or float

    Returns
    -------
    Normal
    """
    return Normal(mu, sigma, q)


def lognormal(mu, sigma):
    """``exp(normal(mu, sigma))``.

    Parameters
    ----------
    mu, sigma : float

    Returns
    -------
    LogNormal
    """
    return LogNormal(mu, sigma)


def qlognormal(mu, sigma, q):
    """``round(exp(normal(mu, sigma)) / q) * q``.

    Parameters
    ----------
    mu, sigma : float
    q : int or float

    Returns
    -------
    LogNormal
    """
    return LogNormal(mu, sigma, q)
