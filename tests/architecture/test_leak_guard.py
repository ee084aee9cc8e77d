"""The root conftest's guard really fails a test that leaves a thread or a child process running.

The guard is run for real: a copy of tests/conftest.py goes into a scratch folder with tests that leak on purpose,
and a separate pytest runs them, so the leaks never touch this session.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

LEAKY_TESTS = textwrap.dedent(
    """
    import pathlib, subprocess, threading, time

    def test_forgets_a_thread():
        threading.Thread(target=time.sleep, args=(1.2,), name="forgotten-runner").start()

    def test_forgets_a_process():
        child = subprocess.Popen(["sleep", "30"])
        pathlib.Path("leaked.pid").write_text(str(child.pid))

    def test_joins_late_but_within_grace():
        threading.Thread(target=time.sleep, args=(0.2,)).start()
        subprocess.run(["true"], check=True)

    def test_daemon_thread_is_not_a_leak():
        threading.Thread(target=time.sleep, args=(1.2,), daemon=True).start()

    def test_config_dir_is_a_scratch_folder():
        import os
        assert "shotline-test-config-" in os.environ["SHOTLINE_CONFIG_DIR"]
    """
)


def test_guard_fails_only_the_tests_that_leave_work_running(tmp_path: Path) -> None:
    conftest = ROOT_CONFTEST.read_text(encoding="utf-8")
    assert "LEAK_GRACE_SECONDS = 2.0" in conftest
    # A shorter grace keeps this test quick; the logic under test is unchanged.
    (tmp_path / "conftest.py").write_text(conftest.replace("LEAK_GRACE_SECONDS = 2.0", "LEAK_GRACE_SECONDS = 0.6"))
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    env = {k: v for k, v in os.environ.items() if k != "SHOTLINE_CONFIG_DIR"}
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-rA",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(tmp_path),
                "test_leaky.py",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        pid_file = tmp_path / "leaked.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
    report = done.stdout + done.stderr
    summary = re.findall(r"^(PASSED|ERROR|FAILED) test_leaky\.py::(\w+)", report, re.MULTILINE)
    by_test = {name: verdict for verdict, name in summary}
    assert by_test.get("test_forgets_a_thread") == "ERROR", report
    assert by_test.get("test_forgets_a_process") == "ERROR", report
    assert "thread 'forgotten-runner' is still running" in report
    assert re.search(r"child process \d+ \(sleep\) is still running", report), report
    assert by_test.get("test_joins_late_but_within_grace") == "PASSED", report
    assert by_test.get("test_daemon_thread_is_not_a_leak") == "PASSED", report
    assert by_test.get("test_config_dir_is_a_scratch_folder") == "PASSED", report
    assert done.returncode == 1, report
