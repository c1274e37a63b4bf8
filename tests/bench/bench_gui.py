"""Cold start to first window shown: tokenlab vs a bare PySide6 QMainWindow (target <= 2x).

Each run is a fresh subprocess with a warm bytecode cache (as after installing); the clock
runs from spawning it until it prints that its window is shown (after one pass of Qt's event
queue, so the first frame is painted). Both sides are measured alternately in the same run, so
machine noise hits them equally. Prints the medians
and the ratio; exits 1 when the ratio is above the target.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 7
TARGET_RATIO = 2.0
PROBE_LINE = "tokenlab: window shown"

BASELINE = f"""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1200, 760)
window.show()
def shown():
    print({PROBE_LINE!r}, flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def _time_until_shown(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == PROBE_LINE:
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{args} never showed its window")
    proc.wait(timeout=30)
    return elapsed


def main() -> int:
    folder = tempfile.mkdtemp(prefix="tokenlab-bench-")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "TOKENLAB_CONFIG_DIR": os.path.join(folder, "config"),
        "TOKENLAB_DATA_DIR": os.path.join(folder, "data"),
        # as on a user's machine: bytecode cached after the first run (in a temporary folder)
        "PYTHONPYCACHEPREFIX": os.path.join(folder, "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_cmd = [sys.executable, "-m", "tokenlab", "--startup-probe", "--no-sandbox"]
    base_cmd = [sys.executable, "-c", BASELINE]
    _time_until_shown(app_cmd, env)  # warm the OS file cache for both (not counted)
    _time_until_shown(base_cmd, env)
    app_times, base_times = [], []
    for _ in range(RUNS):
        base_times.append(_time_until_shown(base_cmd, env))
        app_times.append(_time_until_shown(app_cmd, env))
    app_ms = statistics.median(app_times) * 1000
    base_ms = statistics.median(base_times) * 1000
    ratio = app_ms / base_ms
    print(
        f"bare QMainWindow: median {base_ms:.0f} ms  (runs: "
        + ", ".join(f"{t * 1000:.0f}" for t in base_times)
        + ")"
    )
    print(
        f"tokenlab window:  median {app_ms:.0f} ms  (runs: "
        + ", ".join(f"{t * 1000:.0f}" for t in app_times)
        + ")"
    )
    print(
        f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:.1f}x): "
        + ("ok" if ratio <= TARGET_RATIO else "TOO SLOW")
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
