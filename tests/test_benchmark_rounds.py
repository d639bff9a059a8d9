"""The benchmark's stage-to-ceiling shares come from each side's fastest round.

On a shared 2-core VM the same default run's summary stage took 77.7 s and 92.8 s half an
hour apart, so the benchmark measures the default run and CTranslate2 alone several times
in turns. These tests check the arithmetic on made-up round figures (no model runs here:
the figures themselves come from benchmarks/run.py).
"""

from __future__ import annotations

import pytest

from benchmarks import ceiling, report

TOKENS = 30_000


def _default(translation: float, summary: float, peak_mib: float, cpu: float = 1.9) -> dict:
    return {
        "written": 30,
        "failed": 0,
        "run_seconds": translation + summary + 5,
        "translation": {"seconds": translation, "cpu_seconds": translation * cpu},
        "summary": {"seconds": summary, "cpu_seconds": summary * cpu, "items": 30},
        "peak_rss_mb": peak_mib,
        "load_seconds": 2.0,
        "describe": {"num_beams": 4},
        "threads": 2,
    }


def _alone(translation: float, summary: float, cpu: float = 1.9) -> dict:
    return {
        "translation": {"seconds": translation, "cpu_seconds": translation * cpu,
                        "chunks_seconds": translation, "best": ["examples", 16, 2]},
        "summary": {"seconds": summary, "cpu_seconds": summary * cpu,
                    "best": ["examples", 2, 2]},
        "peak_rss_mb": 1500.0,
    }  # fmt: skip


def _report(rounds: list[dict]) -> dict:
    return {
        "workload": {"source_tokens": TOKENS},
        "results": {"default": _default(70, 100, 900)},
        "ceiling": _alone(66, 75),
        "rounds": rounds,
    }


def test_each_side_s_fastest_round_stands_and_the_peak_is_the_highest():
    data = _report(
        [
            {"default": _default(64, 80, 1000), "ceiling": _alone(63, 78)},
            {"default": _default(75, 90, 950), "ceiling": _alone(60, 72)},
        ]
    )
    metrics = report.compute(data)
    ceiling = metrics["ceiling"]
    assert ceiling["rounds"] == 3
    assert ceiling["summary_of_ceiling"] == pytest.approx(72 / 80)
    assert ceiling["translation_of_ceiling"] == pytest.approx(60 / 64)
    assert ceiling["summary_of_ceiling_cpu"] == pytest.approx(72 / 80)
    assert ceiling["tokens_per_s"] == pytest.approx(TOKENS / 60)
    assert metrics["default"]["peak_rss_mb"] == pytest.approx(1000 * report.MB)
    # The default row's rates stay the first round's, as every peer's single run.
    assert metrics["default"]["tokens_per_s"] == pytest.approx(TOKENS / 70)


def test_a_round_that_failed_on_either_side_is_left_out():
    data = _report(
        [
            {"default": _default(10, 10, 5000), "ceiling": {"error": "exit status 1"}},
            {"default": {"error": "exit status 1"}, "ceiling": _alone(1, 1)},
        ]
    )
    ceiling = report.compute(data)["ceiling"]
    assert ceiling["rounds"] == 1
    assert ceiling["summary_of_ceiling"] == pytest.approx(75 / 100)
    assert report.compute(data)["default"]["peak_rss_mb"] == pytest.approx(900 * report.MB)


def test_the_report_says_every_round_s_figures():
    data = _report([{"default": _default(64, 80, 1000), "ceiling": _alone(63, 78)}])
    note = report._rounds_note(report.measured_rounds(data))
    assert "measured 2 times" in note
    assert "Summary stage s: default 100.0, 80.0; alone 75.0, 78.0" in note
    assert "round by round: 0.75, 0.97" in note


