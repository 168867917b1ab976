"""Each overlay runs the image it names, and a digest pinned at release reaches every
Deployment (deploy/k8s/README.md, "The image"). Rendered with kustomize like the cluster."""

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

K8S = ROOT / "deploy/k8s"
DIGEST = "sha256:" + "0123456789abcdef" * 4


def rendered_images(overlay):
    out = subprocess.run(["kubectl", "kustomize", str(overlay)], check=True,
                         capture_output=True, text=True).stdout
    return {doc["metadata"]["name"]: doc["spec"]["template"]["spec"]["containers"][0]["image"]
            for doc in yaml.safe_load_all(out) if doc and doc["kind"] == "Deployment"}


def named_image(overlay):
    [entry] = yaml.safe_load((overlay / "kustomization.yaml").read_text())["images"]
    assert entry["name"] == "baqylau"
    return f"{entry['newName']}:{entry['newTag']}"


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_every_deployment_runs_the_image_its_overlay_names(name):
    subprocess.run(["bash", str(ROOT / "scripts/k8s_dev_secrets.sh")], check=True,
                   capture_output=True)
    overlay = K8S / "overlays" / name
    images = rendered_images(overlay)
    assert len(images) == 5 and set(images.values()) == {named_image(overlay)}


def test_a_digest_pinned_in_the_prod_overlay_reaches_every_deployment(tmp_path):
    shutil.copytree(K8S, tmp_path / "k8s")
    prod = tmp_path / "k8s/overlays/prod/kustomization.yaml"
    text = prod.read_text()
    assert '    newTag: "0.1.0"\n' in text
    prod.write_text(text.replace('    newTag: "0.1.0"\n', f"    digest: {DIGEST}\n"))
    images = rendered_images(prod.parent)
    assert set(images.values()) == {f"registry.example.kz/baqylau/baqylau@{DIGEST}"}
