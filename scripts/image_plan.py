"""How the image smoke test runs each service: read from the rendered manifests
(`kubectl kustomize deploy/k8s/base`), never repeated here, so it cannot drift from them.

Every field of a Deployment's pod and container is either applied to `podman run` or named in
CLUSTER_ONLY with the reason it has no meaning on one machine; a field that is neither (a new
one in the template) stops the smoke test with `Drift` rather than being silently skipped.
The only values that differ from a cluster are LOCAL_OVERRIDES: where the servers are, the
throwaway database's name, the host port (all containers share the host's network) and the
names of the operators' and the services' broker users (users are node-wide on a shared local
broker, so the smoke test's carry the run's tag; each service still connects as its own)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "deploy/k8s/base"

APPLIED_POD = {"containers", "securityContext", "volumes", "terminationGracePeriodSeconds"}
APPLIED_CONTAINER = {"name", "image", "args", "ports", "env", "envFrom", "securityContext",
                     "resources", "volumeMounts", "startupProbe", "livenessProbe",
                     "readinessProbe"}
CLUSTER_ONLY = {
    "serviceAccountName": "no API server here",
    "automountServiceAccountToken": "no API server here, so no token to mount",
    "imagePullPolicy": "the image is local (make image), never pulled",
}
POD_SECURITY = {"runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "seccompProfile"}
CONTAINER_SECURITY = {"allowPrivilegeEscalation", "readOnlyRootFilesystem", "privileged",
                      "runAsNonRoot", "capabilities"}
# Environment names the smoke test sets beyond the manifests' (see the module docstring).
LOCAL_OVERRIDES = ("DB_HOST", "DB_PORT", "{SERVICE}_DB_NAME", "WEB_SERVER_ADDRESS",
                   "BAQYLAU_OPERATORS", "BAQYLAU_SERVICE_PRINCIPALS")


class Drift(Exception):
    """The manifests hold something the smoke test does not know how to apply."""


@dataclass
class Plan:
    """One service's container: the `podman run` options and what to probe."""

    service: str
    options: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    startup_seconds: int = 0
    readiness_path: str = ""
    health_path: str = ""
    grace_seconds: int = 30

    def run_argv(self, image: str, name: str) -> list[str]:
        env = [f"--env={k}={v}" for k, v in sorted(self.env.items())]
        # --pull=never: the image under test is the one just built, never a registry's.
        return ["podman", "run", "--detach", "--pull=never", f"--name={name}", "--network=host",
                *self.options, *env, image, *self.args]