def test_the_summary_share_within_memory_uses_each_round_s_fitting_layout():
    def fitted(alone: dict, seconds: float) -> dict:
        alone["summary"]["fitting"] = {
            "setting": ["examples", 1, 2], "seconds": seconds, "cpu_seconds": seconds * 1.9
        }  # fmt: skip
        return alone

    data = _report([{"default": _default(64, 80, 1000), "ceiling": fitted(_alone(63, 60), 76)}])
    fitted(data["ceiling"], 74)
    ceiling = report.compute(data)["ceiling"]
    assert ceiling["summary_of_ceiling"] == pytest.approx(60 / 80)
    assert ceiling["summary_of_fitting"] == pytest.approx(74 / 80)
    assert ceiling["fitting_setting"] == ["examples", 1, 2]
    assert "within the memory target 74.0, 76.0" in report._rounds_note(
        report.measured_rounds(data)
    )


def test_windows_at_once_counts_every_worker_s_share():
    assert ceiling.windows_at_once(("examples", 2, 2)) == 4
    assert ceiling.windows_at_once(("examples", 1, 2)) == 2
    assert ceiling.windows_at_once(("tokens", 2048, 2)) == 4
    assert ceiling.windows_at_once(("examples", 4, 1)) == 4
    assert ceiling.windows_at_once(("tokens", 1024, 2)) == 2


def test_the_sweep_also_runs_its_best_fitting_layout_on_everything(monkeypatch):
    # The sample's ranking (seconds per setting) and what each costs on everything.
    on_sample = {("examples", 2, 2): 1.0, ("tokens", 2048, 2): 1.1, ("examples", 1, 2): 1.3,
                 ("examples", 1, 1): 2.0}  # fmt: skip
    calls = []

    def decode_all(_ct2, _model, sources, _settings, setting, _threads):
        calls.append((len(sources), setting))
        return (on_sample[setting] * (10 if len(sources) > 2 else 1), 1.0)

    monkeypatch.setattr(ceiling, "decode_all", decode_all)
    sources = [[str(i)] * (i + 1) for i in range(5)]
    out = ceiling.sweep(None, None, sources, None, list(on_sample), 2, 2,
                        fits=lambda s: ceiling.windows_at_once(s) <= 2)  # fmt: skip
    assert out["best"] == ["examples", 2, 2]
    assert out["fitting"]["setting"] == ["examples", 1, 2]
    assert out["fitting"]["seconds"] == pytest.approx(13.0)
    assert (5, ("examples", 1, 2)) in calls  # run on everything, not taken from the sample


def test_the_main_workload_s_scaling_point_is_its_median_round():
    first, second, third = _default(60, 70, 900), _default(75, 85, 1000), _default(80, 95, 950)
    data = _report(
        [
            {"default": second, "ceiling": _alone(63, 78)},
            {"default": third, "ceiling": _alone(1, 1)},
        ]
    )
    data["results"]["default"] = first
    data["scaling"] = [
        {"documents": 10, "words": 7000, "result": _default(40, 50, 900)},
        {"documents": 30, "words": 14000, "result": first},  # reused, as benchmarks/run.py does
    ]
    rows = report.scaling_rows(data)
    assert rows[0]["seconds"] == pytest.approx(95)
    assert rows[1]["seconds"] == second["run_seconds"]  # not the first (fastest) round
    assert rows[1]["peak_rss_mb"] == pytest.approx(1000 * report.MB)


def test_a_fitting_layout_among_the_finalists_is_not_run_again(monkeypatch):
    on_sample = {("examples", 2, 2): 1.0, ("tokens", 1024, 2): 1.1, ("examples", 1, 1): 2.0}
    calls = []

    def decode_all(_ct2, _model, sources, _settings, setting, _threads):
        calls.append((len(sources), setting))
        return (on_sample[setting] * (10 if len(sources) > 2 else 1), 1.0)

    monkeypatch.setattr(ceiling, "decode_all", decode_all)
    sources = [[str(i)] * (i + 1) for i in range(5)]
    out = ceiling.sweep(None, None, sources, None, list(on_sample), 2, 2,
                        fits=lambda s: ceiling.windows_at_once(s) <= 2)  # fmt: skip
    assert out["fitting"] == {"setting": ["tokens", 1024, 2], "seconds": 11.0, "cpu_seconds": 1.0}
    assert calls.count((5, ("tokens", 1024, 2))) == 1  # once, as a finalist
