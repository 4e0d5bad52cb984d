"""Row indexing shared by the workers and the resources.

``TrainingFold`` holds the training part of one CV fold, sliced once per task,
so that a resource running many steps on it (``partial_fit`` epochs, growing
``n_estimators``, subsamples) does not index the whole data set again at
every step.
"""

import mmap
import numbers
import os
import threading
from collections import OrderedDict

import numpy as np

from ._compat import safe_indexing

# Worker-process state: read-only maps of data files this process has used, newest last.
_MAPPINGS = OrderedDict()
_MAPPINGS_LOCK = threading.Lock()
_MAX_MAPPED_BYTES = 256 * 2**20
_CAN_KEEP_MAPS = os.name != "nt"


def reuse_mapping(array):
    """A read-only map of ``array``'s file that this process keeps from task to task.

    joblib hands a large array to a worker as a fresh ``numpy.memmap`` for
    every task, so every task faults the file's pages in again and unmaps
    them after (measured on the diamonds benchmark, 7.6 MB: a one-epoch
    ``partial_fit`` task took 44 ms in a worker against 30 ms on a kept
    map). This function maps the file once per process, by itself, and
    returns that map while the file is the same (inode, modification time,
    offset, shape, dtype, order).

    joblib's own map is left to be collected as usual, so joblib still
    deletes its files when the search ends; a kept map whose file is gone
    is dropped at the next call. Only read-only maps of whole files are
    kept (a ``"c"`` or ``"r+"`` map may be written to), up to 256 MiB in
    all, and none on Windows, where a mapped file cannot be deleted;
    anything else is returned as it is.

    Parameters
    ----------
    array : object
        Anything; only a ``numpy.memmap`` made by ``numpy.memmap()`` is looked up.

    Returns
    -------
    object
        ``array`` itself or an equal array on the kept map.
    """
    if _MAPPINGS:
        with _MAPPINGS_LOCK:
            _forget_deleted_files()
    if not (
        _CAN_KEEP_MAPS and type(array) is np.memmap and array.mode == "r" and array.filename
        and isinstance(array.base, mmap.mmap)  # a whole map, not a view with another start
        and (array.flags.c_contiguous or array.flags.f_contiguous)
    ):
        return array
    try:
        stat = os.stat(array.filename)
    except OSError:
        return array
    order = "C" if array.flags.c_contiguous else "F"
    key = (array.filename, stat.st_ino, stat.st_mtime_ns, array.offset, array.shape, array.dtype.str, order)
    with _MAPPINGS_LOCK:  # the threading backend calls this from several threads
        kept = _MAPPINGS.get(key)
        if kept is not None:
            _MAPPINGS.move_to_end(key)
            return kept
        if array.nbytes > _MAX_MAPPED_BYTES:
            return array
        kept = np.memmap(array.filename, dtype=array.dtype, mode="r", offset=array.offset, shape=array.shape,
                         order=order)
        _MAPPINGS[key] = kept
        while sum(a.nbytes for a in _MAPPINGS.values()) > _MAX_MAPPED_BYTES:
            _MAPPINGS.popitem(last=False)
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
    more than the indexing itself on small folds. Integer indices go through
    ``numpy.take``, which copies the rows of a 2-D array about three times
    faster than ``values[indices]`` (0.5 against 1.5 ms for a 14,384 x 22
    test fold of the diamonds benchmark) and gives the same plain array.

    Arrays of another array API namespace get their indices in that
    namespace and on their device, as scikit-learn's cross-validation
    passes them (scikit-learn < 1.9 does not convert them itself).
    """
    if isinstance(values, np.ndarray):
        if isinstance(indices, np.ndarray) and indices.ndim == 1 and indices.dtype.kind in "iu":
            # np.asarray: a memmap's rows come back as a plain array, as with values[indices].
            return np.take(np.asarray(values), indices, axis=0)
        return values[indices]
    namespace = getattr(values, "__array_namespace__", None)
    if namespace is not None and isinstance(indices, np.ndarray):
        indices = namespace().asarray(indices, device=values.device)
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
        check (see ``hdsearch.resource.base.on_known_rows``).
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
