"""The operator files are checked here, since no Docker engine or Kubernetes cluster runs in CI: they
parse, every service/workload has an image, ports, the store settings and health checks, and the
compose file passes `docker compose config` where the compose plugin is installed."""
from __future__ import annotations

import re
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
    assert config["BACKLINE_DB_HOST"] in services
    assert config["BACKLINE_REDIS_URL"].split("//")[1].split(":")[0] in services
    for doc in docs:
        if doc["kind"] not in ("Deployment", "StatefulSet", "CronJob"):
            continue
        name = doc["metadata"]["name"]
        if doc["kind"] != "CronJob":
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert doc["spec"]["selector"]["matchLabels"].items() <= labels.items()
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
    # The flags come from the same parser as ops.settings: the script decides nothing about the API itself.
    assert "ops.preflight --rasa-args" in text and "BACKLINE_ENABLE_API" not in text and "--auth-token" not in text
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--ignore-requires-python" in dockerfile and "rasa train" in dockerfile and "USER " in dockerfile


# --- exposure and hardening (issue 12) ---------------------------------------------------------------

NGINX = ROOT / "deploy" / "nginx.conf"


def test_only_nginx_publishes_a_port_and_it_proxies_only_the_chat_channels():
    services = compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if s.get("ports")}
    assert published == {"web": ["8080:8080"]}, "Rasa's port (and its HTTP API) is not published"
    assert services["rasa"]["environment"]["BACKLINE_WEB_SECRET"].startswith("${BACKLINE_WEB_SECRET:?")
    conf = NGINX.read_text()
    assert "listen 5005" not in conf
    proxied = re.findall(r"location\s+(\S+)\s*\{[^}]*proxy_pass", conf)
    assert sorted(proxied) == ["/socket.io/", "/webhooks/"]


def test_nginx_sends_security_headers_and_keeps_tokens_out_of_access_logs():
    conf = NGINX.read_text()
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert re.search(rf"add_header {header} .+ always;", conf), header
    assert "connect-src 'self'" in conf and "server_tokens off" in conf
    formats = re.findall(r"log_format\s+(\w+)\s+'([^;]*)';", conf)
    assert formats and all("$request " not in f and "$request_uri" not in f and "$args" not in f for _, f in formats)
    assert re.search(rf"access_log \S+ {formats[0][0]};", conf)


def pod_spec(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def test_k8s_workloads_run_as_non_root_read_only_with_limits():
    for doc in k8s_documents():
        if doc["kind"] not in ("Deployment", "StatefulSet", "CronJob"):
            continue
        name, pod = doc["metadata"]["name"], pod_spec(doc)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name


def test_k8s_only_rasa_reaches_the_action_server_redis_and_postgresql():
    docs = k8s_documents()
    policies = {d["spec"]["podSelector"]["matchLabels"]["app"]: d for d in docs if d["kind"] == "NetworkPolicy"}
    allowed = {"backline-actions": {"backline-rasa"}, "backline-redis": {"backline-rasa"},
               "backline-postgres": {"backline-rasa", "backline-actions", "backline-retention"}}
    for target, sources in allowed.items():
        rules = policies[target]["spec"]["ingress"]
        assert {peer["podSelector"]["matchLabels"]["app"] for rule in rules for peer in rule["from"]} == sources
    cron = next(d for d in docs if d["kind"] == "CronJob")
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]["app"] == "backline-retention"


def test_k8s_rasa_is_ready_only_when_its_dependencies_answer():
    rasa = next(d for d in k8s_documents() if d["kind"] == "Deployment" and d["metadata"]["name"] == "rasa")
    container = containers(rasa)[0]
    assert container["readinessProbe"]["exec"]["command"][-1] == "probe"
    assert "probe) exec python -m ops.preflight --probe" in (ROOT / "deploy" / "docker-entrypoint.sh").read_text()
    assert "BACKLINE_WEB_SECRET" in {e["name"] for e in container["env"]}


