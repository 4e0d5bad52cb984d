"""Content fingerprints of the data: equal content, equal text; any change, another text."""

import numpy as np
import pytest
import scipy.sparse as sp

from hdsearch._fingerprint import data_fingerprint, fingerprint

RNG = np.random.default_rng(0)
X = RNG.standard_normal((50, 4))


def changed(array, index=(0, 0), delta=1e-12):
    copy = array.copy()
    copy[index] += delta
    return copy


def test_equal_content_gives_equal_fingerprints_whatever_the_memory_layout():
    assert fingerprint(X) == fingerprint(X.copy()) == fingerprint(np.asfortranarray(X))
    assert fingerprint(X[:, ::2]) == fingerprint(X[:, ::2].copy())
    assert fingerprint(X.tolist()) == fingerprint(X)


@pytest.mark.parametrize("other", [
    changed(X),  # one value, by the smallest amount
    X[::-1].copy(),  # the same rows in another order
    X.astype(np.float32),  # the same numbers, another dtype
    X.reshape(100, 2),  # the same bytes, another shape
])
def test_any_change_of_values_order_dtype_or_shape_changes_the_fingerprint(other):
    assert fingerprint(other) != fingerprint(X)


def test_the_text_says_kind_dtype_shape_and_digest():
    text = fingerprint(X)
    assert text.startswith("array <f8 (50, 4), sha256 ")
    assert len(text.rsplit(" ", 1)[1]) == 16


def test_data_fingerprint_covers_X_y_and_every_fit_param():
    y = np.arange(50) % 2
    described = data_fingerprint(X, y, {"sample_weight": np.ones(50), "groups": np.arange(50) % 5})
    assert list(described) == ["X", "y", "groups", "sample_weight"]
    assert data_fingerprint(X, None, {})["y"] == "None"
    weights = data_fingerprint(X, y, {"sample_weight": changed(np.ones(50), 3)})
    assert weights["sample_weight"] != described["sample_weight"] and weights["X"] == described["X"]


def test_pandas_frames_by_values_column_names_and_dtypes():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(X, columns=list("abcd"))
    frame["kind"] = pandas.Series(list("xyz") * 16 + ["x", "y"], dtype="category")
    assert fingerprint(frame) == fingerprint(frame.copy())
    assert fingerprint(frame.set_axis(range(100, 150))) == fingerprint(frame)  # the index is not data
    assert fingerprint(frame.rename(columns={"a": "A"})) != fingerprint(frame)
    assert fingerprint(frame.astype({"a": "float32"})) != fingerprint(frame)
    edited = frame.copy()
    edited.loc[7, "kind"] = "z"
    assert fingerprint(edited) != fingerprint(frame)
    assert fingerprint(frame["a"]).startswith("Series float64 (50,), sha256 ")
    assert fingerprint(frame["a"].rename("b")) != fingerprint(frame["a"])


@pytest.mark.parametrize("make", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.lil_matrix, sp.csr_array])
def test_sparse_matrices_by_their_content(make):
    dense = np.where(X > 0.5, X, 0.0)
    matrix = make(dense)
    assert fingerprint(matrix) == fingerprint(make(dense.copy()))
    assert fingerprint(make(changed(dense, (1, 1), 1.0))) != fingerprint(matrix)
    assert fingerprint(matrix).startswith(f"sparse {matrix.format} <f8 (50, 4), sha256 ")


def test_strings_objects_and_ragged_lists_are_read_by_content():
    labels = np.array(["cat", "dog", None], dtype=object)
    assert fingerprint(labels) == fingerprint(labels.copy())
    assert fingerprint(np.array(["cat", "dog", "eel"], dtype=object)) != fingerprint(labels)
    eval_set = [(X, np.zeros(50)), (X[:10], np.zeros(10))]
    assert fingerprint(eval_set) == fingerprint([(X.copy(), np.zeros(50)), (X[:10].copy(), np.zeros(10))])
    assert fingerprint(eval_set) != fingerprint([(changed(X), np.zeros(50)), (X[:10], np.zeros(10))])
    assert fingerprint({"b": 2, "a": X}) == fingerprint({"a": X, "b": 2})


def test_scalars_by_value():
    assert fingerprint(3) == "3" and fingerprint(np.float64(0.5)) == "<f8 0.5"
    assert fingerprint(np.bool_(True)) != fingerprint(np.int64(1))


class Opaque:
    """An array-like numpy cannot read (like an array of a foreign array API namespace)."""

    shape = (50, 4)
    dtype = "float64"

    def __array__(self, *args, **kwargs):
        raise TypeError("no numpy here")


def test_what_cannot_be_read_gets_a_described_weaker_fingerprint():
    text = fingerprint(Opaque())
    assert text == "test_fingerprint.Opaque shape (50, 4) dtype float64 (content not hashed)"
    assert fingerprint(object()) == "builtins.object (content not hashed)"


def test_a_frame_pandas_cannot_hash_gets_the_weaker_fingerprint():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"lists": [[1], [2]]})  # list cells: pandas' hash refuses them
    assert fingerprint(frame).endswith("shape (2, 1) (content not hashed)")
