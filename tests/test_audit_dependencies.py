"""scripts/audit_dependencies.py: a vulnerability fails; a package that couldn't be checked says so.

The script runs as `make audit` does, with pip-audit stood in by a small program that prints the
JSON report pip-audit would (no vulnerability service is reachable from the test machine).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"

CHECKED = {"name": "django", "version": "5.2.19", "vulns": []}
SKIPPED = {
    "name": "asgiref",
    "skip_reason": "Dependency not found on PyPI and could not be audited: asgiref (3.13.0)",
}
VULNERABLE = {
    "name": "requests",
    "version": "2.0.0",
    "vulns": [{"id": "PYSEC-2023-74", "fix_versions": ["2.31.0"], "aliases": []}],
}


def fake_pip_audit(tmp_path: Path, *, stdout: str, stderr: str = "", status: int = 0) -> Path:
    program = tmp_path / "pip-audit"
    program.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.stdout.write({stdout!r})\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.exit({status})\n"
    )
    program.chmod(0o755)
    return program


def audit(tmp_path: Path, *extra: str, **pip_audit) -> tuple[int, str, str]:
    summary = tmp_path / "summary.txt"
    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(SCRIPT),
            "--requirement",
            "requirements.lock",
            "--summary",
            str(summary),
            "--pip-audit",
            str(fake_pip_audit(tmp_path, **pip_audit)),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.returncode, completed.stdout, summary.read_text()


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_every_dependency_checked_and_clean_passes(tmp_path):
    status, output, summary = audit(tmp_path, stdout=report(CHECKED))
    assert status == 0
    assert summary == "pip-audit: all 1 dependencies checked on pypi: no known vulnerability.\n"
    assert summary.strip() in output


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_a_known_vulnerability_fails_even_when_others_were_skipped(tmp_path, strict):
    status, output, summary = audit(
        tmp_path, *strict, stdout=report(SKIPPED, VULNERABLE, CHECKED), status=1
    )
    assert status == 1
    assert "requests 2.0.0: PYSEC-2023-74 (fixed in 2.31.0)" in output
    assert summary.startswith("pip-audit FAILED: 1 known vulnerabilities")


def test_an_unknown_package_is_said_in_one_line_and_the_run_goes_on(tmp_path):
    # pip-audit itself says "No known vulnerabilities found" here and exits 0.
    status, output, summary = audit(tmp_path, stdout=report(SKIPPED, CHECKED))
    assert status == 0
    assert output.strip().endswith(summary.strip())
    assert summary.count("\n") == 1
    assert summary.startswith("pip-audit: 1 dependencies NOT checked against a vulnerability")
    assert "PIP_AUDIT_STRICT=1" in summary


def test_an_unreachable_service_is_said_in_one_line_and_the_run_goes_on(tmp_path):
    status, output, summary = audit(
        tmp_path,
        stdout="",
        stderr="Traceback ...\nrequests.exceptions.ConnectionError: Failed to resolve\n",
        status=1,
    )
    assert status == 0
    assert "ConnectionError: Failed to resolve" in output
    assert summary.startswith("pip-audit: all dependencies NOT checked")


@pytest.mark.parametrize("stdout", [report(SKIPPED, CHECKED), ""])
def test_strict_mode_fails_on_anything_unchecked(tmp_path, stdout):
    status, _output, summary = audit(tmp_path, "--strict", stdout=stdout, status=0)
    assert status == 1
    assert "NOT checked" in summary
    assert "FAILED: strict mode" in summary
