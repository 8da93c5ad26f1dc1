"""didbook.permutation_gap_test: numbers computed by hand on tiny examples."""

import numpy as np
import pytest

import didbook


def test_gap_and_null_support_by_hand():
    # groups a = {1, 2}, b = {3, 4}: gap -2; the 6 splits give gaps -2, -1, 0, 0, 1, 2
    res = didbook.permutation_gap_test([1, 2, 3, 4], ["a", "a", "b", "b"], [1, 2, 3, 4], n_draws=3000, seed=5)
    assert res.estimate == -2.0
    assert res.means == {"a": 1.5, "b": 3.5}
    assert set(np.round(res.null_distribution, 12)) <= {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert abs(res.p_value - 1 / 3) < 0.03  # exact permutation p-value: 2 of 6 splits
    assert np.isnan(res.conf_low) and np.isnan(res.conf_high)


def test_strata_keep_labels_within_stratum():
    # strata {1, 2} and {3, 4}, one unit of each group per stratum: 4 splits, gaps -1, 0, 0, 1
    res = didbook.permutation_gap_test(
        [1, 2, 3, 4], ["a", "b", "a", "b"], [1, 2, 3, 4], strata=[1, 1, 2, 2], n_draws=4000, seed=2
    )
    assert res.estimate == -1.0
    assert set(np.round(res.null_distribution, 12)) <= {-1.0, 0.0, 1.0}
    assert abs(res.p_value - 0.5) < 0.03


def test_observations_weighted_equally_and_groups_order():
    # unit 1 has two observations (1 and 3), unit 2 one (5): mean a = 2, mean b = 5
    res = didbook.permutation_gap_test([1, 3, 5], ["a", "a", "b"], ["u1", "u1", "u2"], groups=("b", "a"), n_draws=50)
    assert res.estimate == 3.0
    # the only other split swaps the labels: gap 2 - 5 = -3, so |gap*| = 3 always and p = 1
    assert res.p_value == 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="two values"):
        didbook.permutation_gap_test([1, 2, 3], ["a", "b", "c"], [1, 2, 3])
    with pytest.raises(ValueError, match="constant within each unit"):
        didbook.permutation_gap_test([1, 2, 3], ["a", "b", "b"], [1, 1, 2])
    with pytest.raises(ValueError, match="n_draws"):
        didbook.permutation_gap_test([1, 2], ["a", "b"], [1, 2], n_draws=0)
