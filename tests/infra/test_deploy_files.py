"""The deployment files: every Kubernetes manifest is valid against the API schemas that
kubernetes-validate ships (strict: unknown fields are errors), and the stack keeps the rules
infra/README.md states — one beat, probes on the real health checks, resource requests, non-root
containers, migrations before the rollout, PgBouncer in session mode.

No container runtime runs here: the image is checked as a file, not built (infra/README.md says
what was verified where)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"
K8S = INFRA / "k8s"
KUBERNETES_VERSION = "1.33.0"


def _documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.name, doc))
    return docs


DOCUMENTS = _documents()
BY_KIND: dict[str, list[dict[str, Any]]] = {}
for _name, _doc in DOCUMENTS:
    BY_KIND.setdefault(_doc["kind"], []).append(_doc)
WORKLOADS = [*BY_KIND["Deployment"], *BY_KIND["Job"]]


def _named(kind: str, name: str) -> dict[str, Any]:
    return next(doc for doc in BY_KIND[kind] if doc["metadata"]["name"] == name)


@pytest.mark.parametrize(
    "doc", [doc for _name, doc in DOCUMENTS], ids=[f"{name}:{doc['kind']}" for name, doc in DOCUMENTS]
)
def test_every_manifest_is_valid_against_the_kubernetes_schema(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_broken_manifest_is_refused() -> None:
    """The check can fail: an unknown field and a wrong type are both errors."""
    deployment = yaml.safe_load(yaml.safe_dump(_named("Deployment", "relata-web")))
    deployment["spec"]["replica"] = 3
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = yaml.safe_load(yaml.safe_dump(_named("Deployment", "relata-web")))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_kustomize_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_beat_is_a_singleton_that_never_overlaps_in_a_rollout() -> None:
    beat = _named("Deployment", "relata-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert not any(hpa["spec"]["scaleTargetRef"]["name"] == "relata-beat" for hpa in BY_KIND["HorizontalPodAutoscaler"])


def test_web_probes_use_the_real_health_checks_and_web_and_workers_scale() -> None:
    web = _named("Deployment", "relata-web")["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    scaled = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa["spec"]["metrics"] for hpa in BY_KIND["HorizontalPodAutoscaler"]
    }
    assert scaled["relata-web"][0]["resource"]["name"] == "cpu"
    assert scaled["relata-worker"][0]["type"] == "External"
    deployments = {doc["metadata"]["name"] for doc in BY_KIND["Deployment"]}
    assert set(scaled) <= deployments
    budgets = {
        doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] for doc in BY_KIND["PodDisruptionBudget"]
    }
    assert budgets == {"relata-web", "relata-worker"}


@pytest.mark.parametrize("workload", WORKLOADS, ids=[doc["metadata"]["name"] for doc in WORKLOADS])
def test_every_container_requests_resources_and_runs_unprivileged(workload: dict[str, Any]) -> None:
    pod = workload["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    for container in pod["containers"]:
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["image"] == "relata"  # one image, its tag set by kustomization.yaml
        assert {"configMapRef": {"name": "relata-config"}} in container["envFrom"]


def test_migrations_run_as_a_job_on_the_shared_then_the_tenant_schemas() -> None:
    job = _named("Job", "relata-migrate")
    command = " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])
    assert command.index("--shared") < command.index("--tenant")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_the_compose_stack_has_every_part_and_pools_in_session_mode() -> None:
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    services = compose["services"]
    always = {name for name, service in services.items() if "profiles" not in service}
    assert always == {"postgres", "pgbouncer", "redis", "mail", "migrate", "web", "worker", "beat"}
    citus = {name for name, service in services.items() if "citus" in service.get("profiles", ())}
    assert citus == {"citus-coordinator", "citus-worker-1", "citus-worker-2", "citus-nodes", "citus-prepare"}
    assert "citus_prepare" in services["citus-prepare"]["command"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "session"
    assert "pgbouncer:6432" in services["web"]["environment"]["DATABASE_URL"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert " beat" in " ".join(services["beat"]["command"])
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_the_image_is_multi_stage_non_root_with_a_healthcheck_and_the_locked_dependencies() -> None:
    dockerfile = (INFRA / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) >= 3
    final = stages[-1]
    assert re.search(r"^USER 10001", final, flags=re.MULTILINE)
    assert "HEALTHCHECK" in final
    assert "/healthz" in final
    assert not re.search(r"apt-get install|build-essential|gcc|npm |uv sync", final)
    assert "uv sync --frozen" in dockerfile
    makefile = (INFRA.parent / "Makefile").read_text()
    uv_version = re.search(r"^UV_VERSION := (\S+)", makefile, flags=re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert f"uv=={uv_version}" in dockerfile