def test_one_environment_preamble():
    preamble = ROOT / "ops" / "env.sh"
    assert "RASA_TELEMETRY_ENABLED=false" in preamble.read_text()
    for path in ("Makefile", "scripts/run.sh", "scripts/test.sh", "deploy/docker-entrypoint.sh", "deploy/Dockerfile",
                 "docker-compose.yml", "deploy/k8s/config.yaml", "deploy/k8s/actions.yaml"):
        text = (ROOT / path).read_text()
        assert "TF_CPP_MIN_LOG_LEVEL=2" not in text and "RASA_TELEMETRY_ENABLED: " not in text, path
    for path in ("Makefile", "scripts/run.sh", "scripts/test.sh", "deploy/docker-entrypoint.sh"):
        assert "ops/env.sh" in (ROOT / path).read_text(), path


# --- the action server has the Rasa servers' settings and is not exposed (issue 23) ---------------------------

# What the action server reads (ops/settings.py): the diary's database, the keys of the links and of the calls.
ACTION_SERVER_SETTINGS = STORE_SETTINGS - {"BACKLINE_REDIS_URL"} | {
    "BACKLINE_DB_PORT", "BACKLINE_WEB_SECRET", "BACKLINE_ACTION_SECRET", "BACKLINE_PUBLIC_URL"}


def test_compose_gives_the_action_server_the_rasa_servers_settings():
    services = compose()["services"]
    rasa, actions = services["rasa"]["environment"], services["actions"]["environment"]
    assert ACTION_SERVER_SETTINGS <= set(actions), ACTION_SERVER_SETTINGS - set(actions)
    assert {name: rasa.get(name) for name in actions} == actions, "the same value of every setting both read"
    for name in ("BACKLINE_WEB_SECRET", "BACKLINE_ACTION_SECRET", "BACKLINE_DB_PASSWORD"):
        assert actions[name].startswith("${" + name + ":?"), f"{name}: required, never defaulted"
    assert "BACKLINE_API_TOKEN" not in actions, "the action server has no use for the API token"
    assert services["actions"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_compose_never_exposes_the_action_server():
    services = compose()["services"]
    assert "ports" not in services["actions"] and services["actions"]["expose"] == ["5055"]
    assert "actions" not in NGINX.read_text() and ":5055" not in NGINX.read_text()


def k8s_env(name):
    """(envFrom, {variable: its source}) of the workload `name`'s container."""
    doc = next(d for d in k8s_documents() if d["kind"] == "Deployment" and d["metadata"]["name"] == name)
    container = containers(doc)[0]
    return container.get("envFrom", []), {e["name"]: e.get("valueFrom") or e.get("value") for e in container["env"]}


def test_k8s_gives_the_action_server_the_rasa_servers_settings_and_secrets():
    rasa_from, rasa_env = k8s_env("rasa")
    actions_from, actions_env = k8s_env("actions")
    assert actions_from == rasa_from == [{"configMapRef": {"name": "backline-config"}}]
    assert {name: rasa_env.get(name) for name in actions_env} == actions_env, "the same secret for each variable"
    config = next(d for d in k8s_documents() if d["kind"] == "ConfigMap")["data"]
    assert ACTION_SERVER_SETTINGS <= set(config) | set(actions_env), ACTION_SERVER_SETTINGS - set(config) - set(
        actions_env)
    for name in ("BACKLINE_WEB_SECRET", "BACKLINE_ACTION_SECRET", "BACKLINE_DB_PASSWORD"):
        assert actions_env[name]["secretKeyRef"] == {"name": "backline-secrets", "key": name}
        assert "optional" not in actions_env[name]["secretKeyRef"]
    example = yaml.safe_load((K8S / "secret.example.yaml").read_text())["stringData"]
    assert {"BACKLINE_WEB_SECRET", "BACKLINE_ACTION_SECRET"} <= set(example)


def test_k8s_never_exposes_the_action_server():
    docs = k8s_documents()
    service = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "actions")
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert not [d for d in docs if d["kind"] == "Ingress" and "actions" in yaml.safe_dump(d)]
    assert not any(p.get("nodePort") or p.get("hostPort") for d in docs for p in
                   (service["spec"]["ports"] if d is service else []))
    _, env = k8s_env("actions")
    assert "BACKLINE_API_TOKEN" not in env


def test_containers_require_the_shared_secrets_and_check_the_action_server():
    text = (ROOT / "deploy" / "docker-entrypoint.sh").read_text()
    assert "ops.preflight --rasa-args --container" in text
    assert "ops.preflight --action-server --container" in text
