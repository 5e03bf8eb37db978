"""The deployment files say what the team setup needs (HAProxy's file is run for real in
tests/browser/test_team_browser.py)."""

from __future__ import annotations

import json
import re

import yaml

from tests.support.app_server import ROOT

DEPLOY = ROOT / "deploy"


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def test_the_image_runs_as_a_user_and_checks_its_health():
    steps = _instructions((DEPLOY / "Dockerfile").read_text())
    users = [value for kind, value in steps if kind == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert [kind for kind, _ in steps].index("USER") < [kind for kind, _ in steps].index("CMD")
    (health,) = [value for kind, value in steps if kind == "HEALTHCHECK"]
    assert "/_stcore/health" in health
    (command,) = [value for kind, value in steps if kind == "CMD"]
    arguments = json.loads(command)
    assert "streamlit_app.py" in arguments
    assert not any("address" in argument for argument in arguments)  # Streamlit's default
    copied = " ".join(value for kind, value in steps if kind == "COPY")
    assert ".env" not in copied and "secrets.toml" not in copied
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignored if line and not line.startswith("#")]
    assert rules[0] == "*"  # nothing goes into the image but what is named after it


def test_compose_runs_replicas_behind_haproxy_on_postgresql():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "app", "proxy"}
    app, proxy = services["app"], services["proxy"]
    assert "replicas" in app["deploy"]
    assert app["environment"]["CHAT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in app["environment"]
    assert app["environment"]["CHAT_TRUSTED_PROXIES"] == (proxy["networks"]["chat"]["ipv4_address"])
    assert proxy["image"].startswith("haproxy:")
    assert any(v.endswith("/usr/local/etc/haproxy/haproxy.cfg:ro") for v in proxy["volumes"])
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_kubernetes_keeps_a_visitor_on_one_replica_and_runs_as_a_user():
    documents = {}
    for name in ("deployment.yaml", "service.yaml", "ingress.yaml", "secret.example.yaml"):
        for document in yaml.safe_load_all((DEPLOY / "kubernetes" / name).read_text()):
            documents[(document["kind"], document["metadata"]["name"])] = document
    deployment = documents[("Deployment", "chat")]["spec"]
    assert deployment["replicas"] >= 2
    pod = deployment["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    annotations = documents[("Ingress", "chat")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    secret = documents[("Secret", "chat-env")]["stringData"]
    assert all("replace-me" in value for value in secret.values())  # no real value committed
    kustomization = yaml.safe_load((DEPLOY / "kubernetes" / "kustomization.yaml").read_text())
    assert "secret.example.yaml" not in kustomization["resources"]


def test_haproxy_is_sticky_by_cookie_and_keeps_websockets_open():
    config = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()
    assert re.search(r"^\s*cookie CHAT_REPLICA insert .*httponly", config, re.MULTILINE)
    assert re.search(r"^\s*option redispatch", config, re.MULTILINE)
    assert re.search(r"^\s*option httpchk GET /_stcore/health", config, re.MULTILINE)
    assert re.search(r"^\s*timeout tunnel 1h", config, re.MULTILINE)
    assert re.search(r"^\s*option forwardfor", config, re.MULTILINE)
