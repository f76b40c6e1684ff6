"""runstate.report without a browser: its values agree with summarize, its page is self-contained,
large inputs are sampled and said to be, and the extra is named when Plotly is missing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runstate
from runstate import Durations, Run, State
from runstate.report import html
from runstate.report._data import LABEL_SIZE, bucket_of, build
from runstate.report._figures import figures

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)


def run(run_id: str, state: State, start: datetime, minutes: float | None, **fields: object) -> Run:
    """A canonical run that started at ``start`` and, with ``minutes``, ended that much later."""
    end = None if minutes is None else start + timedelta(minutes=minutes)
    total = None if minutes is None else timedelta(minutes=minutes)
    fields.setdefault("provider", "glue")
    return Run(run_id=run_id, state=state, started_at=start, ended_at=end,
               durations=Durations(total=total), **fields)  # type: ignore[arg-type]  # fmt: skip


def known_runs() -> list[Run]:
    """Two jobs over two hours: a retried logical run (Glue names the first attempt in
    ``original_run_id``), two single successes, a failure with a message, and one still running."""
    return [
        run("jr_1", State.FAILED, T0, 5, job_id="load", reason="USER_ERROR", message="bad <input>"),
        run("jr_1_attempt_1", State.SUCCEEDED, T0 + timedelta(minutes=6), 4, job_id="load", attempt=1,
            original_run_id="jr_1", previous_run_id="jr_1"),
        run("jr_2", State.SUCCEEDED, T0 + timedelta(minutes=60), 3, job_id="load"),
        run("jr_3", State.SUCCEEDED, T0 + timedelta(minutes=10), 30, job_id="report"),
        run("jr_4", State.RUNNING, T0 + timedelta(minutes=70), None, job_id="report"),
    ]  # fmt: skip


def repaired_run() -> Run:
    """A Databricks job run repaired in place: ``repair_history`` lists the original run and the repair
    (epoch milliseconds, as the Jobs API gives them), and one task."""
    task = run("12", State.SUCCEEDED, T0, 10, provider="databricks", parent_run_id="11", name="extract")
    history = [
        {"type": "ORIGINAL", "start_time": 1772352000000, "end_time": 1772352600000},
        {"type": "REPAIR", "start_time": 1772355600000, "end_time": 1772359200000},
    ]
    end = T0 + timedelta(hours=2)
    details = {"repair_history": history}
    return Run(provider="databricks", run_id="11", state=State.SUCCEEDED, job_id="nightly", started_at=T0,
               ended_at=end, details=details, tasks=(task,))  # fmt: skip


def page_data(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="runstate-data">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    data: dict[str, object] = json.loads(found[1])
    return data


def test_the_page_embeds_summarize_exactly() -> None:
    runs = known_runs()
    data = page_data(html(runs, now=NOW))
    assert data["summary"] == runstate.summarize(runs, now=NOW).to_dict()


def test_each_bucket_is_the_summary_of_its_logical_runs_and_they_add_up() -> None:
    runs = known_runs()
    data = build(runs, now=NOW)
    assert data.bucket == "hour"
    assert data.bucket_starts == (T0, T0 + timedelta(hours=1))
    merged = data.bucket_summaries[0].merge(data.bucket_summaries[1])
    assert merged.to_dict() == runstate.summarize(runs, now=NOW).to_dict()
    load = next(s for s in data.series if s.key[-1] == "load")
    assert load.logical_success_rate == (1.0, 1.0)  # the retried run succeeded in the end
    assert load.p95_seconds == (300.0, 180.0)  # per attempt: the 5 and 4 minute attempts, then 3


def test_a_span_over_three_days_is_bucketed_by_day() -> None:
    runs = [run("a", State.SUCCEEDED, T0, 1), run("b", State.FAILED, T0 + timedelta(days=4), 1)]
    data = build(runs, now=NOW)
    assert data.bucket == "day" and data.bucket_starts == (
        bucket_of(T0, "day"),
        bucket_of(T0, "day") + timedelta(days=4),
    )


def test_retries_repairs_and_tasks_are_bars_of_their_own_kind() -> None:
    bars = build([*known_runs(), repaired_run()], now=NOW).bars
    kinds = [(b.row.split(" · ")[0], b.kind, b.state.value) for b in bars]
    assert ("load", "retry", "SUCCEEDED") in kinds and ("load", "run", "FAILED") in kinds
    assert [k[1] for k in kinds if k[0] == "nightly"] == ["repaired", "run", "task"]
    assert {k[2] for k in kinds if k[0] == "nightly"} == {"SUCCEEDED"}
    assert any(b.kind == "task" and b.row.endswith("/ extract") for b in bars)
    running = next(b for b in bars if b.state is State.RUNNING)
    assert running.end == NOW  # an active bar reaches the report's time


def test_hover_text_has_ids_state_reason_message_and_durations() -> None:
    bar = next(b for b in build(known_runs(), now=NOW).bars if b.state is State.FAILED)
    assert "run jr_1" in bar.hover and "state FAILED, reason USER_ERROR" in bar.hover
    assert "message: bad <input>" in bar.hover and "total 5m00s" in bar.hover


def test_the_page_is_self_contained_and_escapes_record_text() -> None:
    page = html(known_runs(), now=NOW, title="<b>runs</b>")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=https?:", page)  # nothing loaded from elsewhere
    assert "<title>&lt;b&gt;runs&lt;/b&gt;</title>" in page
    assert "bad <input>" not in page.split('id="runstate-data"')[0]  # escaped in hover and tables


def test_a_large_input_is_sampled_on_the_timeline_and_says_so() -> None:
    runs = [
        run(f"r{i}", State.SUCCEEDED, T0 + timedelta(minutes=i), 1, job_id=f"j{i % 30}") for i in range(300)
    ]
    page = html(runs, now=NOW, timeline=50, jobs=5)
    data = page_data(page)
    assert data["timeline"] == {"logical_runs": 300, "shown": 50, "bars": 50}
    assert "the latest 50 of 300 logical runs by start" in page
    assert "5 of 30 jobs drawn" in page
    assert data["summary"] == runstate.summarize(runs, now=NOW).to_dict()  # counted in full


def test_no_trigger_field_yet_is_said_on_the_page() -> None:
    page = html(known_runs(), now=NOW)
    assert page_data(page)["triggers"] is None
    assert "does not record a run's trigger yet" in page


def test_an_empty_history_makes_a_page() -> None:
    page = html([], now=NOW)
    assert "Nothing is running." in page and page_data(page)["timeline"] == {
        "logical_runs": 0,
        "shown": 0,
        "bars": 0,
    }


def test_a_naive_time_is_a_named_error() -> None:
    naive = Run(provider="glue", run_id="x", state=State.SUCCEEDED, started_at=datetime(2026, 1, 1))
    with pytest.raises(runstate.InvalidRecordError, match="timezone-aware"):
        html([naive], now=NOW)


@st.composite
def histories(draw: st.DrawFn) -> list[Run]:
    count = draw(st.integers(0, 25))
    states = st.sampled_from([State.SUCCEEDED, State.FAILED, State.RUNNING, State.CANCELED, State.QUEUED])
    return [
        run(f"r{i}", draw(states), T0 + timedelta(hours=draw(st.integers(0, 200))),
            draw(st.none() | st.floats(0, 600)), job_id=draw(st.sampled_from(["a", "b", None])))
        for i in range(count)
    ]  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(histories())
def test_buckets_always_add_up_to_the_summary(runs: list[Run]) -> None:
    data = build(runs, now=NOW)
    merged = runstate.Summary(data.summary.by)
    for summary in data.bucket_summaries:
        merged = merged.merge(summary)
    assert merged.to_dict() == data.summary.to_dict()


def test_without_plotly_the_error_names_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['plotly'] = None; sys.modules['plotly.io'] = None\n"
        "import runstate, runstate.report\n"
        "assert 'plotly' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "try:\n    runstate.report.html([])\nexcept ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "plotly is needed for runstate.report: pip install 'runstate[report]'"


def test_importing_runstate_does_not_import_plotly() -> None:
    code = "import sys, runstate, runstate.report; print('plotly' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def example_runs() -> list[Run]:
    """The bundled example of every provider, normalized as ``runstate report -p auto`` reads it."""
    runs: list[Run] = []
    for provider in runstate.REGISTRY.names():
        text = EXAMPLES.joinpath(f"{provider}.jsonl").read_text(encoding="utf-8")
        runs += runstate.normalize_lines(provider, text.splitlines(), keep_raw=False)
    return runs


EXAMPLES = resources.files("runstate").joinpath("examples")


def test_the_cli_reports_every_bundled_example_as_summarize_counts_them(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    files = [str(EXAMPLES.joinpath(f"{p}.jsonl")) for p in runstate.REGISTRY.names()]
    command = [sys.executable, "-m", "runstate", "report", "-p", "auto", *files, "-o", str(out),
               "--now", NOW.isoformat()]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    summary = runstate.summarize(example_runs(), now=NOW).to_dict()
    assert page_data(out.read_text(encoding="utf-8"))["summary"] == summary


def test_the_cli_names_the_extra_when_plotly_is_missing(tmp_path: Path) -> None:
    kept = tmp_path / "r.html"
    kept.write_text("last week's report", encoding="utf-8")
    code = (
        "import sys; sys.modules['plotly'] = None; sys.modules['plotly.io'] = None\n"
        "from runstate._cli.app import main\n"
        f"sys.exit(main(['report', '-p', 'glue', '--example', '-o', {str(kept)!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "pip install 'runstate[report]'" in done.stderr
    assert kept.read_text(encoding="utf-8") == "last week's report"


def test_a_report_that_fails_leaves_the_output_file_as_it_was(tmp_path: Path) -> None:
    kept = tmp_path / "report.html"
    kept.write_text("last week's report", encoding="utf-8")
    command = [sys.executable, "-m", "runstate", "report", "-p", "glue", str(tmp_path / "missing.jsonl"),
               "-o", str(kept)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 3 and "missing.jsonl" in done.stderr
    assert kept.read_text(encoding="utf-8") == "last week's report"
    where = tmp_path / "no such directory" / "report.html"
    command = [sys.executable, "-m", "runstate", "report", "-p", "glue", "--example", "-o", str(where)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 3 and "cannot write" in done.stderr  # still an I/O error, once built


def test_the_running_table_lists_the_longest_running_and_counts_the_rest() -> None:
    runs = [run(f"r{i}", State.RUNNING, T0 + timedelta(minutes=i), None, job_id="stream") for i in range(103)]
    page = html(runs, now=NOW)
    assert "3 more not listed." in page
    assert page.index(">r0<") < page.index(">r99<") and ">r102<" not in page  # the oldest first


def glue_record(run_id: str, message: str) -> str:
    """A failed GetJobRun JobRun (times in epoch seconds, as boto3's JSON gives them)."""
    start = T0.timestamp()
    record = {"Id": run_id, "Attempt": 0, "JobName": "load", "JobRunState": "FAILED",
              "StartedOn": start, "CompletedOn": start + 60, "ErrorMessage": message}  # fmt: skip
    return json.dumps(record)


def test_a_lone_surrogate_in_a_record_makes_a_page_that_is_utf8() -> None:
    # JSON may escape a lone surrogate ("\ud800"); json.loads keeps it, UTF-8 cannot hold it
    line = glue_record("jr_\ud800", "bad \udfff byte")
    assert "\\udfff" in line  # the record as JSON text, the surrogate escaped
    runs = list(runstate.normalize_lines("glue", [line], keep_raw=False))
    assert runs[0].message == "bad \udfff byte"
    page = html(runs, now=NOW)
    page.encode("utf-8")
    # Plotly writes its figure JSON with orjson where installed (raw UTF-8), else json (\u escapes)
    assert "bad \ufffd byte" in page or "bad \\ufffd byte" in page
    assert page_data(page)["summary"] == runstate.summarize(runs, now=NOW).to_dict()


def test_a_repair_time_past_the_year_9999_is_left_off_the_timeline() -> None:
    history = [{"type": "ORIGINAL", "start_time": 2**53 - 2, "end_time": 2**53 - 1},
               {"type": "REPAIR", "start_time": 1772355600000, "end_time": 1772359200000}]  # fmt: skip
    broken = attrs.evolve(repaired_run(), details={"repair_history": history})
    assert [b.kind for b in build([broken], now=NOW).bars] == ["run", "task"]
    last = 253402300799999  # 9999-12-31T23:59:59.999Z, the last millisecond a datetime holds
    history[0] = {"type": "ORIGINAL", "start_time": last, "end_time": last}
    edge = attrs.evolve(repaired_run(), details={"repair_history": history})
    assert [b.kind for b in build([edge], now=NOW).bars] == ["repaired", "run", "task"]


def test_the_same_job_and_run_id_in_two_namespaces_are_two_rows() -> None:
    runs = [
        run("jr_1", State.SUCCEEDED, T0, 5, job_id="load", namespace="111122223333/us-east-1"),
        run("jr_1", State.FAILED, T0, 7, job_id="load", namespace="444455556666/eu-west-1"),
        run("jr_1", State.FAILED, T0, 9, job_id="load", provider="databricks"),
        run("jr_2", State.FAILED, T0, 9, job_id="load"),
    ]
    data = build(runs, now=NOW)
    assert sorted(data.timeline_rows) == [
        "load · jr_1 (databricks · -)",
        "load · jr_1 (glue · 111122223333/us-east-1)",
        "load · jr_1 (glue · 444455556666/eu-west-1)",
        "load · jr_2",
    ]
    assert len({b.row for b in data.bars}) == 4


def test_long_ids_are_clipped_on_the_charts_and_stay_apart() -> None:
    runs = [run("r" * 5000 + str(i), State.SUCCEEDED, T0 + timedelta(minutes=i), 1,
                job_id="j" * 5000 + str(i % 2)) for i in range(4)]  # fmt: skip
    data = build(runs, now=NOW)
    assert len(data.timeline_rows) == 4 and all(len(r) <= LABEL_SIZE for r in data.timeline_rows)
    j, r = "j" * 19 + "…" + "j" * 17, "r" * 19 + "…" + "r" * 17
    assert data.timeline_rows[0] == f"{j}0 · {r}0"  # both ends of the ids: they differ there
    assert len({s.label for s in data.series}) == 2 and all(len(s.label) <= LABEL_SIZE for s in data.series)
    assert data.summary.to_dict() == runstate.summarize(runs, now=NOW).to_dict()  # the data keeps them whole


def test_record_text_is_never_plotly_markup() -> None:
    text = '<a href="https://example.com/">x</a><br><b>y</b>'
    runs = [run(text, State.FAILED, T0, 1, job_id=text, namespace=text, message=text)]
    figs = figures(build(runs, now=NOW))
    shown = [str(v) for f in figs.values() for t in f.data for v in [t.name, *(t.y or ())]]
    shown += [str(v) for v in figs["timeline"].layout.yaxis.categoryarray]
    assert all("<" not in v and "&lt;a href" in v for v in shown if "example" in v) and any(
        "example" in v for v in shown
    )


def test_a_time_in_the_year_1_is_drawn_there() -> None:
    # Go's zero time 0001-01-01T00:00:00Z is a common "unset" sentinel; Plotly reads only 4-digit years
    early = run("a", State.SUCCEEDED, datetime(1, 1, 1, tzinfo=UTC), 60)
    late = run("b", State.SUCCEEDED, datetime(9999, 12, 31, 22, tzinfo=UTC), 60)
    timeline = figures(build([early, late], now=NOW))["timeline"]
    assert list(timeline.data[0].base) == ["0001-01-01 00:00:00.000000", "9999-12-31 22:00:00.000000"]


def test_a_task_with_a_naive_time_is_a_named_error() -> None:
    task = Run(provider="databricks", run_id="12", state=State.RUNNING, started_at=datetime(2026, 3, 1, 9),
               parent_run_id="11")  # fmt: skip
    parent = Run(provider="databricks", run_id="11", state=State.RUNNING, started_at=T0, tasks=(task,))
    with pytest.raises(runstate.InvalidRecordError, match=r"run\.tasks\[0\]\.started_at.*timezone-aware"):
        html([parent], now=NOW)
