"""The production stack's compose file: valid for Docker Compose, and shaped for scaling out."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def _compose_command() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def _config(path: Path) -> subprocess.CompletedProcess:
    command = _compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("docker compose / docker-compose is not installed: .ci/run installs docker-compose")
        pytest.skip("docker compose is not installed here")
    env = {**os.environ, "POSTGRES_PASSWORD": "check-only", "SECRET_KEY": "check-only"}
    return subprocess.run(
        [*command, "-f", str(path), "config", "-q"], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_docker_compose_validates_the_stack():
    done = _config(COMPOSE)
    assert done.returncode == 0, done.stderr


def test_docker_compose_refuses_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text(encoding="utf-8").replace("  web:\n", "  web:\n    ports: 8000\n", 1))
    assert _config(broken).returncode != 0


def test_the_stack_scales_web_and_worker_and_runs_one_beat():
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    assert {"nginx", "web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert "ports" not in services["web"]  # a fixed host port would stop --scale web=N
    assert services["beat"]["deploy"]["replicas"] == 1
    assert all(
        "healthcheck" in services[name] for name in ("nginx", "web", "worker", "beat", "postgres", "redis")
    )
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    volumes = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["volumes"]
    assert set(volumes) == {"pgdata", "redisdata", "media"}
