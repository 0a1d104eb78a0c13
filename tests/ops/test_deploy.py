"""The operator files are checked here, since no Docker engine or Kubernetes cluster runs in CI: they
parse, every service/workload has an image, ports, the store settings and health checks, and the
compose file passes `docker compose config` where the compose plugin is installed."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from harness.servers import ROOT

COMPOSE = ROOT / "docker-compose.yml"
K8S = ROOT / "deploy" / "k8s"
STORE_SETTINGS = {"BACKLINE_DB_HOST", "BACKLINE_DB_NAME", "BACKLINE_DB_USER", "BACKLINE_DB_PASSWORD",
                  "BACKLINE_REDIS_URL"}


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_services_are_complete():
    services = compose()["services"]
    assert {"rasa", "actions", "postgres", "redis", "web"} <= set(services)
    for name, service in services.items():
        assert service.get("image"), f"{name}: image"
        if name != "purge":  # a one-off tool, not a server
            assert service.get("ports") or service.get("expose"), f"{name}: ports"
            check = service.get("healthcheck", {}).get("test")
            assert check and check[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck"
    for name in ("rasa", "purge"):
        assert STORE_SETTINGS <= set(services[name]["environment"]), f"{name}: store settings"
    assert services["rasa"]["environment"]["BACKLINE_REDIS_URL"].startswith("redis://redis:")
    assert "BACKLINE_API_TOKEN" in services["rasa"]["environment"]
    # Rasa waits for healthy stores; no fixed host port on rasa, so `--scale rasa=2` works.
    assert set(services["rasa"]["depends_on"]) == {"postgres", "redis", "actions"}
    assert "ports" not in services["rasa"]
    for name in ("rasa", "actions"):
        build = services[name]["build"]
        assert (ROOT / build["context"] / build["dockerfile"]).exists()
    assert (ROOT / services["web"]["build"]["dockerfile"]).exists()


def test_compose_password_is_required_not_defaulted():
    env = compose()["services"]["rasa"]["environment"]
    assert env["BACKLINE_DB_PASSWORD"].startswith("${BACKLINE_DB_PASSWORD:?")


def test_docker_compose_config(tmp_path):
    docker = shutil.which("docker")
    has_plugin = docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    if not has_plugin:
        pytest.skip("the docker compose plugin is not installed here; structure checked by the tests above")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True,
                            env={"BACKLINE_DB_PASSWORD": "x", "PATH": "/usr/bin:/bin:/usr/local/bin"}, timeout=60)
    assert result.returncode == 0, result.stderr


def k8s_documents():
    docs = []
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    for name in kustomization["resources"]:
        docs += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return docs


def containers(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]["containers"]


def test_k8s_manifests_are_complete():
    docs = k8s_documents()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for expected in [("Deployment", "rasa"), ("Deployment", "actions"), ("StatefulSet", "postgres"),
                     ("Deployment", "redis"), ("Deployment", "web"), ("CronJob", "backline-retention"),
                     ("ConfigMap", "backline-config")]:
        assert expected in kinds
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    assert STORE_SETTINGS - {"BACKLINE_DB_PASSWORD"} <= set(config)
    assert config["BACKLINE_DB_HOST"] in services and config["BACKLINE_REDIS_URL"].split("//")[1].split(":")[0] in services
    for doc in docs:
        if doc["kind"] not in ("Deployment", "StatefulSet", "CronJob"):
            continue
        name = doc["metadata"]["name"]
        if doc["kind"] != "CronJob":
            assert doc["spec"]["selector"]["matchLabels"].items() <= doc["spec"]["template"]["metadata"]["labels"].items()
            assert name in services, f"{name}: a Service"
            service = services[name]
            assert service["spec"]["selector"] == doc["spec"]["selector"]["matchLabels"]
        for container in containers(doc):
            assert container.get("image"), f"{name}: image"
            if doc["kind"] != "CronJob":
                ports = [p["containerPort"] for p in container["ports"]]
                assert ports and all(p["targetPort"] in ports for p in services[name]["spec"]["ports"])
                assert container.get("readinessProbe") and container.get("livenessProbe"), f"{name}: probes"
    rasa = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "rasa")
    assert rasa["spec"]["replicas"] >= 2
    env = containers(rasa)[0]
    assert {"configMapRef": {"name": "backline-config"}} in env["envFrom"]
    secret_env = {e["name"] for e in env["env"]}
    assert {"BACKLINE_DB_PASSWORD", "BACKLINE_API_TOKEN"} <= secret_env


def test_kubectl_kustomize_builds():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed here; structure checked by test_k8s_manifests_are_complete")
    result = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    built = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert len(built) == len(k8s_documents())
    assert all(d["metadata"]["labels"]["app.kubernetes.io/part-of"] == "backline" for d in built)


def test_entrypoint_and_images():
    entry = ROOT / "deploy" / "docker-entrypoint.sh"
    assert entry.stat().st_mode & 0o111, "executable"
    assert subprocess.run(["bash", "-n", str(entry)]).returncode == 0
    text = entry.read_text()
    assert "ops.preflight" in text and "--auth-token" in text
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--ignore-requires-python" in dockerfile and "rasa train" in dockerfile and "USER " in dockerfile
