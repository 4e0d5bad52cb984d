"""A fixed set of searches gives the outputs kept on file before the redesign (issue 24).

``tests/golden/searches.py`` runs six searches (every resource, every policy,
random, Sobol, grid and Bayesian sampling, multimetric scoring, a store) and
keeps ``cv_results_`` (times aside), ``trials_``, ``best_*``, every store row
and the report's leaderboard, summary and page. Rewrite the file only for a
change that is meant to change results, and say so in the commit.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
import searches  # noqa: E402

pytestmark = pytest.mark.skipif(
    not searches.GOLDEN.exists(),
    reason=f"no golden file for this scikit-learn release ({searches.GOLDEN.name})",
)


@pytest.fixture(scope="module")
def outputs():
    return json.loads(json.dumps(searches.outputs(), sort_keys=True))


@pytest.fixture(scope="module")
def golden():
    return json.loads(searches.GOLDEN.read_text())


def test_the_same_searches_are_kept(outputs, golden):
    assert sorted(outputs) == sorted(golden)


@pytest.mark.parametrize("name", sorted(json.loads(searches.GOLDEN.read_text())) if searches.GOLDEN.exists() else [])
def test_outputs_match_the_golden_file(outputs, golden, name):
    for part in golden[name]:
        assert _same(outputs[name][part], golden[name][part]), f"{name}: {part} changed"


def _same(left, right):
    """Equal, numbers to 1e-9 relative (another CPU may round a last bit differently)."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    if isinstance(left, float) or isinstance(right, float):
        return isinstance(left, (int, float)) and isinstance(right, (int, float)) and left == pytest.approx(right, rel=1e-9, abs=1e-12)
    return left == right
