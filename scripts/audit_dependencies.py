"""Check every pinned dependency against a vulnerability database with pip-audit.

    scripts/audit_dependencies.py --requirement requirements.lock [--service pypi|osv]
                                  [--strict] [--summary FILE]

A known vulnerability always fails (exit 1), with each one listed. A dependency that could not be
checked (the service can't be reached, or doesn't know the package) is different: nothing was
found because nothing was asked. By default the run goes on and says so in one plain line, also
written to FILE so that `make test` can repeat it at the very end of its output; with --strict,
for a CI that reaches the service, it fails.

pip-audit's own "No known vulnerabilities found" is printed even when it skipped every package,
so its JSON report is read instead: each dependency there either has its vulnerabilities listed
or a reason it was skipped.
"""

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Audit:
    checked: int = 0
    skipped: list[str] = field(default_factory=list)
    vulnerabilities: list[str] = field(default_factory=list)
    failure: str = ""  # why pip-audit gave no report at all


def run_pip_audit(pip_audit: str, requirement: str, service: str) -> Audit:
    command = [
        pip_audit,
        "--requirement",
        requirement,
        "--no-deps",
        "--disable-pip",
        "--vulnerability-service",
        service,
        "--progress-spinner",
        "off",
        "--format",
        "json",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        return Audit(failure=lines[-1] if lines else f"pip-audit exited {completed.returncode}")
    return read_report(report)


def read_report(report: dict) -> Audit:
    audit = Audit()
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            audit.skipped.append(name)
            continue
        audit.checked += 1
        for vulnerability in dependency.get("vulns", []):
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version yet"
            audit.vulnerabilities.append(f"{name}: {vulnerability['id']} (fixed in {fixed})")
    return audit


def verdict(audit: Audit, *, service: str, strict: bool) -> tuple[int, str]:
    """The exit status and the one line that says what the audit proved."""
    if audit.vulnerabilities:
        return 1, (
            f"pip-audit FAILED: {len(audit.vulnerabilities)} known vulnerabilities in the "
            "pinned dependencies (listed above): upgrade them in pyproject.toml, then make lock."
        )
    unchecked = len(audit.skipped) if not audit.failure else "all"
    if audit.failure or audit.skipped:
        words = (
            f"pip-audit: {unchecked} dependencies NOT checked against a vulnerability database "
            f"({service} could not be reached or did not know them)"
        )
        if strict:
            return 1, f"{words}. FAILED: strict mode (PIP_AUDIT_STRICT=1)."
        return 0, f"{words}; make test PIP_AUDIT_STRICT=1 fails on this."
    checked = f"all {audit.checked} dependencies checked on {service}"
    return 0, f"pip-audit: {checked}: no known vulnerability."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirement", required=True)
    parser.add_argument("--service", default="pypi", choices=["pypi", "osv"])
    parser.add_argument("--strict", action="store_true", help="fail when anything is unchecked")
    parser.add_argument("--summary", type=Path, help="also write the verdict's line here")
    parser.add_argument("--pip-audit", default=str(Path(sys.executable).parent / "pip-audit"))
    args = parser.parse_args(argv)

    audit = run_pip_audit(args.pip_audit, args.requirement, args.service)
    for line in audit.vulnerabilities:
        print(f"  {line}")
    if audit.failure:
        print(f"pip-audit could not run its checks: {audit.failure}")
    status, line = verdict(audit, service=args.service, strict=args.strict)
    print(line)
    if args.summary:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(line + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
