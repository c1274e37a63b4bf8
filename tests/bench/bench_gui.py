"""Cold start to first paint: tokenlab vs a bare PySide6 QMainWindow (target <= 1.5x).

Each run is a fresh subprocess with a warm bytecode cache (as after installing); the clock runs from
spawning it until it prints that its window is shown (after one pass of Qt's event queue, so the
first frame is painted: menus, tab titles, status bar). tokenlab then builds and paints the current
tab's page and says so: that time is printed too, against the same baseline, for information. Both
sides are measured alternately in the same run, so machine noise hits them equally. Prints the
medians and the ratios; exits 1 when the first-paint ratio is above the target. Each side also
reports the CPU time it spent until its first paint: on a busy machine the wall-clock ratio swings
with the load, the CPU ratio much less (printed for information). The app is started as the
``tokenlab`` console script next to this Python when there is one (what a user runs), else ``python
-m tokenlab``; either way from this source tree.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15
TARGET_RATIO = 1.5
PROBE_LINE = "tokenlab: window shown"
READY_LINE = "tokenlab: first tab ready"
ROOT = Path(__file__).resolve().parents[2]
CPU = re.compile(r"\(cpu (\d+) ms\)")

BASELINE = f"""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1200, 760)
window.show()
def shown():
    import time
    print(f"{PROBE_LINE} (cpu {{time.process_time() * 1000:.0f}} ms)", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def _times(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from spawning ``args`` until it prints PROBE_LINE, and until READY_LINE (or
    PROBE_LINE again for the baseline, which has no tab); and its CPU seconds until PROBE_LINE."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    assert proc.stdout is not None
    seen: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for line in proc.stdout:
        name, _, _ = line.strip().partition(" (")
        seen.setdefault(name, time.perf_counter() - start)
        if match := CPU.search(line):
            cpu.setdefault(name, int(match.group(1)) / 1000)
    proc.wait(timeout=30)
    if PROBE_LINE not in seen:
        raise RuntimeError(f"{args} never showed its window")
    return seen[PROBE_LINE], seen.get(READY_LINE, seen[PROBE_LINE]), cpu[PROBE_LINE]


def _app_command() -> list[str]:
    script = Path(sys.executable).with_name("tokenlab")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "tokenlab"]


def _describe(label: str, times: list[float]) -> str:
    runs = ", ".join(f"{t * 1000:.0f}" for t in times)
    return f"{label} median {statistics.median(times) * 1000:4.0f} ms  (runs: {runs})"


def main() -> int:
    folder = tempfile.mkdtemp(prefix="tokenlab-bench-")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "TOKENLAB_CONFIG_DIR": os.path.join(folder, "config"),
        "TOKENLAB_DATA_DIR": os.path.join(folder, "data"),
        # as on a user's machine: bytecode cached after the first run (in a temporary folder)
        "PYTHONPYCACHEPREFIX": os.path.join(folder, "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_cmd = [*_app_command(), "--startup-probe", "--no-sandbox"]
    base_cmd = [sys.executable, "-c", BASELINE]
    _times(app_cmd, env)  # warm the OS file cache for both (not counted)
    _times(base_cmd, env)
    base_times, paint_times, ready_times, base_cpu, paint_cpu = [], [], [], [], []
    for _ in range(RUNS):
        base, _, cpu = _times(base_cmd, env)
        base_times.append(base)
        base_cpu.append(cpu)
        paint, ready, cpu = _times(app_cmd, env)
        paint_times.append(paint)
        ready_times.append(ready)
        paint_cpu.append(cpu)
    base = statistics.median(base_times)
    ratio = statistics.median(paint_times) / base
    print(_describe("bare QMainWindow:         ", base_times))
    print(_describe("tokenlab first paint:     ", paint_times))
    print(_describe("tokenlab first tab ready: ", ready_times))
    print(_describe("CPU, bare QMainWindow:    ", base_cpu))
    print(_describe("CPU, tokenlab first paint:", paint_cpu))
    verdict = "ok" if ratio <= TARGET_RATIO else "TOO SLOW"
    print(f"first paint ratio {ratio:.2f}x (target <= {TARGET_RATIO:.1f}x): {verdict}")
    print(f"first tab ready ratio {statistics.median(ready_times) / base:.2f}x (no target)")
    cpu_ratio = statistics.median(paint_cpu) / statistics.median(base_cpu)
    print(f"first paint CPU ratio {cpu_ratio:.2f}x (for information)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
