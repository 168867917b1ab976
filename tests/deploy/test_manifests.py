"""The Kubernetes manifests name every service the code has, probe the endpoints the code
serves, harden every pod, and connect each service as its own broker user, whom the
in-cluster broker knows with its password from that user's Secret. Rendered with kustomize
(kubectl) like `make k8s-validate`."""

import base64
import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml

from scripts.k8s_broker import ADMIN, OUT, principals, secret_of
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
        for container in pod["containers"] + pod.get("initContainers", []):
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


# ---------------------------------------------------------------- the broker's users
# The hash suffix of a kustomize-generated name: ten of these, no vowels (so "-assessment"
# is never taken for one).
GENERATED = re.compile(r"-[bcdfghkmt245-9]{10}$")


def secret_name(reference):
    """A Secret's name as the manifests give it, without a generator's hash suffix."""
    return GENERATED.sub("", reference)


def secrets_of(objects):
    return {secret_name(o["metadata"]["name"]): {k: base64.b64decode(v).decode()
                                                for k, v in o.get("data", {}).items()}
            for o in objects if o["kind"] == "Secret"}


def test_every_service_connects_as_its_own_broker_user(objects):
    secrets = secrets_of(objects)
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        name = deployment["metadata"]["name"]
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        [ref] = [e["valueFrom"]["secretKeyRef"] for e in container["env"]
                 if e["name"] == "AMQP_URI"]
        assert (secret_name(ref["name"]), ref["key"]) == (f"baqylau-amqp-{name}", "uri")
        if secrets:  # dev: generated here, so the URI itself can be read
            uri = urlsplit(secrets[f"baqylau-amqp-{name}"]["uri"])
            assert (uri.username, uri.hostname) == (name, "rabbitmq")
            assert uri.password == secrets[f"baqylau-amqp-{name}"]["password"]


def test_the_in_cluster_broker_loads_every_principal_with_the_generated_permissions(objects):
    brokers = [o for o in objects if o["kind"] == "StatefulSet"
               and o["metadata"]["name"] == "rabbitmq"]
    if not brokers:
        pytest.skip("this overlay's broker is managed: its operator loads the definitions")
    pod = brokers[0]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    # Each user's password file comes from that user's own Secret, key `password`.
    files = {item["path"]: (secret_name(source["secret"]["name"]), item["key"])
             for source in volumes["passwords"]["projected"]["sources"]
             for item in source["secret"]["items"]}
    users = [ADMIN, *principals()]
    assert files == {user: (secret_of(user), "password") for user in users}
    # The definitions loaded are the committed ones, which name every user.
    [source] = [o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"]
                == volumes["definitions-source"]["configMap"]["name"]]
    committed = (OUT / "definitions.json").read_text()
    assert source["data"]["definitions.json"] == committed
    assert [u["name"] for u in json.loads(committed)["users"]] == users
    # The init container writes them where rabbitmq.conf tells RabbitMQ to read them.
    [init] = pod["initContainers"]
    [broker] = pod["containers"]
    written = init["command"][-1]
    mounts = {m["name"]: m["mountPath"] for m in broker["volumeMounts"]}
    [config] = [o for o in objects if o["kind"] == "ConfigMap"
                and o["metadata"]["name"] == "rabbitmq-config"]
    local_path = re.search(r"^definitions\.local\.path = (\S+)$",
                           config["data"]["rabbitmq.conf"], re.M)[1]
    assert local_path == mounts["definitions"] + "/" + written.rsplit("/", 1)[1]
    assert not [e for e in broker.get("env", []) if e["name"].startswith("RABBITMQ_DEFAULT")]
    if secrets_of(objects):  # dev: every broker user has its generated Secret
        assert {secret_of(user) for user in users} <= set(secrets_of(objects))


def test_no_password_is_in_git_nor_outside_a_secret(objects):
    secrets = secrets_of(objects)
    values = {v for data in secrets.values() for k, v in data.items() if k == "password"}
    # Every file git would commit (tracked, or new and not ignored).
    committable = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                                  "deploy", "scripts"], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.split()
    for path in committable:
        text = (ROOT / path).read_text(errors="replace")
        assert not [v for v in values if v in text], path
    for obj in objects:
        if obj["kind"] != "Secret":
            dumped = yaml.safe_dump(obj)
            assert not [v for v in values if v in dumped], obj["metadata"]["name"]
    for user in json.loads((OUT / "definitions.json").read_text())["users"]:
        assert not {"password", "password_hash"} & set(user), user["name"]
