"""Negative tests of the C ABI (c-abi.md §11 N1–N37; §4.5 S1–S6, A1–A11).

Each group of `negative_cases.py` runs in its own child process (a Swift trap would kill the
process: the exit code is asserted 0 and the case that was running is named). Every case is
then checked here on its own: the status, a readable last-error message read on the calling
thread right after the call, and the ownership rules (input moved and released exactly once,
outputs untouched).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest

from archetype._abi import NativeLibrary

import cdata_helpers as h
import negative_cases as nc


@dataclass
class GroupRun:
    proc: subprocess.CompletedProcess[str]
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: str | None = None  # the case started last without a result (a crash)


_runs: dict[str, GroupRun] = {}


def run_group(group: str) -> GroupRun:
    if group not in _runs:
        proc = subprocess.run(
            [sys.executable, str(h.TESTS_DIR / "negative_cases.py"), group],
            capture_output=True,
            text=True,
            timeout=600,
            env=h.child_env(),
            cwd=str(h.TESTS_DIR),
            check=False,
        )
        run = GroupRun(proc)
        for line in proc.stdout.splitlines():
            if line.startswith("START "):
                run.running = line[len("START ") :]
            elif line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
                run.results[result["case"]] = result
                run.running = None
        _runs[group] = run
    return _runs[group]


@pytest.mark.parametrize("group", nc.groups())
def test_group_process_survives(lib: NativeLibrary, group: str) -> None:
    run = run_group(group)
    assert run.proc.returncode == 0, (
        f"group {group}: child died while running case {run.running!r}: "
        + h.describe_exit(run.proc)
    )
    expected = {c.name for c in nc.CASES.values() if c.group == group}
    assert set(run.results) == expected


@pytest.mark.parametrize("name", sorted(nc.CASES))
def test_case(lib: NativeLibrary, name: str) -> None:
    c = nc.CASES[name]
    run = run_group(c.group)
    if name not in run.results:
        pytest.fail(
            f"no result: the child process of group {c.group} died "
            f"(while running {run.running!r}): {h.describe_exit(run.proc)}"
        )
    r = run.results[name]
    assert not [x for x in r["checks"] if x.startswith("harness error")], r["checks"]
    assert r["status"] == c.expected, (
        f"status {r['status']} ({lib.status_name(r['status'])}), expected {c.expected} "
        f"({lib.status_name(c.expected)}); message: {r['message']!r}"
    )
    assert r["checks"] == [], r["checks"]
    if c.expected == 0:
        return
    message = r["message"]
    if c.diagnostic:
        # A diagnostic neither sets nor clears the calling thread's last error (c-abi.md §5).
        assert message is None, f"the diagnostic {c.function} set the last error: {message!r}"
        return
    assert message, "no last-error message after a failing call"
    assert "\n" not in message, "messages are one line"
    assert len(message.encode()) <= 4096
    assert "\ufffd" not in message, "the message is not valid UTF-8"
    if c.exact_message is not None:
        assert message == c.exact_message
    else:
        assert message.startswith(f"{c.function}: "), (
            f"message does not have the form '<function>: <detail>': {message!r}"
        )
