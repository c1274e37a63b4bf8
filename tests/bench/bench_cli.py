"""Whole-process ``tokenlab inspect TOKEN`` vs a plain Python script decoding the same token
with pyjwt (target <= 1.5x).

Each run is a fresh process with a warm bytecode cache (as after installing), timed from spawn
to exit. Both sides run alternately in the same run, so machine noise hits them equally. Prints
the medians and the ratio; exits 1 when the ratio is above the target. The command is the
``tokenlab`` console script next to this Python when there is one (what a user runs), else
``python -m tokenlab``; either way it runs this source tree (put first on PYTHONPATH).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 11
TARGET_RATIO = 1.5
ROOT = Path(__file__).resolve().parents[2]
# an Ably JWT as a server would mint it (HS256, kid = key name, Ably claims)
TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFwcElkLmtleUlkIn0."
    "eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwieC1hYmx5LWNsaWVudElkIjoiYWxpY2UifQ."
    "n1cZL5Y9gEa1b2vJrL4Vv8mYbq0o3yF7n9ZCk2s5d4Q"
)
BASELINE = """
import sys
import jwt
token = sys.argv[1]
print(jwt.get_unverified_header(token))
print(jwt.decode(token, options={"verify_signature": False}))
"""


def tokenlab_command() -> list[str]:
    script = Path(sys.executable).with_name("tokenlab")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "tokenlab"]


def time_run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1) or not result.stdout:  # 1: the token has findings
        raise RuntimeError(f"{args[:2]} failed ({result.returncode}): {result.stderr}")
    return elapsed


def describe(label: str, times: list[float]) -> str:
    runs = ", ".join(f"{t * 1000:.0f}" for t in times)
    return f"{label} median {statistics.median(times) * 1000:.0f} ms  (runs: {runs})"


def main() -> int:
    folder = tempfile.mkdtemp(prefix="tokenlab-bench-cli-")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
        "TOKENLAB_CONFIG_DIR": os.path.join(folder, "config"),
        "TOKENLAB_DATA_DIR": os.path.join(folder, "data"),
        # as on a user's machine: bytecode cached after the first run (in a temporary folder)
        "PYTHONPYCACHEPREFIX": os.path.join(folder, "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_cmd = [*tokenlab_command(), "inspect", TOKEN]
    base_cmd = [sys.executable, "-c", BASELINE, TOKEN]
    time_run(app_cmd, env)  # warm the caches for both (not counted)
    time_run(base_cmd, env)
    app_times, base_times = [], []
    for _ in range(RUNS):
        base_times.append(time_run(base_cmd, env))
        app_times.append(time_run(app_cmd, env))
    ratio = statistics.median(app_times) / statistics.median(base_times)
    print(describe("pyjwt decode script:   ", base_times))
    print(describe("tokenlab inspect TOKEN:", app_times))
    verdict = "ok" if ratio <= TARGET_RATIO else "TOO SLOW"
    print(f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:.1f}x): {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
