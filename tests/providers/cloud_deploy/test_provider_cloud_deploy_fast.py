"""Cloud Deploy's fast path (``build``) gives what its careful path gives, for every record.

``build`` reads a plain REST JobRun itself and hands anything odd to ``careful_build``; these tests
prove the two agree (run, warnings, error, in both modes) on the fixtures, the bundled examples and
records fuzzed from them, and that the fast path really takes the plain records.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runstate._providers.cloud_deploy import job_runs as _cloud_deploy

from ...fastpath import assert_fast_path_taken, assert_same
from ...paths import FIXTURES

FIXTURES = FIXTURES / "cloud_deploy"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json") if p.stem != "list_job_runs_page")
EXAMPLES = [
    json.loads(line)
    for line in resources.files("runstate.examples").joinpath("cloud_deploy.jsonl").read_text().splitlines()
    if line.strip()
]
BASES = [json.loads((FIXTURES / f"{name}.json").read_text()) for name in CASES] + EXAMPLES
PLAIN = [b for b in BASES if b.get("state") not in (None, "STATE_UNSPECIFIED")]


def same(record: Any) -> None:
    assert_same(_cloud_deploy.build, _cloud_deploy.careful_build, "cloud_deploy", record)


@pytest.mark.parametrize("record", BASES, ids=range(len(BASES)))
def test_fixtures_and_examples_agree(record: dict[str, Any]) -> None:
    same(record)


@pytest.mark.parametrize("record", PLAIN, ids=range(len(PLAIN)))
def test_plain_records_take_the_fast_path(record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert_fast_path_taken(_cloud_deploy, "cloud_deploy", record, monkeypatch)


NAME = (
    "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/jobRuns/j",
    "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/jobRuns/",
    "projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/o/jobRuns/j/k",
    "projects/p/locations//deliveryPipelines/d/releases/r/rollouts/o/jobRuns/j",
    "projects/p/locations/l/pipelines/d/releases/r/rollouts/o/jobRuns/j",
    "jobRuns/j",
    "",
)
TIMES = (
    "2026-02-13T03:08:06.111111123Z",
    "2026-02-13T03:08:07Z",
    "2026-02-13T03:08:05.5Z",
    "2026-02-13T03:08:06+00:00",
    "2026-02-13T05:08:06+02:00",
    "2026-02-13T03:08:06",
    "2026-02-13T03:08:60Z",
    "2026-02-13 03:08:06.25z",
    "not a time",
    "",
    "9999-12-31T23:59:59.999999999Z",  # sentinels: a span over 100 years is reported, not kept
    "0001-01-01T00:00:00Z",
    datetime(2026, 2, 13, 3, 8, 6, tzinfo=UTC),
    datetime(2026, 2, 13, 3, 8, 6, tzinfo=timezone(timedelta(hours=1))),
    datetime(2026, 2, 13, 3, 8, 6),  # a naive time is odd input
)
CAUSES = (
    *{c for causes in _cloud_deploy.KNOWN_FAILURE_CAUSES.values() for c in causes},
    "NEW_CAUSE",
    1,
    99,
    "",
)
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 2**64),
    st.floats(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "state": (*_cloud_deploy.KNOWN_JOB_RUN_STATES, "NEW_STATE", 2, 17),
    "name": NAME,
    "uid": ("u-1", ""),
    "phaseId": ("stable", ""),
    "jobId": ("deploy", ""),
    "etag": ("e1", ""),
    "createTime": TIMES,
    "startTime": TIMES,
    "endTime": TIMES,
    "jobRuns": ([],),
    # JobRun.to_dict's proto spelling, alone or beside the REST one, and a Rollout's own keys
    "phase_id": ("stable", ""),
    "job_id": ("verify", ""),
    "start_time": TIMES[:2],
    "end_time": ("2026-02-13T03:08:07Z", "9999-12-31T23:59:59Z"),
    "targetId": ("prod",),
    "deploy_start_time": ("2026-02-13T03:08:07Z",),
}
SUB_KEYS = (
    *_cloud_deploy.SUB_TYPES,
    "analysisJobRun",
    "JobRun",
    "newJobRun",
    "deploy_job_run",
    "verify_job_run",
)
SUB_FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "failureCause": CAUSES,
    "failureMessage": ("it failed", ""),
    "build": ("projects/1/locations/l/builds/b",),
    "rollout": ("projects/p/locations/l/deliveryPipelines/d/releases/r/rollouts/child",),
    "failedCheckId": ("c1", ""),
    "customCheckAnalyses": ([{"id": "c1", "failureMessage": "too slow"}, 3],),
    "failure_cause": (3, "DEADLINE_EXCEEDED", "FAILURE_CAUSE_UNSPECIFIED"),
    "failure_message": ("timed out",),
}
FIELDS = {key: st.sampled_from(values) for key, values in FIELD_VALUES.items()}
SUB_FIELDS = {key: st.sampled_from(values) for key, values in SUB_FIELD_VALUES.items()}


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture or example with some fields replaced (by plausible or odd values) or removed."""
    record: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(BASES)))
    for key in draw(st.sets(st.sampled_from(sorted(record)), max_size=3)):
        del record[key]
    for key in draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=4)):
        record[key] = draw(st.one_of(FIELDS[key], ODD))
    sub_key = draw(st.one_of(st.none(), st.sampled_from(SUB_KEYS)))
    if sub_key is not None and draw(st.booleans()):
        fields = draw(st.sets(st.sampled_from(sorted(SUB_FIELDS)), max_size=4))
        record[sub_key] = {key: draw(st.one_of(SUB_FIELDS[key], ODD)) for key in fields}
    elif sub_key is not None:
        record[sub_key] = draw(ODD)
    return record


@given(records())
def test_fuzzed_records_agree(record: dict[str, Any]) -> None:
    same(record)


@given(st.sampled_from(BASES), st.sampled_from(SUB_KEYS))
def test_two_sub_types_agree(base: dict[str, Any], key: str) -> None:
    record = {**base, key: {"failureCause": "EXECUTION_FAILED"}}
    same(record)


@pytest.mark.parametrize("name", CASES)
def test_every_single_substitution_agrees(name: str) -> None:
    """Each plausible value of each field, alone, in each fixture (what a fuzzer may not reach)."""
    base = json.loads((FIXTURES / f"{name}.json").read_text())
    for key, values in FIELD_VALUES.items():
        for value in values:
            same({**base, key: value})
    sub_key = next((k for k in base if k in _cloud_deploy.SUB_TYPES), "deployJobRun")
    for key, values in SUB_FIELD_VALUES.items():
        for value in values:
            same({**base, sub_key: {**base.get(sub_key, {}), key: value}})
