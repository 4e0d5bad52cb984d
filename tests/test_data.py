"""Row indexing in the workers: kept memory maps and seeded epoch gathers."""

import numpy as np
import pytest

from hdsearch import _data
from hdsearch._data import TrainingFold, reuse_mapping


@pytest.fixture(autouse=True)
def no_kept_maps():
    _data._MAPPINGS.clear()
    yield
    _data._MAPPINGS.clear()


@pytest.fixture
def data_file(tmp_path):
    values = np.arange(60, dtype=np.float64).reshape(20, 3)
    path = tmp_path / "X.dat"
    values.tofile(path)
    return path, values


def fresh_map(path, mode="r"):
    return np.memmap(path, dtype=np.float64, mode=mode, shape=(20, 3))


def test_two_fresh_maps_of_one_file_give_the_same_kept_map(data_file):
    path, values = data_file
    first, second = reuse_mapping(fresh_map(path)), reuse_mapping(fresh_map(path))
    assert first is second
    np.testing.assert_array_equal(first, values)


def test_the_kept_map_is_not_the_callers_own(data_file):
    # joblib's map must stay collectable, so that joblib can delete its files.
    path, _ = data_file
    given = fresh_map(path)
    assert reuse_mapping(given) is not given


def test_a_map_whose_file_is_gone_is_dropped_at_the_next_call(data_file):
    path, values = data_file
    kept = reuse_mapping(fresh_map(path))
    path.unlink()
    (values + 1).tofile(path)
    again = reuse_mapping(fresh_map(path))
    assert again is not kept
    np.testing.assert_array_equal(again, values + 1)
    assert len(_data._MAPPINGS) == 1


def test_a_map_whose_file_is_gone_is_dropped_even_when_plain_arrays_follow(data_file):
    path, values = data_file
    reuse_mapping(fresh_map(path))
    path.unlink()
    assert reuse_mapping(values) is values
    assert not _data._MAPPINGS


@pytest.mark.parametrize("mode", ["c", "r+"])
def test_writable_maps_are_returned_as_they_are(data_file, mode):
    path, _ = data_file
    given = fresh_map(path, mode)
    assert reuse_mapping(given) is given


def test_views_and_plain_arrays_are_returned_as_they_are(data_file):
    path, values = data_file
    view = fresh_map(path)[5:]
    assert reuse_mapping(view) is view
    assert reuse_mapping(values) is values
    assert reuse_mapping(None) is None


def test_no_map_is_kept_where_mapped_files_cannot_be_deleted(data_file, monkeypatch):
    path, _ = data_file
    monkeypatch.setattr(_data, "_CAN_KEEP_MAPS", False)
    given = fresh_map(path)
    assert reuse_mapping(given) is given


def test_maps_over_the_size_limit_are_not_kept(data_file, monkeypatch):
    path, _ = data_file
    monkeypatch.setattr(_data, "_MAX_MAPPED_BYTES", 100)
    given = fresh_map(path)
    assert reuse_mapping(given) is given
    assert not _data._MAPPINGS


def test_shuffled_gathers_the_fold_rows_in_the_given_order():
    X = np.arange(30, dtype=np.float64).reshape(10, 3)
    y = np.arange(10) * 10
    train = np.array([1, 3, 5, 7, 9])
    fold = TrainingFold(X, y, train, {"sample_weight": np.arange(10) / 10})
    order = np.array([4, 0, 3, 1, 2])
    X_epoch, y_epoch, params = fold.shuffled(order)
    np.testing.assert_array_equal(X_epoch, X[train[order]])
    np.testing.assert_array_equal(y_epoch, y[train[order]])
    np.testing.assert_array_equal(params["sample_weight"], (np.arange(10) / 10)[train[order]])


@pytest.mark.parametrize(
    "indices",
    [np.array([4, 0, 2]), np.array([1, 3], dtype=np.uint32), np.array([-1, 0]), np.array([], dtype=int),
     np.array([True, False, True, False, True]), [3, 1]],
    ids=["int", "uint", "negative", "empty", "mask", "list"],
)
def test_take_rows_gives_what_indexing_gives(data_file, indices):
    mapped = fresh_map(data_file[0])[:5]
    for values in (mapped, np.asarray(mapped).copy(), np.arange(5), np.array(list("abcde"), dtype=object)):
        rows = _data.take_rows(values, indices)
        expected = np.asarray(values)[np.asarray(indices)]
        assert type(rows) is np.ndarray  # a memmap's rows are a plain array, as with values[indices]
        assert rows.dtype == expected.dtype and rows.shape == expected.shape
        np.testing.assert_array_equal(rows, expected)


def test_take_rows_out_of_bounds_raises_index_error():
    with pytest.raises(IndexError):
        _data.take_rows(np.zeros((3, 2)), np.array([0, 3]))


@pytest.mark.parametrize(
    "estimator, resource",
    [
        ("sgd", "partial_fit"),
        ("hgb", "warm_start"),
        ("forest", "subsample"),
        ("forest", "folds"),
    ],
)
def test_every_resource_works_on_arrays_the_workers_get_as_read_only_maps(estimator, resource):
    # Data over joblib's max_nbytes (1 MB) reaches loky workers memory-mapped, read-only.
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import SGDClassifier

    from hdsearch import HyperDriveSearchCV, choice
    from hdsearch.policy import HalvingPolicy
    from hdsearch.resource import PartialFit, Subsample, WarmStart

    X, y = make_classification(n_samples=40_000, n_features=4, random_state=0)
    weights = np.ones(len(y))
    assert X.nbytes > 1e6
    estimators = {
        "sgd": (SGDClassifier(random_state=0), {"alpha": choice(1e-4, 1e-2)}),
        "hgb": (HistGradientBoostingClassifier(early_stopping=False, random_state=0), {"max_depth": choice(2, 3)}),
        "forest": (RandomForestClassifier(n_estimators=5, random_state=0), {"max_depth": choice(2, 3)}),
    }
    resources = {
        "partial_fit": PartialFit(max_epochs=3),
        "warm_start": WarmStart("max_iter", 2, 6, step=2),
        "subsample": Subsample(10_000, factor=2),
        "folds": "folds",
    }
    model, space = estimators[estimator]
    search = HyperDriveSearchCV(
        model, space, resource=resources[resource], policy=HalvingPolicy(factor=2), sampling="grid",
        cv=3, n_jobs=2, random_state=0, error_score="raise",
    ).fit(X, y, sample_weight=weights)
    assert set(search.cv_results_["status"]) <= {"completed", "terminated"}
    assert np.isfinite(search.best_score_)
