"""How fast runstate normalizes run history, as ratios to ``json.loads`` of the same records.

Usage::

    python benchmarks/bench.py [--records 100000] [--rounds 5] [--json results.json] [--stream 1000000]

For each provider it generates realistic records (seeded variations of the bundled examples),
then measures in one process with interleaved rounds, reporting medians:

* ``normalize/json.loads``: per-record cost of ``runstate.normalize(provider, dict)`` over the cost of
  ``json.loads(line)`` of the same record (at most 1.0);
* ``end-to-end/json.loads``: ``normalize(provider, json.loads(line))`` over ``json.loads(line)``;
* ``normalize_lines, one call``: the whole input through one ``runstate.normalize_lines`` generator
  (str or UTF-8 bytes lines; msgspec first when installed, or forced onto the json decoder);
* the floor rows: the canonical objects alone, built from precomputed values (:func:`build_floor`),
  and msgspec's generic and typed decoders alone;
* memory per canonical run, without and with ``raw`` (tracemalloc, retained bytes per run);
* with ``--stream N``: peak memory of ``normalize_many`` over N generated Databricks records,
  against the peak over N/10, to show it does not grow with the count.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import attrs

import runstate

PROVIDERS = ("databricks", "glue", "cloud_deploy")
ID_KEYS = {"run_id", "Id", "uid", "original_attempt_run_id"}
EPOCH_MS_KEYS = {"start_time", "end_time"}
EPOCH_S_KEYS = {"StartedOn", "CompletedOn", "LastModifiedOn"}
ISO_KEYS = {"createTime", "startTime", "endTime"}


def templates(provider: str) -> list[dict[str, Any]]:
    """The bundled example records of a provider."""
    text = resources.files("runstate").joinpath("examples", f"{provider}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _shift_iso(text: str, offset: timedelta) -> str:
    moved = datetime.fromisoformat(text) + offset
    return moved.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "123Z")


def _vary(value: Any, rng: random.Random, offset: int, ids: dict[Any, Any] | None = None) -> Any:
    """``value`` with new ids and times shifted by ``offset`` seconds. One new id per old id within a
    record (``ids``), so the relations a record states stay true: a first attempt's
    ``original_attempt_run_id`` is still its own ``run_id``, a task listing itself is still itself."""
    ids = {} if ids is None else ids
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ID_KEYS and isinstance(item, int):
                out[key] = ids.setdefault(item, item + rng.randrange(1, 10**9))
            elif key in ID_KEYS and isinstance(item, str):
                out[key] = ids.setdefault(item, f"{item[:-8]}{rng.randrange(16**8):08x}")
            elif key in EPOCH_MS_KEYS and isinstance(item, int) and item > 0:
                out[key] = item + offset * 1000
            elif key in EPOCH_S_KEYS and isinstance(item, int | float):
                out[key] = item + offset
            elif key in ISO_KEYS and isinstance(item, str):
                out[key] = _shift_iso(item, timedelta(seconds=offset))
            else:
                out[key] = _vary(item, rng, offset, ids)
        return out
    if isinstance(value, list):
        return [_vary(v, rng, offset, ids) for v in value]
    return value


def generate(provider: str, count: int, seed: int = 20261123) -> Iterator[dict[str, Any]]:
    """``count`` realistic records: the examples with new ids and times shifted by up to a year."""
    rng = random.Random(seed)
    base = templates(provider)
    for _ in range(count):
        yield _vary(copy.deepcopy(rng.choice(base)), rng, rng.randrange(-365 * 86400, 0))


def _cpu_streamed(fn: Callable[[Any], object], inputs: list[Any]) -> float:
    """CPU time of a loop that feeds each input to ``fn`` and drops the result, GC on, as real code runs."""
    clock = time.process_time
    start = clock()
    for item in inputs:
        fn(item)
    return clock() - start


def pipelines(provider: str) -> dict[str, tuple[Callable[[Any], object], bool]]:
    """Pipeline name to (function, takes the parsed dict rather than the line)."""
    from peers import PEERS  # benchmarks/ is on sys.path when the script runs

    normalize, loads = runstate.normalize, json.loads
    result: dict[str, tuple[Callable[[Any], object], bool]] = {
        "json.loads": (loads, False),
        "normalize(dict)": (lambda d: normalize(provider, d), True),
        "json.loads + normalize": (lambda line: normalize(provider, loads(line)), False),
    }
    lines_api = getattr(runstate, "normalize_lines", None)
    if lines_api is not None:
        result["normalize_lines (raw kept)"] = (lambda line: next(lines_api(provider, (line,))), False)
    try:
        import orjson

        result["orjson.loads + normalize"] = (lambda line: normalize(provider, orjson.loads(line)), False)
    except ImportError:
        pass
    try:
        import msgspec

        decode = msgspec.json.Decoder().decode
        result["msgspec.json decode + normalize"] = (lambda line: normalize(provider, decode(line)), False)
        result["msgspec.json decode alone (the raw dict)"] = (decode, False)
        from peers import msgspec_peer

        result["msgspec typed decode alone (the peer's Structs)"] = (msgspec_peer(provider, True), False)
    except ImportError:
        pass
    for name, factory in PEERS.items():
        try:
            result[name] = (factory(provider), False)
        except ImportError:
            continue
    return result


_FLOOR_TIMES = ("created_at", "started_at", "ended_at", "updated_at")
_FLOOR_BUILDERS: dict[tuple[tuple[str, ...], tuple[str, ...]], Callable[..., runstate.Run]] = {}


def floor_parts(run: runstate.Run, fresh: bool = True) -> tuple[Any, ...]:
    """What building ``run`` takes once every field is read, checked and mapped: a builder that
    passes exactly the fields ``run`` sets (as a provider's ``make_run`` call does), their plain
    values, epoch seconds for its times, the items of its durations and details, its tasks' parts.
    ``fresh=False``: the run's own datetimes and ``Durations`` are passed as they are (only the
    ``Run`` and its ``Details`` are built), a bound no cache of shared times or durations can beat."""
    fields = [f.name for f in attrs.fields(runstate.Run)][2:]
    names = tuple(n for n in fields if n in ("state", "durations") or _set(getattr(run, n)))
    built = (*_FLOOR_TIMES, "durations") if fresh else ()
    plain = tuple(getattr(run, n) for n in names if n not in (*built, "tasks", "details"))
    d = run.durations
    return (
        _floor_builder(names, built),
        run.provider,
        run.run_id,
        plain,
        tuple(getattr(run, n).timestamp() for n in names if n in built and n in _FLOOR_TIMES),
        (d.queue, d.setup, d.execution, d.cleanup, d.total, d.missing),
        tuple(floor_parts(task, fresh) for task in run.tasks),
        dict(run.details),
    )


def _set(value: object) -> bool:
    return value is not None and value != 0 and not (isinstance(value, tuple | Mapping) and not value)


def _floor_builder(names: tuple[str, ...], built: tuple[str, ...]) -> Callable[..., runstate.Run]:
    """``make_run`` called with these keywords spelled out (a call through ``**`` would cost more);
    the ``built`` times and durations are made in the call, the other fields passed as they are."""
    if (names, built) not in _FLOOR_BUILDERS:
        args, plain, times = [], 0, 0
        for name in names:
            if name not in built and name not in ("tasks", "details"):
                args.append(f"{name}=plain[{plain}]")
                plain += 1
            elif name in _FLOOR_TIMES:
                args.append(f"{name}=_ts(epochs[{times}], _UTC)")
                times += 1
            elif name == "durations":
                args.append("durations=make_durations(*durations)")
            elif name == "tasks":
                args.append("tasks=tuple(map(build_floor, tasks))")
            else:
                args.append("details=freeze_details(details)")
        code = (
            "def build(provider, run_id, plain, epochs, durations, tasks, details):\n"
            f"    return make_run(provider, run_id, {', '.join(args)})\n"
        )
        from runstate.provider_kit import freeze_details, make_durations, make_run

        scope = {"_ts": datetime.fromtimestamp, "_UTC": UTC, "build_floor": build_floor}
        scope |= {"make_run": make_run, "make_durations": make_durations, "freeze_details": freeze_details}
        exec(code, scope)
        _FLOOR_BUILDERS[names, built] = scope["build"]  # type: ignore[assignment]
    return _FLOOR_BUILDERS[names, built]


def build_floor(parts: tuple[Any, ...]) -> runstate.Run:
    """The canonical objects of one record built from :func:`floor_parts`, nothing read or checked:
    the cost no reader of any provider can go below while ``normalize`` returns this model (a
    ``Run`` per run and task, its ``Durations``, ``Details`` and UTC datetimes; ``raw`` is kept as
    given, which costs nothing)."""
    run: runstate.Run = parts[0](*parts[1:])
    return run


def _cpu_bulk(fn: Callable[[list[Any]], Iterable[object]], inputs: list[Any]) -> float:
    """CPU time of one call over all inputs whose results a loop consumes and drops, GC on."""
    clock = time.process_time
    start = clock()
    for _ in fn(inputs):
        pass
    return clock() - start


def bulk_pipelines(provider: str) -> dict[str, tuple[Callable[[list[Any]], Iterable[object]], bool]]:
    """Pipelines fed the whole input in one call, as the CLI and normalize_batches use them.

    Name to (function over the list of lines, takes UTF-8 bytes rather than str). The rows marked
    ``json decoder`` force the pure-json path, i.e. the fallback used when msgspec is not installed.
    """
    lines_api = getattr(runstate, "normalize_lines", None)
    if lines_api is None:
        return {}
    from runstate._tables import lines as _lines

    def forced_json(keep_raw: bool) -> Callable[[list[Any]], Iterable[object]]:
        return lambda lines: _lines.iter_lines(
            runstate.REGISTRY, provider, lines, False, keep_raw, None, None
        )

    fast = "msgspec" if _lines.FAST_DECODE is not None else "json (msgspec missing)"
    return {
        f"normalize_lines, one call, str lines ({fast})": (lambda lines: lines_api(provider, lines), False),
        f"normalize_lines, one call, bytes lines ({fast})": (lambda lines: lines_api(provider, lines), True),
        "normalize_lines, one call, str lines (json decoder)": (forced_json(True), False),
        f"normalize_lines, one call, bytes lines, no raw ({fast})": (
            lambda lines: lines_api(provider, lines, keep_raw=False),
            True,
        ),
        "normalize_lines, one call, bytes lines, no raw (json decoder)": (forced_json(False), True),
    }


FLOOR = "canonical objects alone (every value precomputed, nothing read)"
"""The row of :func:`build_floor`: a lower bound for ``normalize(dict)`` with this model."""
FLOOR_SHARED = "the same, times and Durations shared (only Run and Details built)"
"""The row of ``build_floor`` over ``floor_parts(run, fresh=False)``: the lowest bound."""


def measure_speed(provider: str, records: int, rounds: int) -> dict[str, Any]:
    """Median CPU time per record of each pipeline, streamed with GC on, in units of json.loads."""
    lines = [json.dumps(r) for r in generate(provider, records)]
    dicts = [json.loads(line) for line in lines]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", runstate.RunstateWarning)  # the generated records must be clean
        for d in dicts[:1000]:
            runstate.normalize(provider, d)
    chosen = pipelines(provider)
    bulk = bulk_pipelines(provider)
    byte_lines = [line.encode("utf-8") for line in lines]
    runs = [runstate.normalize(provider, d) for d in dicts]
    floors = {FLOOR: [floor_parts(r) for r in runs], FLOOR_SHARED: [floor_parts(r, False) for r in runs]}
    del runs
    times: dict[str, list[float]] = {name: [] for name in [*chosen, *bulk, *floors]}
    names = list(times)
    for round_ in range(rounds):  # interleaved and rotated, so drift hits every pipeline alike
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            if name in floors:
                times[name].append(_cpu_streamed(build_floor, floors[name]))
                continue
            if name in bulk:
                run_all, takes_bytes = bulk[name]
                times[name].append(_cpu_bulk(run_all, byte_lines if takes_bytes else lines))
                continue
            fn, takes_dict = chosen[name]
            times[name].append(_cpu_streamed(fn, dicts if takes_dict else lines))
    per_record = {name: statistics.median(t) / records for name, t in times.items()}
    floor = per_record["json.loads"]
    return {
        "record_bytes": statistics.mean(len(line) for line in lines[:1000]),
        "json_loads_us": floor * 1e6,
        "us": {name: v * 1e6 for name, v in per_record.items()},
        "ratio": {name: v / floor for name, v in per_record.items()},
    }


def measure_memory(provider: str, count: int = 5000) -> dict[str, float]:
    lines = [json.dumps(r) for r in generate(provider, count, seed=7)]
    results = {}
    for keep_raw in (False, True):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        runs = [runstate.normalize(provider, json.loads(line), keep_raw=keep_raw) for line in lines]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        results["bytes_per_run_with_raw" if keep_raw else "bytes_per_run_without_raw"] = (
            after - before
        ) / len(runs)
        del runs
    return results


def measure_stream(count: int) -> dict[str, float]:
    """Peak traced memory of normalize_many over count and count/10 records (keep_raw=False)."""
    peaks = {}
    for n in (count // 10, count):
        gc.collect()
        tracemalloc.start()
        consumed = 0
        for _ in runstate.normalize_many("databricks", generate("databricks", n, seed=3), keep_raw=False):
            consumed += 1
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert consumed == n
    small, large = count // 10, count
    return {"records": large, "peak_bytes": peaks[large], "peak_bytes_at_tenth": peaks[small]}


def machine() -> dict[str, str]:
    import attrs
    import cattrs

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "runstate": runstate.__dict__.get("__version__", "0.1.0"),
        "attrs": attrs.__version__,
        "cattrs": getattr(cattrs, "__version__", "?"),
    }


def measure_cli(provider: str, count: int, rounds: int) -> dict[str, float]:
    """Lines per CPU second of ``runstate normalize`` / ``summary`` against a json.loads+dumps loop.

    Each command runs as a subprocess on a file of ``count`` generated lines, writing to /dev/null;
    the CPU time of the same command on an empty file (interpreter start-up and imports) is
    subtracted, so the figure is the per-line throughput a long file sees.
    """
    import os
    import resource
    import subprocess
    import tempfile

    floor_code = (
        "import json,sys\n"
        "with open(sys.argv[1], encoding='utf-8') as f, open(os.devnull, 'w') as out:\n"
        "    for line in f: out.write(json.dumps(json.loads(line)) + '\\n')\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{provider}.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            for record in generate(provider, count, seed=11):
                out.write(json.dumps(record) + "\n")
        commands = {
            "json.loads + json.dumps": [sys.executable, "-c", "import os\n" + floor_code, path],
            "runstate normalize": [sys.executable, "-m", "runstate", "normalize", "-p", provider, path],
            "runstate summary": [sys.executable, "-m", "runstate", "summary", "-p", provider, path],
        }
        empty = os.path.join(tmp, "empty.jsonl")
        open(empty, "w").close()

        def cpu_of(command: list[str]) -> float:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():  # the start-up cost (an empty file) is not per line
                cpu[name].append(cpu_of(command) - cpu_of([*command[:-1], empty]))
    return {name: count / statistics.median(t) for name, t in cpu.items()}


def _print_speed(results: dict[str, Any]) -> None:
    providers = list(results["providers"])
    print("CPU time per record in units of json.loads of the same record (streamed, GC on):")
    print()
    print("| pipeline (JSON line to canonical run) | " + " | ".join(providers) + " |")
    print("| --- |" + " ---: |" * len(providers))
    names: list[str] = []
    for r in results["providers"].values():
        names += [n for n in r["ratio"] if n not in names]
    for name in names:
        cells = [
            f"{r['ratio'][name]:.2f}" if name in r["ratio"] else "n/a" for r in results["providers"].values()
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(
        "| (json.loads us per record) | "
        + " | ".join(f"{r['json_loads_us']:.2f}" for r in results["providers"].values())
        + " |"
    )
    print()
    print("| provider | record bytes | bytes/record retained (no raw) | bytes/record retained (raw) |")
    print("| --- | ---: | ---: | ---: |")
    for provider, r in results["providers"].items():
        print(
            f"| {provider} | {r['record_bytes']:.0f} | {r['bytes_per_run_without_raw']:.0f} | "
            f"{r['bytes_per_run_with_raw']:.0f} |"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--stream", type=int, default=0, metavar="N", help="check normalize_many over N records"
    )
    parser.add_argument(
        "--cli", type=int, default=0, metavar="N", help="CLI lines/s over N generated lines per provider"
    )
    parser.add_argument("--providers", nargs="*", default=list(PROVIDERS))
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "machine": machine(),
        "records": args.records,
        "rounds": args.rounds,
        "providers": {},
    }
    for provider in args.providers:
        results["providers"][provider] = {
            **measure_speed(provider, args.records, args.rounds),
            **measure_memory(provider),
        }
    if args.cli:
        results["cli"] = {p: measure_cli(p, args.cli, min(args.rounds, 3)) for p in args.providers}
    if args.stream:
        results["stream"] = measure_stream(args.stream)

    print(f"runstate benchmark: {args.records} records per provider, median of {args.rounds} rotated rounds")
    print(f"Python {results['machine']['python']} on {results['machine']['machine']}")
    print()
    _print_speed(results)
    if args.cli:
        print()
        print(f"CLI over {args.cli} generated lines, lines per CPU second (median of {min(args.rounds, 3)}):")
        print()
        print("| provider | json.loads + json.dumps | normalize | share | summary | share |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for provider, c in results["cli"].items():
            floor = c["json.loads + json.dumps"]
            print(
                f"| {provider} | {floor:,.0f} | {c['runstate normalize']:,.0f} | "
                f"{c['runstate normalize'] / floor:.0%} | {c['runstate summary']:,.0f} | "
                f"{c['runstate summary'] / floor:.0%} |"
            )
    if args.stream:
        s = results["stream"]
        print()
        print(
            f"normalize_many over {s['records']} Databricks records: peak {s['peak_bytes'] / 1e6:.1f} MB "
            f"(over {s['records'] // 10}: {s['peak_bytes_at_tenth'] / 1e6:.1f} MB)"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
