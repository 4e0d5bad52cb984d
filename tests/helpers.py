"""Assertions shared by the tests."""

import numpy as np


def timing_free(cv_results):
    """``cv_results_`` without the keys that hold times."""
    return {k: v for k, v in cv_results.items() if "time" not in k}


def assert_same_cv_results(left, right):
    """Every key but the times is equal, in the same order."""
    left, right = timing_free(left), timing_free(right)
    assert list(left) == list(right)
    for key in left:
        if key == "params":
            assert left[key] == right[key]
        else:
            np.testing.assert_array_equal(np.asarray(left[key]), np.asarray(right[key]), key)