def render(kustomization: Path = BASE) -> list[dict[str, Any]]:
    out = subprocess.run(["kubectl", "kustomize", str(kustomization)], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def unknown(keys: Any, known: set[str], where: str) -> None:
    extra = set(keys) - known - set(CLUSTER_ONLY)
    if extra:
        raise Drift(f"{where}: {sorted(extra)} not applied by the smoke test "
                    "(scripts/image_plan.py)")


def quantity_mib(value: str) -> int:
    """A Kubernetes memory quantity (Mi, Gi, M, plain bytes) in MiB, rounded up."""
    match = re.fullmatch(r"(\d+)(Mi|Gi|M|G)?", str(value))
    if not match:
        raise Drift(f"memory quantity {value!r} not understood")
    number, unit = int(match[1]), match[2]
    factor = {"Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20, None: 1 / 2**20}[unit]
    return int(-(-number * factor // 1))


def cpus(value: str) -> str:
    text = str(value)
    return str(int(text[:-1]) / 1000) if text.endswith("m") else text


def security_options(pod: dict[str, Any], container: dict[str, Any], name: str) -> list[str]:
    pod_ctx, ctx = pod.get("securityContext", {}), container.get("securityContext", {})
    unknown(pod_ctx, POD_SECURITY, f"{name}: pod securityContext")
    unknown(ctx, CONTAINER_SECURITY, f"{name}: container securityContext")
    uid, gid = pod_ctx.get("runAsUser"), pod_ctx.get("runAsGroup", pod_ctx.get("runAsUser"))
    if (pod_ctx.get("runAsNonRoot") or ctx.get("runAsNonRoot")) and not uid:
        raise Drift(f"{name}: runAsNonRoot without a non-zero runAsUser")
    options = [f"--user={uid}:{gid}"] if uid is not None else []
    if "fsGroup" in pod_ctx:  # the kubelet adds it as a supplementary group
        options.append(f"--group-add={pod_ctx['fsGroup']}")
    if pod_ctx.get("seccompProfile", {}).get("type", "RuntimeDefault") != "RuntimeDefault":
        raise Drift(f"{name}: only seccompProfile RuntimeDefault (podman's default) is known")
    if ctx.get("privileged"):
        raise Drift(f"{name}: privileged containers are not run by the smoke test")
    if ctx.get("allowPrivilegeEscalation") is False:
        options.append("--security-opt=no-new-privileges")
    if ctx.get("readOnlyRootFilesystem"):
        # Not even podman's own tmpfs on /tmp, /run, /var/tmp: only the manifests' volumes.
        options += ["--read-only", "--read-only-tmpfs=false"]
    caps = ctx.get("capabilities", {})
    unknown(caps, {"drop", "add"}, f"{name}: capabilities")
    options += [f"--cap-drop={cap}" for cap in caps.get("drop", [])]
    options += [f"--cap-add={cap}" for cap in caps.get("add", [])]
    return options


def volume_options(pod: dict[str, Any], container: dict[str, Any], name: str) -> list[str]:
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    options = []
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        unknown(volume, {"name", "emptyDir"}, f"{name}: volume {mount['name']}")
        unknown(mount, {"name", "mountPath"}, f"{name}: volumeMount {mount['name']}")
        size = volume["emptyDir"].get("sizeLimit")
        limit = f",size={quantity_mib(size)}m" if size else ""
        # An emptyDir is a fresh, writable, empty directory: a tmpfs of the same size limit.
        options.append(f"--tmpfs={mount['mountPath']}:rw,nosuid,nodev,mode=1777{limit}")
    return options


def environment(container: dict[str, Any], config_maps: dict[str, dict[str, str]],
                secrets: dict[tuple[str, str], str], name: str) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom, then env on top."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        unknown(source, {"configMapRef"}, f"{name}: envFrom")
        env.update(config_maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item["valueFrom"]
        unknown(ref, {"secretKeyRef", "configMapKeyRef"}, f"{name}: env {item['name']}")
        if "secretKeyRef" in ref:
            key = (ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
            if key not in secrets:
                raise Drift(f"{name}: env {item['name']} needs Secret {key[0]}/{key[1]}, "
                            "which the smoke test does not provide")
            env[item["name"]] = secrets[key]
        else:
            cm = ref["configMapKeyRef"]
            env[item["name"]] = config_maps[cm["name"]][cm["key"]]
    return env


def plan_for(deployment: dict[str, Any], config_maps: dict[str, dict[str, str]],
             secrets: dict[tuple[str, str], str], overrides: dict[str, str]) -> Plan:
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]["spec"]
    unknown(pod, APPLIED_POD, f"{name}: pod spec")
    [container] = pod["containers"]
    unknown(container, APPLIED_CONTAINER, f"{name}: container")
    if "command" in container:
        raise Drift(f"{name}: a command would replace the image's ENTRYPOINT")
    limits = container.get("resources", {}).get("limits", {})
    plan = Plan(service=name, args=[str(a) for a in container.get("args", [])])
    plan.options += security_options(pod, container, name)
    plan.options += volume_options(pod, container, name)
    if "memory" in limits:
        plan.options.append(f"--memory={quantity_mib(limits['memory'])}m")
    if "cpu" in limits:
        plan.options.append(f"--cpus={cpus(limits['cpu'])}")
    plan.env = {**environment(container, config_maps, secrets, name), **overrides}
    startup = container["startupProbe"]
    plan.startup_seconds = startup["periodSeconds"] * startup["failureThreshold"]
    plan.health_path = container["livenessProbe"]["httpGet"]["path"]
    plan.readiness_path = container["readinessProbe"]["httpGet"]["path"]
    plan.grace_seconds = pod.get("terminationGracePeriodSeconds", 30)
    return plan


def overrides_for(service: str, db_name: str, address: str, db_host: str, db_port: int,
                  operators: str, services: str) -> dict[str, str]:
    """`operators`: the operators' broker user; `services`: the services', comma-separated
    (the services' ACCESS config reads both from the environment)."""
    values = dict(zip(LOCAL_OVERRIDES, (db_host, str(db_port), db_name, address, operators,
                                        services), strict=True))
    return {k.replace("{SERVICE}", service.upper()): v for k, v in values.items()}


def plans(objects: list[dict[str, Any]], secrets: dict[tuple[str, str], str],
          overrides: dict[str, dict[str, str]]) -> dict[str, Plan]:
    """Each Deployment's plan; `overrides` gives each service's LOCAL_OVERRIDES values."""
    config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in objects
                   if o["kind"] == "ConfigMap"}
    return {o["metadata"]["name"]: plan_for(o, config_maps, secrets,
                                            overrides[o["metadata"]["name"]])
            for o in objects if o["kind"] == "Deployment"}
