"""What the image smoke test runs is what the manifests say: every container option, argument
and environment value comes from the rendered base, a field it cannot apply stops it, and the
image's own user and entrypoint are the ones the Deployments rely on. No servers, no podman."""

import copy
import re

import pytest

from scripts import image_plan
from scripts.image_plan import LOCAL_OVERRIDES, Drift, overrides_for, plans, render
from scripts.k8s_services import SERVICES
from tests.conftest import ROOT

SECRETS = {("baqylau-assessment-pseudonym", "key"): "k",
           **{(f"baqylau-amqp-{svc}", "uri"): f"pyamqp://{svc}" for svc in SERVICES},
           **{(f"baqylau-db-{svc}", "password"): f"pw-{svc}" for svc in SERVICES}}


def local(svc):
    return overrides_for(svc, f"db_{svc}", "127.0.0.1:18000", "127.0.0.1", 5433,
                         "smoke-operators", ",".join(f"smoke-{s}" for s in SERVICES))


@pytest.fixture(scope="module")
def objects():
    return render()


@pytest.fixture(scope="module")
def planned(objects):
    return plans(objects, SECRETS, {svc: local(svc) for svc in SERVICES})


def deployments(objects):
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}


def test_every_service_is_planned_with_the_deployments_exact_arguments(objects, planned):
    assert set(planned) == set(SERVICES)
    for name, deployment in deployments(objects).items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert planned[name].args == container["args"]
        argv = planned[name].run_argv("img", "c")
        assert argv[argv.index("img") + 1:] == container["args"]  # after the image: args only


def test_the_environment_is_the_manifests_plus_only_the_local_overrides(objects, planned):
    config = next(o for o in objects if o["kind"] == "ConfigMap")["data"]
    for name, deployment in deployments(objects).items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        from_manifest = set(config) | {item["name"] for item in container["env"]}
        overridden = {k.replace("{SERVICE}", name.upper()) for k in LOCAL_OVERRIDES}
        env = planned[name].env
        assert set(env) == from_manifest | overridden
        assert env["AMQP_URI"] == f"pyamqp://{name}"  # its own broker user's Secret
        assert env["BAQYLAU_OPERATORS"] == "smoke-operators"
        assert f"smoke-{name}" in env["BAQYLAU_SERVICE_PRINCIPALS"].split(",")
        assert env[f"{name.upper()}_DB_PASSWORD"] == f"pw-{name}"
        assert {k for k in config if env[k] != config[k]} <= overridden


def test_the_constraints_are_the_security_contexts_and_limits(planned):
    for plan in planned.values():
        assert {"--user=10001:10001", "--group-add=10001", "--read-only",
                "--read-only-tmpfs=false", "--cap-drop=ALL", "--security-opt=no-new-privileges",
                "--memory=384m", "--cpus=1"} <= set(plan.options)
        assert "--tmpfs=/tmp:rw,nosuid,nodev,mode=1777,size=64m" in plan.options
        assert not [o for o in plan.options if "privileged" in o or "cap-add" in o]
        assert (plan.health_path, plan.readiness_path) == ("/healthz", "/readyz")
        assert plan.startup_seconds == 60 and plan.grace_seconds == 60


@pytest.mark.parametrize("change", [
    lambda pod, c: c.update(command=["sh"]),
    lambda pod, c: c.update(workingDir="/"),
    lambda pod, c: pod.update(hostNetwork=True),
    lambda pod, c: pod["securityContext"].update(supplementalGroups=[5]),
    lambda pod, c: c["securityContext"].update(privileged=True),
    lambda pod, c: c["securityContext"].update(procMount="Unmasked"),
    lambda pod, c: c["env"].append({"name": "X", "valueFrom": {"secretKeyRef": {
        "name": "unknown", "key": "k"}}}),
    lambda pod, c: pod["volumes"].append({"name": "tmp", "hostPath": {"path": "/"}}),
])
def test_a_field_the_smoke_test_cannot_apply_stops_it(objects, change):
    changed = copy.deepcopy(objects)
    deployment = next(o for o in changed if o["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    change(pod, pod["containers"][0])
    with pytest.raises(Drift):
        plans(changed, SECRETS, {svc: local(svc) for svc in SERVICES})


def test_the_smoke_test_takes_its_constraints_from_the_plan_only():
    source = (ROOT / "scripts/image_smoke.py").read_text()
    assert "plans(objects" in source and "render()" in source and ".run_argv(" in source
    # It starts containers only from a plan, and names no uid, limit or port of the manifests.
    assert 'podman("run"' not in source and "podman run" not in source.split('"""', 2)[2]
    for value in ("10001", "8000", "384", "64m", '"ALL"'):
        assert value not in source, value
    assert image_plan.BASE == ROOT / "deploy/k8s/base"


def test_the_images_user_and_entrypoint_are_what_the_deployments_rely_on(objects):
    containerfile = (ROOT / "Containerfile").read_text()
    runtime = containerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert 'ENTRYPOINT ["nameko", "run"]' in runtime
    for deployment in deployments(objects).values():
        pod = deployment["spec"]["template"]["spec"]
        assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) \
            == (10001, 10001)
        assert "command" not in pod["containers"][0]
