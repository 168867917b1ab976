"""The Kubernetes manifests name every service the code has, probe the endpoints the code
serves, and harden every pod. Rendered with kustomize (kubectl) like `make k8s-validate`."""

import re
import subprocess

import pytest
import yaml

from scripts.k8s_services import SERVICES
from shared.service import EventSourcedService
from tests.conftest import ROOT

K8S = ROOT / "deploy/k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
VALIDATOR = ROOT / ".venv-k8s/bin/kubernetes-validate"


def render(overlay):
    subprocess.run(["bash", str(ROOT / "scripts/k8s_dev_secrets.sh")], check=True,
                   capture_output=True)
    out = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)],
                         check=True, capture_output=True, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


@pytest.fixture(scope="module", params=OVERLAYS)
def objects(request):
    return render(request.param)


def workloads(objects):
    return [o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "Job")]


def test_every_service_of_the_code_has_a_deployment():
    in_code = {p.parent.name for p in (ROOT / "services").glob("*/service.py")}
    assert in_code == set(SERVICES)
    script = (ROOT / "scripts/services.sh").read_text()
    for name, (cls, _) in SERVICES.items():
        assert f"[{name}]={cls}" in script
        service = getattr(__import__(f"services.{name}.service", fromlist=[cls]), cls)
        assert issubclass(service, EventSourcedService) or all(
            hasattr(service, endpoint) for endpoint in ("healthz", "readyz", "prometheus"))


def test_deployments_run_each_service_and_probe_its_own_endpoints(objects):
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES)
    for name, (cls, _) in SERVICES.items():
        pod = deployments[name]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert container["args"] == ["--config", f"services/{name}/config.yaml",
                                     f"services.{name}.service:{cls}"]
        assert (ROOT / f"services/{name}/config.yaml").exists()
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert container["ports"][0]["containerPort"] == 8000
        assert pod["terminationGracePeriodSeconds"] >= 30


def test_the_probed_paths_are_served_by_every_service():
    import inspect

    from nameko.web.handlers import HttpRequestHandler

    from services.assessment.service import AssessmentService
    from services.equipment.service import EquipmentService
    from services.registry.service import RegistryService
    from services.reporting.service import ReportingService
    from services.training.service import TrainingService

    for service in (RegistryService, TrainingService, EquipmentService, AssessmentService,
                    ReportingService):
        served = {(entrypoint.method, entrypoint.url)
                  for _, method in inspect.getmembers(service, inspect.isfunction)
                  for entrypoint in getattr(method, "nameko_entrypoints", ())
                  if isinstance(entrypoint, HttpRequestHandler)}
        for endpoint in ("/healthz", "/readyz", "/metrics"):
            assert ("GET", endpoint) in served, (service.name, endpoint)
    assert "WEB_SERVER_ADDRESS=0.0.0.0:8000" in (ROOT / "Containerfile").read_text()


def test_every_pod_is_hardened_and_bounded(objects):
    for workload in workloads(objects):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert {"cpu", "memory"} <= set(container["resources"]["limits"])


def test_credentials_come_only_from_secrets(objects):
    for workload in workloads(objects):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            for env in container.get("env", []):
                if re.search(r"PASSWORD|KEY|URI", env["name"]):
                    assert "secretKeyRef" in env["valueFrom"], env["name"]
    tracked = subprocess.run(["git", "ls-files", "deploy/k8s"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith(".env")]


def test_the_schema_validator_rejects_a_broken_manifest(tmp_path):
    if not VALIDATOR.exists():
        pytest.fail("run `make k8s-validate` first: it installs the validator")
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                      "spec: {replicas: two, selector: {}, template: {}}\n")
    result = subprocess.run([str(VALIDATOR), "--strict", "-k", "1.30.0", str(broken)],
                            capture_output=True, text=True)
    assert result.returncode != 0


def test_generated_service_manifests_are_fresh():
    result = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "scripts.k8s_services",
                             "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
