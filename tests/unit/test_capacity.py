"""The capacity plan's arithmetic (bench/capacity.py)."""

from bench import capacity


def test_replicas_follow_the_peak_and_never_drop_below_two():
    small, medium, large = capacity.plan(server_cpu_ms=30, actions_cpu_ms=5, server_rss_mb=900, actions_rss_mb=300)
    assert small["rasa_replicas"] == small["action_servers"] == 2  # 1.9 turns/s at the peak
    # 1M a day: 10M turns, 463 turns/s at 4x peak; 0.03 s each at 60% of a core -> 24 replicas
    assert round(large["peak_turns_per_s"]) == 463 and large["rasa_replicas"] == 24
    assert large["action_servers"] == 4
    assert large["cores"] == 28 and abs(large["memory_gb"] - (24 * 900 + 4 * 300) / 1024) < 1e-9
    assert small["peak_turns_per_s"] < medium["peak_turns_per_s"] < large["peak_turns_per_s"]


def test_the_table_has_a_row_per_daily_volume():
    lines = capacity.table(capacity.plan(30, 5, 900, 300))
    assert [line.split("|")[1].strip() for line in lines[-3:]] == ["10,000", "100,000", "1,000,000"]
