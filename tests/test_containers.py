"""Dockerfile and compose.yaml, checked by reading (no Docker engine runs here): compose.yaml
against the Compose specification's own JSON schema, both against what the code expects."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from app.cli import main as registry
from tests.conftest import ROOT

CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")


def validate_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    result = validate_compose(ROOT / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    # The validator does reject what the specification does not allow.
    broken = tmp_path / "compose.yaml"
    broken.write_text((ROOT / "compose.yaml").read_text().replace("healthcheck:", "helthcheck:"))
    assert validate_compose(broken).returncode != 0


def test_compose_runs_app_database_and_scheduler_as_the_code_expects() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "app", "scheduler"}
    db, app, scheduler = services["db"], services["app"], services["scheduler"]

    # PostgreSQL: a pinned image, its data on a volume, a health check the app waits for.
    assert re.fullmatch(r"postgres:\d+\.\d+-\w+", db["image"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"

    # The app reads its secrets as settings files (SECRETS_DIR=/run/secrets in the image).
    targets = {s["target"] for s in app["secrets"]}
    assert targets == {"DATABASE_PASSWORD", "SCHEDULER_TOKEN"}
    assert ":" not in app["environment"]["DATABASE_URL"].split("@")[0].split("//")[1]  # no password
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"

    # The scheduler: same image, the token from the same secret, a command the CLI knows.
    assert scheduler["image"] == app["image"]
    assert [s["target"] for s in scheduler["secrets"]] == ["SCHEDULER_TOKEN"]
    command = scheduler["command"]
    assert command[:2] == ["registry", "scheduler"]
    assert "http://app:8000" in command
    assert scheduler["healthcheck"] == {"disable": True}
    try:
        registry([*command[1:], "--help"])
    except SystemExit as exit_:  # argparse exits after printing help: the arguments parsed
        assert exit_.code == 0
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    assert "secrets/" in (ROOT / ".gitignore").read_text().splitlines()


def test_dockerfile_is_multi_stage_pinned_and_non_root() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    base = next(line for line in lines if line.startswith("ARG PYTHON_IMAGE="))
    assert re.fullmatch(r"ARG PYTHON_IMAGE=python:3\.\d+\.\d+-slim-\w+", base)
    stages = [line for line in lines if line.startswith("FROM ")]
    assert stages == ["FROM ${PYTHON_IMAGE} AS build", "FROM ${PYTHON_IMAGE} AS runtime"]
    final = lines[lines.index(stages[1]) :]
    # No compilers or build tools are installed in the final stage, and it runs as a user.
    assert not any(re.search(r"apt-get|gcc|build-essential", line) for line in final)
    users = [line for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("USER root", "USER 0")
    assert any("SECRETS_DIR=/run/secrets" in line for line in final)
    assert any(line.startswith("HEALTHCHECK") for line in final)
    assert "registry migrate" in final[-1]
    # Every file the build copies from the context exists, and none is kept out by .dockerignore.
    ignored = (ROOT / ".dockerignore").read_text().split()
    for line in lines:
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") not in ignored, source
