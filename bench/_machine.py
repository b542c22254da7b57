"""Machine description for benchmark results (bench.md §6.2), shared by the bench scripts.

`machine()` returns the `machine` object every results file carries; `git_commit()` the commit
the numbers were measured at. Everything is collected from the running system (cpuinfo,
meminfo, `platform`, the mount table, `swift --version`); a value that cannot be determined is
`"unknown"`, never an error.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip()


def git_commit() -> str:
    """The current commit of the repository (with `-dirty` if the tree has changes)."""
    sha = _run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT)
    if not sha:
        return "unknown"
    status = _run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT)
    return f"{sha}-dirty" if status else sha


def _cpuinfo() -> tuple[str, bool]:
    model = platform.processor() or "unknown"
    hypervisor = False
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return model, hypervisor
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model in ("unknown", "", platform.machine()):
            model = value.strip()
        elif key == "flags" and "hypervisor" in value.split():
            hypervisor = True
    return model, hypervisor


def _memory_gib() -> float | str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return round(kib / (1024 * 1024), 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
        return round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip().strip('"')
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}"


def _filesystem(path: str) -> str:
    """Type of the filesystem holding `path`: the longest matching mount point in the table."""
    real = os.path.realpath(path)
    best, best_type = "", "unknown"
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        inside = real == mount or real.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, best_type = mount, parts[2]
    if best_type == "unknown":
        out = _run(["stat", "-f", "-c", "%T", real])
        if out:
            best_type = out
    return best_type


def _virtualized(hypervisor_flag: bool) -> tuple[bool | str, str]:
    """(virtualized, kind): kind names the hypervisor and/or container when known."""
    kinds: list[str] = []
    if shutil.which("systemd-detect-virt"):
        vm = _run(["systemd-detect-virt", "--vm"])
        container = _run(["systemd-detect-virt", "--container"])
        if vm and vm != "none":
            kinds.append(vm.upper() if vm in ("kvm", "qemu", "xen") else vm)
        if container and container != "none":
            kinds.append(container)
    if kinds:
        return True, ", ".join(kinds)
    if hypervisor_flag:
        return True, "hypervisor"
    if shutil.which("systemd-detect-virt"):
        return False, "none"
    return "unknown", "unknown"


def _swift_version() -> str:
    out = _run(["swift", "--version"])
    if not out:
        return "unknown"
    for line in out.splitlines():
        if "Swift version" in line:
            words = line.split()
            idx = words.index("version") if "version" in words else -1
            if 0 <= idx < len(words) - 1:
                return words[idx + 1]
            return line.strip()
    return out.splitlines()[0]


def _pyarrow_version() -> str:
    try:
        import pyarrow  # noqa: PLC0415 - optional: the machine line works without it
    except ImportError:
        return "unknown"
    return str(pyarrow.__version__)


def machine(build: str = "release") -> dict[str, Any]:
    """The `machine` object of bench.md §6.2 (plus `virtualization` and `arch` as detail)."""
    model, hypervisor_flag = _cpuinfo()
    virtualized, kind = _virtualized(hypervisor_flag)
    return {
        "cpu_model": model,
        "logical_cores": os.cpu_count() or "unknown",
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "kernel": platform.release(),
        "arch": platform.machine(),
        "filesystem": _filesystem(tempfile.gettempdir()),
        "virtualized": virtualized,
        "virtualization": kind,
        "swift_version": _swift_version(),
        "python_version": platform.python_version(),
        "pyarrow_version": _pyarrow_version(),
        "build": build,
    }


def machine_line(m: dict[str, Any]) -> str:
    """The one-line prose form used in reports."""
    virt = f", {m['virtualization']}" if m.get("virtualized") is True else ""
    return (
        f"{m['cpu_model']} ({m['logical_cores']} vCPU{virt}), {m['memory_gib']} GiB, "
        f"{m['os']}, {m['filesystem']}, Swift {m['swift_version']}, "
        f"Python {m['python_version']}, pyarrow {m['pyarrow_version']}, {m['build']}"
    )


if __name__ == "__main__":
    import json

    info = machine()
    print(json.dumps({"git_commit": git_commit(), "machine": info}, indent=2))
    print(machine_line(info))
