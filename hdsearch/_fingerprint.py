"""Content fingerprints of a search's data, so that a store knows what it measured.

A resumed experiment must have been measured on the same data: the same
shape is not enough (a different sample of the same size gives different
scores). :func:`data_fingerprint` hashes X, y and every fit parameter
(``sample_weight``, ``groups``, ...) by content and describes each as
``"<kind> <dtype> <shape>, sha256 <16 hex digits>"``.

The whole content is hashed, never a sample: sampling would miss changes,
and the full hash is cheap. Measured with ``benchmarks/bench_fingerprint.py``
on the project's shared 2-core machine (median of 5): SHA-256 hashed
1e5 x 50 float64 (41 MB) in 0.024 s and 1e6 x 20 float64 (168 MB) in
0.10 s, about 1.6 GB/s (BLAKE2b ran at 0.5 to 0.7 GB/s there: this CPU has
SHA instructions), that is 2.0 % and 1.1 % of one 5-fold ``SGDClassifier``
trial on the same data, once per fit however many trials the search runs.

What cannot be hashed by content (an array of an array API namespace numpy
cannot read, an arbitrary object) does not fail the fit: it is described by
its type, shape and dtype only, and the description says
``"content not hashed"`` so the spec shows the weaker check.
"""

import hashlib
import numbers
import pickle

import numpy as np

_HEX_DIGITS = 16  # 64 bits: enough to tell two data sets apart
_NOT_HASHED = "content not hashed"


def data_fingerprint(X, y, fit_params):
    """One description per input that decides the scores: X, y and each fit parameter.

    Parameters
    ----------
    X : array-like, sparse matrix or DataFrame
    y : array-like or None
    fit_params : dict
        The ``**params`` given to ``fit`` (``sample_weight``, ``groups``, ...).

    Returns
    -------
    dict of str to str
        Keys ``"X"``, ``"y"`` and each fit parameter's name, in sorted order
        after X and y.
    """
    described = {"X": fingerprint(X), "y": fingerprint(y)}
    described.update((name, fingerprint(fit_params[name])) for name in sorted(fit_params))
    return described


def fingerprint(value):
    """A short text that changes when ``value``'s content changes.

    Parameters
    ----------
    value : object
        None, a number or str, a numpy array, a pandas DataFrame or Series,
        a scipy sparse matrix or array, a list, tuple or dict of those, or
        anything numpy can convert.

    Returns
    -------
    str
    """
    if value is None or isinstance(value, (str, bytes, bool)):
        return repr(value)
    if isinstance(value, np.generic):
        return f"{value.dtype.str} {value.item()!r}"
    if isinstance(value, numbers.Number):
        return repr(value)
    try:
        return _content_fingerprint(value)
    except Exception:  # noqa: BLE001 - an input we cannot read must not fail the fit
        return _weak_fingerprint(value)


def _content_fingerprint(value):
    if _is_pandas(value):
        return _pandas_fingerprint(value)
    if _is_sparse(value):
        return _sparse_fingerprint(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {fingerprint(value[key])}" for key in sorted(value, key=repr)) + "}"
    array = _as_numpy(value)
    if array is not None:
        return f"array {array.dtype.str} {array.shape}, sha256 {_digest(_array_chunks(array))}"
    if isinstance(value, (list, tuple)):
        # Ragged sequences (e.g. an eval_set of (X, y) pairs): each item on its own.
        return "[" + ", ".join(fingerprint(item) for item in value) + "]"
    return _weak_fingerprint(value)


def _digest(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()[:_HEX_DIGITS]


def _array_chunks(array):
    """The bytes of an array's content: its values in C order, or their pickle for objects."""
    header = f"{array.dtype.str}{array.shape}".encode()
    if array.dtype.hasobject:
        # Raw bytes of an object array are pointers; the pickle holds the values.
        return [header, pickle.dumps(array.tolist(), protocol=4)]
    # A contiguous array is hashed in place, without a copy.
    return [header, np.ascontiguousarray(array).reshape(-1).view(np.uint8)]


def _as_numpy(value):
    """``value`` as a numpy array, or None when numpy cannot read it as one regular array."""
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - array API namespaces and ragged lists raise many kinds
        return None
    if array.dtype.hasobject and not isinstance(value, np.ndarray) and not _is_flat_sequence(value):
        return None
    if array.ndim == 0 and not isinstance(value, np.ndarray):
        return None  # an arbitrary object numpy wrapped, not data
    return array


def _is_flat_sequence(value):
    return isinstance(value, (list, tuple)) and not any(isinstance(item, (list, tuple, dict)) for item in value)


def _is_pandas(value):
    module = type(value).__module__
    return module.split(".")[0] == "pandas" and type(value).__name__ in ("DataFrame", "Series")


def _pandas_fingerprint(value):
    """Values row by row (pandas' own content hash), column names and dtypes; the index is left out."""
    import pandas

    row_hashes = pandas.util.hash_pandas_object(value, index=False).to_numpy()
    if isinstance(value, pandas.DataFrame):
        layout = [(str(name), str(dtype)) for name, dtype in value.dtypes.items()]
        kind = f"DataFrame {value.shape}"
    else:
        layout = [(str(value.name), str(value.dtype))]
        kind = f"Series {value.dtype} {value.shape}"
    return f"{kind}, sha256 {_digest([repr(layout).encode(), row_hashes.view(np.uint8)])}"


def _is_sparse(value):
    return type(value).__module__.startswith("scipy.sparse") and hasattr(value, "format")


def _sparse_fingerprint(value):
    """Format, shape and the arrays that hold a sparse matrix's content."""
    if value.format in ("csr", "csc", "bsr"):
        parts = (value.data, value.indices, value.indptr)
    elif value.format == "coo":
        parts = (value.data, value.row, value.col)
    else:  # dok, lil, dia: read through their CSR form
        csr = value.tocsr()
        parts = (csr.data, csr.indices, csr.indptr)
    chunks = [f"{value.format}{value.shape}".encode()]
    for part in parts:
        chunks.extend(_array_chunks(np.asarray(part)))
    return f"sparse {value.format} {value.dtype.str} {value.shape}, sha256 {_digest(chunks)}"


def _weak_fingerprint(value):
    """Type, shape and dtype of what cannot be read by content."""
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    details = "".join(f" {label} {item}" for label, item in (("shape", shape), ("dtype", dtype)) if item is not None)
    return f"{kind}{details} ({_NOT_HASHED})"
