from analysis.stats import wilson


def test_wilson_interval_is_sound_at_the_edges_and_for_small_groups():
    assert wilson(0, 0) == (0.0, 0.0)
    assert wilson(5, 10) == (0.2366, 0.7634)
    low, high = wilson(0, 10)
    assert low == 0.0
    assert 0.2 < high < 0.35
    assert wilson(20, 20)[1] == 1.0
