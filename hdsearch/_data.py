"""Row indexing shared by the workers and the resources.

``TrainingFold`` holds the training part of one CV fold, sliced once per task,
so that a resource running many steps on it (``partial_fit`` epochs, growing
``n_estimators``, subsamples) does not index the whole data set again at
every step.
"""

import numbers
import os
from collections import OrderedDict

import numpy as np

from ._compat import safe_indexing


# Worker-process state: the memory maps this process has touched, newest last.
_MAPPINGS = OrderedDict()
_MAX_MAPPINGS = 4


def reuse_mapping(array):
    """The memory map of ``array``'s file that this process already uses, if any.

    joblib hands a large array to a worker as a fresh ``numpy.memmap`` for
    every task, so every task page-faults the whole file in again: measured
    on the diamonds benchmark (7.6 MB), a one-epoch ``partial_fit`` task took
    44 ms in a worker against 30 ms on a kept map. Reusing the map of the
    same file (same inode, modification time, offset, shape, dtype, strides
    and mode) keeps its pages mapped from task to task.

    At most ``_MAX_MAPPINGS`` maps are kept, and a map whose file is gone
    (joblib deletes its folder when a search ends) is let go at the next
    call, so a worker holds on to at most the last search's data.

    Parameters
    ----------
    array : object
        Anything; only a ``numpy.memmap`` backed by a file is looked up.

    Returns
    -------
    object
        ``array`` itself or an equal, already mapped array.
    """
    _forget_deleted_files()
    if type(array) is not np.memmap or not array.filename:
        return array
    try:
        stat = os.stat(array.filename)
    except OSError:
        return array
    key = (
        array.filename, stat.st_ino, stat.st_mtime_ns, array.offset, array.shape, array.dtype.str,
        array.strides, array.mode,
    )
    kept = _MAPPINGS.get(key)
    if kept is None:
        _MAPPINGS[key] = kept = array
        while len(_MAPPINGS) > _MAX_MAPPINGS:
            _MAPPINGS.popitem(last=False)
    else:
        _MAPPINGS.move_to_end(key)
    return kept


def _forget_deleted_files():
    for key in list(_MAPPINGS):
        filename, inode = key[0], key[1]
        try:
            if os.stat(filename).st_ino == inode:
                continue
        except OSError:
            pass
        del _MAPPINGS[key]


def num_samples(X):
    """Number of rows of an array-like."""
    shape = getattr(X, "shape", None)
    return shape[0] if shape is not None and len(shape) else len(X)


def take_rows(values, indices):
    """Rows ``indices`` of an array-like, as scikit-learn's ``_safe_indexing`` gives them.

    numpy arrays (memmaps included) are indexed directly: ``_safe_indexing``
    first asks whether they are data frames of any library, which costs
    more than the indexing itself on small folds.
    """
    if isinstance(values, np.ndarray):
        return values[indices]
    return safe_indexing(values, indices)


def index_params(params, n_samples, indices):
    """Index every array-like parameter as long as ``X``; pass the rest through.

    Parameters
    ----------
    params : dict
    n_samples : int
        Rows of ``X``: only values with this many rows are indexed.
    indices : ndarray of int

    Returns
    -------
    dict
    """
    indexed = {}
    for name, value in params.items():
        if _is_sample_aligned(value, n_samples):
            indexed[name] = take_rows(value, indices)
        else:
            indexed[name] = value
    return indexed


def _is_sample_aligned(value, n_samples):
    if value is None or isinstance(value, (str, dict, numbers.Number)):
        return False
    if not (hasattr(value, "__len__") or hasattr(value, "shape")):
        return False
    try:
        return num_samples(value) == n_samples
    except TypeError:
        return False


class TrainingFold:
    """The training rows of one fold: data, target and fit parameters.

    The rows are sliced on first use and kept, so the steps of one task
    index the whole data set once at most; :meth:`shuffled` gathers straight
    from the whole data and never needs that copy.

    Parameters
    ----------
    X, y : array-like
        The whole data set; ``y`` may be None.
    train : ndarray of int
        The fold's training rows.
    fit_params : dict
        Whole-data fit parameters; sample-aligned ones are sliced with ``X``.

    Attributes
    ----------
    validated : bool
        Whether the estimator has already accepted these rows once. A later
        step on the same rows, in any order, may then skip the finiteness
        check (see ``resource._on_known_rows``).
    """

    def __init__(self, X, y, train, fit_params):
        self._data = (X, y)
        self._train = train
        self._fit_params = fit_params
        self._sliced = None
        self._buffers = None
        self.validated = False

    def __len__(self):
        return len(self._train)

    @property
    def X(self):
        """The fold's training data, in ``train`` order."""
        return self._slice()[0]

    @property
    def y(self):
        """The fold's training target, or None."""
        return self._slice()[1]

    @property
    def fit_params(self):
        """The fit parameters of the fold's training rows."""
        return self._slice()[2]

    def rows(self, positions):
        """``(X, y, fit_params)`` of the rows at ``positions`` within the fold."""
        return self._whole_data_rows(self._train[positions])

    def shuffled(self, order):
        """``(X, y, fit_params)`` of the whole fold in ``order`` (a permutation).

        Dense arrays are gathered into two buffers reused from call to call,
        which saves allocating (and page-faulting) a fold-sized array at every
        epoch. The caller must be done with the previous result.
        """
        X, y = self._data
        indices = self._train[order]
        if not (isinstance(X, np.ndarray) and (y is None or isinstance(y, np.ndarray))):
            return self._whole_data_rows(indices)
        if self._buffers is None:
            shape = (len(indices),)
            self._buffers = (
                np.empty(shape + X.shape[1:], dtype=X.dtype),
                None if y is None else np.empty(shape + y.shape[1:], dtype=y.dtype),
            )
        X_buffer, y_buffer = self._buffers
        # With the default mode="raise", numpy buffers ``out`` (a second
        # fold-sized copy); the indices are valid, so "clip" changes nothing else.
        np.take(X, indices, axis=0, out=X_buffer, mode="clip")
        if y_buffer is not None:
            np.take(y, indices, axis=0, out=y_buffer, mode="clip")
        return X_buffer, y_buffer, self._params(indices)

    def _slice(self):
        if self._sliced is None:
            self._sliced = self._whole_data_rows(self._train)
        return self._sliced

    def _whole_data_rows(self, indices):
        X, y = self._data
        y_part = None if y is None else take_rows(y, indices)
        return take_rows(X, indices), y_part, self._params(indices)

    def _params(self, indices):
        if not self._fit_params:
            return {}
        return index_params(self._fit_params, num_samples(self._data[0]), indices)
