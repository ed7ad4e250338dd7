"""deploy/: the Kubernetes manifests, the Dockerfiles and the containers' entry point, checked offline.

Every manifest is validated against Kubernetes' own JSON schemas as shipped inside the
kubernetes-validate package (strict: an unknown or misspelt field fails), then what the schemas cannot
see: probes and resources on every workload, Services and Ingresses that reach ports that exist, the
Rasa endpoints as Rasa itself expands them, Secrets without values, the restricted Pod Security
Standard the namespace enforces, and Dockerfiles whose COPY sources exist and are not ignored.
Nothing here builds an image or talks to a cluster (deploy/README.md says what was not run)."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions

from troubleshooter.paths import ROOT

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKER = DEPLOY / "docker"
KUBERNETES = "1.28.0"  # the newest schemas kubernetes-validate 1.28.3 ships (the last release for jsonschema<4.18)
TEMPLATE = K8S / "secret.template.yaml"
WORKLOADS = ("Deployment", "StatefulSet")
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|API_?KEY", re.IGNORECASE)
VARIABLE = re.compile(r"\$\{(\w+)\}")


# ----- reading deploy/ ---------------------------------------------------------------------------------
def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def kustomization() -> dict:
    return documents(K8S / "kustomization.yaml")[0]


def applied() -> list[tuple[str, dict]]:
    """(file, document) for everything `kubectl apply -k deploy/k8s` applies."""
    return [(f, d) for f in kustomization()["resources"] for d in documents(K8S / f)]


def manifests() -> list[tuple[str, dict]]:
    """Everything in deploy/k8s that Kubernetes would be given: the applied documents and the template."""
    return [*applied(), *((TEMPLATE.name, d) for d in documents(TEMPLATE))]


def of_kind(*kinds: str) -> list[dict]:
    return [d for _, d in applied() if d["kind"] in kinds]


def one(kind: str, name: str) -> dict:
    found = [d for d in of_kind(kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name!r} in deploy/k8s, found {len(found)}"
    return found[0]


def label(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def pod(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict) -> list[dict]:
    return pod(workload)["containers"] + pod(workload).get("initContainers", [])


def matches(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def pods_selected_by(selector: dict) -> list[dict]:
    return [w for w in of_kind(*WORKLOADS) if matches(selector, w["spec"]["template"]["metadata"].get("labels", {}))]


def config_env() -> dict:
    return one("ConfigMap", "troubleshooter-env")["data"]


def config_file(name: str) -> str:
    return one("ConfigMap", "troubleshooter-files")["data"][name]


def env_names(container: dict) -> set[str]:
    return {e["name"] for e in container.get("env", [])}


def container_of(deployment: str) -> dict:
    return pod(one("Deployment", deployment))["containers"][0]


def load_entrypoint():
    spec = importlib.util.spec_from_file_location("deploy_entrypoint", DOCKER / "entrypoint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rasa_read_yaml(text: str, env: dict[str, str], monkeypatch) -> dict:
    """`text` as `rasa run` reads an endpoints or credentials file, with `env` in the environment."""
    from rasa.shared.utils.io import read_yaml

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return read_yaml(text)


# ----- the schemas -------------------------------------------------------------------------------------
def test_the_validator_ships_the_schemas_of_the_pinned_kubernetes_version():
    assert KUBERNETES in all_versions(), f"kubernetes-validate ships {all_versions()}, not {KUBERNETES}"


ALL = [pytest.param(doc, id=f"{file}:{label(doc)}") for file, doc in manifests()]


@pytest.mark.parametrize("doc", ALL)
def test_every_manifest_is_valid_against_the_kubernetes_schema(doc):
    try:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = ".".join(str(p) for p in exc.path) or "(top)"
        pytest.fail(f"{label(doc)} is not valid Kubernetes {KUBERNETES}: {where}: {exc.message}")
    except kubernetes_validate.SchemaNotFoundError as exc:
        pytest.fail(f"{label(doc)}: {exc.message}")


def test_kustomization_applies_every_manifest_but_the_secret_template():
    listed = kustomization()["resources"]
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", TEMPLATE.name}
    assert sorted(set(listed)) == sorted(listed), "a resource is listed twice"
    assert set(listed) == on_disk, f"listed but missing: {set(listed) - on_disk}; not listed: {on_disk - set(listed)}"
    namespaces = [d["metadata"]["name"] for d in of_kind("Namespace")]
    assert namespaces == [kustomization()["namespace"]]


# ----- workloads ---------------------------------------------------------------------------------------
def test_every_workload_has_readiness_and_liveness_probes_and_resources():
    problems = []
    for w in of_kind(*WORKLOADS):
        for c in containers(w):
            where = f"{label(w)} container {c['name']}"
            problems += [f"{where}: no {p}" for p in ("readinessProbe", "livenessProbe") if p not in c]
            resources = c.get("resources", {})
            problems += [
                f"{where}: no {r} request" for r in ("cpu", "memory") if r not in resources.get("requests", {})
            ]
            if "memory" not in resources.get("limits", {}):
                problems.append(f"{where}: no memory limit")
    assert problems == []


def test_probes_reach_ports_and_files_the_containers_have():
    problems = []
    for w in of_kind(*WORKLOADS):
        for c in containers(w):
            ports = {p.get("name") for p in c.get("ports", [])} | {p["containerPort"] for p in c.get("ports", [])}
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                probe = c.get(kind)
                if not probe:
                    continue
                where = f"{label(w)} {c['name']} {kind}"
                port = (probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port")
                if port is not None and port not in ports:
                    problems.append(
                        f"{where}: port {port!r} is not a port of the container ({sorted(map(str, ports))})"
                    )
                for arg in (probe.get("exec") or {}).get("command", []):
                    if arg.startswith("/app/"):  # a file of the project inside the image
                        source = arg.removeprefix("/app/")
                        if not (ROOT / source).is_file():
                            problems.append(f"{where}: {source} does not exist in the repository")
                        elif source not in dockerfile_of(c["image"]).read_text():
                            problems.append(f"{where}: {source} is not copied into {c['image']}")
    assert problems == []


def test_the_rasa_server_runs_at_least_two_replicas_and_the_readiness_probe_checks_the_model():
    rasa = one("Deployment", "rasa")
    assert rasa["spec"]["replicas"] >= 2
    ready = container_of("rasa")["readinessProbe"]
    # `/` answers "Hello from Rasa" even when no model could be loaded; the probe asks /status with the token
    assert "httpGet" not in ready and ready["exec"]["command"][-1] == "ready", ready
    assert container_of("actions")["readinessProbe"]["httpGet"]["path"] == "/health"


def test_autoscalers_target_deployments_that_request_cpu():
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind("HorizontalPodAutoscaler")}
    assert {"rasa", "actions"} <= set(hpas), f"HPAs only for {sorted(hpas)}"
    for name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = one(hpa["spec"]["scaleTargetRef"]["kind"], name)
        for metric in hpa["spec"]["metrics"]:
            resource = metric["resource"]["name"]
            missing = [c["name"] for c in containers(target) if resource not in c["resources"].get("requests", {})]
            assert missing == [], f"{label(hpa)} scales on {resource} utilization: {missing} request none"
        # `kubectl apply` resets spec.replicas: equal to minReplicas, it never scales below the HPA's floor
        assert target["spec"]["replicas"] == hpa["spec"]["minReplicas"], label(hpa)
        assert hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_pods_meet_the_restricted_pod_security_standard_the_namespace_enforces():
    namespace = of_kind("Namespace")[0]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    problems = []
    for w in of_kind(*WORKLOADS):
        spec = pod(w)
        pod_security = spec.get("securityContext", {})
        if pod_security.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{label(w)}: no RuntimeDefault seccomp profile")
        problems += [f"{label(w)}: {k}" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
        problems += [f"{label(w)}: hostPath volume" for v in spec.get("volumes", []) if "hostPath" in v]
        for c in containers(w):
            s = {**pod_security, **c.get("securityContext", {})}
            where = f"{label(w)} {c['name']}"
            if not s.get("runAsNonRoot") or s.get("runAsUser") == 0:
                problems.append(f"{where}: may run as root")
            if s.get("allowPrivilegeEscalation") is not False or s.get("privileged"):
                problems.append(f"{where}: privilege escalation allowed")
            if "ALL" not in s.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: capabilities not all dropped")
            if set(s.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
                problems.append(f"{where}: adds capabilities")
            if not s.get("readOnlyRootFilesystem"):
                problems.append(f"{where}: writable root file system")
    assert problems == []


# ----- Services, Ingress, NetworkPolicy ----------------------------------------------------------------
def test_services_select_pods_that_have_their_target_ports():
    problems = []
    for svc in of_kind("Service"):
        selected = pods_selected_by(svc["spec"].get("selector", {}))
        if not selected:
            problems.append(f"{label(svc)} selects no pod")
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            for w in selected:
                have = [p for c in containers(w) for p in c.get("ports", [])]
                if not any(target in (p.get("name"), p["containerPort"]) for p in have):
                    problems.append(f"{label(svc)} port {port['port']}: {label(w)} has no container port {target!r}")
    assert problems == []


def ingress_routes() -> list[dict]:
    routes = []
    for ing in of_kind("Ingress"):
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                routes.append(
                    {
                        "ingress": ing,
                        "host": rule.get("host"),
                        "path": path["path"],
                        "type": path["pathType"],
                        "service": backend["name"],
                        "port": backend["port"].get("name", backend["port"].get("number")),
                    }
                )
    return routes


def test_ingress_backends_are_services_with_those_ports():
    problems = []
    services = {s["metadata"]["name"]: s for s in of_kind("Service")}
    for r in ingress_routes():
        svc = services.get(r["service"])
        if svc is None:
            problems.append(f"{label(r['ingress'])} {r['path']}: no Service {r['service']!r}")
        elif not any(r["port"] in (p.get("name"), p["port"]) for p in svc["spec"]["ports"]):
            problems.append(f"{label(r['ingress'])} {r['path']}: Service {r['service']} has no port {r['port']!r}")
    assert problems == []


def channel_paths() -> dict[str, str]:
    """The public path of each channel in the credentials ConfigMap, from the channels' own code."""
    from rasa.shared.utils.common import class_from_module_path

    paths = {}
    for module_path, settings in (yaml.safe_load(config_file("credentials.yml")) or {}).items():
        channel = class_from_module_path(module_path)
        if channel.name() == "socketio":
            paths["socketio"] = (settings or {}).get("socketio_path", "/socket.io").rstrip("/") + "/"
        else:
            paths[channel.name()] = f"/webhooks/{channel.name()}/webhook"
    return paths


def test_the_ingress_is_the_one_address_of_the_three_channels_and_the_page():
    paths = channel_paths()
    assert set(paths) == {"rest", "socketio", "chatwoot"}, paths
    routes = {(r["path"], r["type"]): r for r in ingress_routes()}
    expected = {
        (paths["rest"], "Exact"): "rasa",
        (paths["chatwoot"], "Exact"): "rasa",
        (paths["socketio"], "Prefix"): "rasa",
        ("/", "Prefix"): "web",
    }
    assert {k: routes[k]["service"] for k in expected if k in routes} == expected, sorted(routes)
    # nothing else reaches Rasa: its HTTP API (/status, /conversations, /model) stays inside the cluster
    assert [k for k, r in routes.items() if r["service"] == "rasa" and k not in expected] == []
    origin = urlparse(config_env()["PUBLIC_ORIGIN"])
    assert {r["host"] for r in routes.values()} == {origin.hostname}, "the Ingress host is not PUBLIC_ORIGIN's"
    if origin.scheme == "https":
        for ing in of_kind("Ingress"):
            assert origin.hostname in [h for t in ing["spec"].get("tls", []) for h in t["hosts"]], label(ing)


def test_socketio_sessions_stay_on_one_replica_and_websockets_stay_open():
    socketio = next(r for r in ingress_routes() if r["path"] == channel_paths()["socketio"])
    notes = socketio["ingress"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie"  # engine.io's long-polling requests must find their replica
    assert int(notes[prefix + "proxy-read-timeout"]) > 60 and int(notes[prefix + "proxy-send-timeout"]) > 60
    others = [r for r in ingress_routes() if label(r["ingress"]) != label(socketio["ingress"])]
    assert others, "the socket.io route shares its Ingress (and so its affinity) with other routes"
    assert all(prefix + "affinity" not in r["ingress"]["metadata"].get("annotations", {}) for r in others)


def test_network_policies_select_pods_that_exist():
    problems = []
    for policy in of_kind("NetworkPolicy"):
        selectors = [policy["spec"]["podSelector"]["matchLabels"]]
        selectors += [p["podSelector"]["matchLabels"] for rule in policy["spec"]["ingress"] for p in rule["from"]]
        problems += [f"{label(policy)}: {s} selects no pod" for s in selectors if not pods_selected_by(s)]
        for rule in policy["spec"]["ingress"]:
            subject = pods_selected_by(policy["spec"]["podSelector"]["matchLabels"])
            have = {p["containerPort"] for w in subject for c in containers(w) for p in c.get("ports", [])}
            problems += [
                f"{label(policy)}: port {p['port']} not served" for p in rule["ports"] if p["port"] not in have
            ]
    assert problems == []


# ----- configuration and secrets -----------------------------------------------------------------------
def template_keys() -> dict[str, str]:
    secret = documents(TEMPLATE)[0]
    return {"name": secret["metadata"]["name"], "keys": set(secret["stringData"])}


def test_no_secret_carries_a_value():
    problems = []
    for file, doc in manifests():
        if doc["kind"] == "Secret":
            if doc.get("data"):
                problems.append(f"{file} {label(doc)}: data holds values")
            problems += [
                f"{file} {label(doc)}: {key} is not ${{{key}}}"
                for key, value in (doc.get("stringData") or {}).items()
                if value != f"${{{key}}}"
            ]
        for w in [doc] if doc["kind"] in WORKLOADS else []:
            for c in containers(w):
                problems += [
                    f"{file} {label(w)} {c['name']}: {e['name']} has a literal value"
                    for e in c.get("env", [])
                    if SECRET_NAME.search(e["name"]) and "value" in e
                ]
    for name in ("endpoints.yml", "credentials.yml"):
        for key, value in re.findall(r"^\s*([\w.]+):[ \t]*(\S.*)$", config_file(name), re.MULTILINE):
            if SECRET_NAME.search(key) and not VARIABLE.fullmatch(value.strip()):
                problems.append(f"ConfigMap troubleshooter-files {name}: {key} is not a ${{VARIABLE}}")
    assert TEMPLATE.name not in kustomization()["resources"]
    assert problems == []


def test_every_secret_the_pods_read_is_in_the_template_and_every_template_key_is_read():
    template = template_keys()
    read = set()
    problems = []
    for w in of_kind(*WORKLOADS):
        for c in containers(w):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    read.add(ref["key"])
                    if ref["name"] != template["name"] or ref["key"] not in template["keys"]:
                        problems.append(f"{label(w)} {e['name']}: {ref['name']}/{ref['key']} is not in {TEMPLATE.name}")
    assert problems == []
    assert template["keys"] - read == set(), "keys in the template that no pod reads"


def test_config_map_references_exist():
    maps = {m["metadata"]["name"]: m["data"] for m in of_kind("ConfigMap")}
    problems = []
    for w in of_kind(*WORKLOADS):
        for c in containers(w):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("configMapKeyRef")
                if ref and ref["key"] not in maps.get(ref["name"], {}):
                    problems.append(f"{label(w)} {e['name']}: no {ref['name']}/{ref['key']}")
        for v in pod(w).get("volumes", []):
            if "configMap" in v and v["configMap"]["name"] not in maps:
                problems.append(f"{label(w)} volume {v['name']}: no ConfigMap {v['configMap']['name']}")
    assert problems == []


def dummy_env(text: str) -> dict[str, str]:
    return {name: f"dummy-{name.lower()}" for name in VARIABLE.findall(text)}


@pytest.mark.parametrize("name", ["endpoints.yml", "credentials.yml"])
def test_the_config_files_expand_with_rasas_reader_from_the_rasa_containers_environment(name, monkeypatch):
    text = config_file(name)
    config = rasa_read_yaml(text, dummy_env(text), monkeypatch)
    assert load_entrypoint().unexpanded(config) == [], f"{name}: a ${{...}} Rasa leaves as it is (quoted?)"
    missing = set(VARIABLE.findall(text)) - env_names(container_of("rasa"))
    assert missing == set(), f"{name} needs {missing}, which the rasa container's env does not set"
    if name == "endpoints.yml":  # the page server's analytics read the tracker store (os.path.expandvars)
        tracker = yaml.safe_load(text)["tracker_store"]
        needed = {v for value in tracker.values() for v in VARIABLE.findall(str(value))}
        assert needed - env_names(container_of("web")) == set(), "the web container lacks the tracker store's secrets"


def test_endpoints_are_endpoints_scaled_on_the_cluster_services(monkeypatch):
    text = config_file("endpoints.yml")
    cluster = rasa_read_yaml(text, dummy_env(text), monkeypatch)
    local = yaml.safe_load((ROOT / "endpoints.scaled.yml").read_text())
    assert set(cluster) == set(local)
    for key in ("tracker_store", "lock_store"):
        for field in ("type", "dialect", "db", "username"):
            assert cluster[key].get(field) == local[key].get(field), f"{key}.{field} differs from endpoints.scaled.yml"
    assert cluster["action_endpoint"].get("enable_selective_domain") == local["action_endpoint"].get(
        "enable_selective_domain"
    )
    assert urlparse(cluster["chatwoot_deliveries"]["url"]).path == urlparse(local["chatwoot_deliveries"]["url"]).path

    services = {s["metadata"]["name"]: {p["port"] for p in s["spec"]["ports"]} for s in of_kind("Service")}
    action = urlparse(cluster["action_endpoint"]["url"])
    deliveries = urlparse(cluster["chatwoot_deliveries"]["url"])
    addresses = {
        "action_endpoint": (action.hostname, action.port),
        "tracker_store": (cluster["tracker_store"]["url"], cluster["tracker_store"]["port"]),
        "lock_store": (cluster["lock_store"]["url"], cluster["lock_store"]["port"]),
        "chatwoot_deliveries": (deliveries.hostname, deliveries.port),
    }
    wrong = {k: a for k, a in addresses.items() if a[1] not in services.get(a[0], set())}
    assert wrong == {}, f"no Service with that name and port: {wrong}"


def test_the_credentials_have_the_repositorys_channels():
    cluster = yaml.safe_load(config_file("credentials.yml"))
    assert set(cluster) == set(yaml.safe_load((ROOT / "credentials.yml").read_text()))


# ----- Dockerfiles -------------------------------------------------------------------------------------
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines, current = [], ""
    for raw in dockerfile.read_text().splitlines():
        if raw.strip().startswith("#") and not current:
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            if current.strip():
                keyword, _, rest = current.strip().partition(" ")
                lines.append((keyword.upper(), rest.strip()))
            current = ""
    return lines


def stages(dockerfile: Path) -> list[list[tuple[str, str]]]:
    out = []
    for keyword, rest in instructions(dockerfile):
        if keyword == "FROM":
            out.append([])
        if out:
            out[-1].append((keyword, rest))
    return out


def ignore_patterns(dockerfile: Path) -> list[str]:
    ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
    assert ignore.is_file(), f"{dockerfile.name} has no {ignore.name} beside it"
    return [line.strip() for line in ignore.read_text().splitlines() if line.strip() and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether the context drops `path` (Docker's rules for the patterns used here: root-relative
    paths, * within a name, **/ for any depth, no ! exceptions)."""
    assert not any(p.startswith("!") for p in patterns), "exceptions are not modelled here"
    parts = Path(path.rstrip("/")).parts
    for pattern in patterns:
        regex = re.escape(pattern.rstrip("/")).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, "/".join(parts[: i + 1])) for i in range(len(parts))):
            return True
    return False


def copy_sources(dockerfile: Path) -> list[str]:
    sources = []
    for keyword, rest in instructions(dockerfile):
        if keyword in ("COPY", "ADD"):
            args = [a for a in rest.split() if not a.startswith("--")]
            if not any(a.startswith("--from") for a in rest.split()):
                sources += args[:-1]
    return sources


def dockerfile_of(image: str) -> Path:
    name = image.split(":")[0].removeprefix("troubleshooter-")
    return DOCKER / f"{name}.Dockerfile"


def test_there_is_a_dockerfile_per_image():
    assert [p.name for p in DOCKERFILES] == ["actions.Dockerfile", "rasa.Dockerfile", "web.Dockerfile"]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_copy_sources_exist_in_the_repository_and_are_not_ignored(dockerfile):
    patterns = ignore_patterns(dockerfile)
    sources = copy_sources(dockerfile)
    assert sources, "no COPY from the context"
    assert [s for s in sources if not (ROOT / s).exists()] == [], "COPY of a path that does not exist"
    assert [s for s in sources if ignored(s, patterns)] == [], "COPY of a path the ignore file drops (the build fails)"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_context_leaves_out_what_setup_and_training_make(dockerfile):
    patterns = ignore_patterns(dockerfile)
    for made in (".venv", "models", "build", "node_modules", "results", "web/vendor", ".git"):
        assert ignored(made + "/x", patterns), f"{dockerfile.name}'s context would carry {made}/"
    assert not ignored("data/nlu/x.yml", patterns) and not ignored("knowledge/x.yml", patterns)


def test_the_three_images_share_one_build_stage():
    builds = {p.name: [s for s in stages(p) if s[0][1].endswith(" AS build")] for p in DOCKERFILES}
    assert all(len(b) == 1 for b in builds.values()), builds.keys()
    assert len({json.dumps(b[0]) for b in builds.values()}) == 1, "the build stages differ"


def test_the_build_stage_installs_the_lock_as_setup_sh_does():
    """Its first RUN claims to be setup.sh's lock step (and leaves setup.sh's stamp): the same pins,
    flags and stamp, or setup.sh would skip an install that differs from its own."""
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    build = (DOCKER / "rasa.Dockerfile").read_text()
    pins = re.compile(r"pip install -q (?:--disable-pip-version-check )?(setuptools==\S+ wheel==\S+)")
    assert pins.findall(build) == pins.findall(setup)[:1]
    for flags in ("--no-deps --ignore-requires-python", "-r requirements/lock.txt", "MPLSETUPCFG="):
        assert flags in setup and flags in build, flags
    assert ".venv/.lock-$(sha256sum requirements/lock.txt | cut -c1-16)" in setup
    assert ".venv/.lock-$(sha256sum requirements/lock.txt | cut -c1-16)" in build


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_images_run_unprivileged_and_bake_no_secret(dockerfile):
    final = stages(dockerfile)[-1]
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users, "the final stage sets no USER (it would run as root)"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and uid != "0", "USER must be a numeric non-root uid (runAsNonRoot checks numbers)"
    for keyword, rest in instructions(dockerfile):
        if keyword in ("ENV", "ARG"):
            names = re.findall(r"(\w+)=", rest) or [rest.split()[0]]
            assert not [n for n in names if SECRET_NAME.search(n)], f"{keyword} {rest}"
    image = f"troubleshooter-{dockerfile.name.removesuffix('.Dockerfile')}"
    pods = [w for w in of_kind(*WORKLOADS) if any(c["image"].split(":")[0] == image for c in containers(w))]
    assert pods, f"no workload runs {image}"
    for w in pods:
        assert pod(w)["securityContext"]["runAsUser"] == int(uid), f"{label(w)} runs as another uid than {image}"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_manifests_start_what_the_image_exposes(dockerfile):
    image = f"troubleshooter-{dockerfile.name.removesuffix('.Dockerfile')}"
    final = dict(stages(dockerfile)[-1])
    exposed = int(final["EXPOSE"])
    commands = load_entrypoint().COMMANDS
    for w in of_kind(*WORKLOADS):
        for c in containers(w):
            if c["image"].split(":")[0] == image:
                assert exposed in [p["containerPort"] for p in c["ports"]], f"{label(w)} vs EXPOSE {exposed}"
                assert c["args"][0] in commands, f"{label(w)}: {c['args']} is no command of entrypoint.py"
                assert json.loads(final["CMD"])[0] == c["args"][0]


def test_the_readme_builds_every_image_the_manifests_run():
    readme = (DEPLOY / "README.md").read_text()
    built = dict(re.findall(r"docker build -f (deploy/docker/\S+\.Dockerfile) -t (\S+) \.", readme))
    built = {tag: path for path, tag in built.items()}
    ours = {c["image"] for w in of_kind(*WORKLOADS) for c in containers(w) if c["image"].startswith("troubleshooter-")}
    assert ours and ours <= set(built), f"not built by deploy/README.md: {ours - set(built)}"
    assert all((ROOT / path).is_file() for path in built.values())


# ----- the entry point ---------------------------------------------------------------------------------
def test_the_entrypoint_uses_what_run_py_still_provides():
    run = load_entrypoint().project_script("run")
    for name in ("check_knowledge_base", "check_stores", "chatwoot_deliveries", "require_reachable"):
        assert callable(getattr(run, name, None)), f"scripts/run.py has no {name}() any more"


def test_the_rasa_command_is_run_py_production_mode_on_the_pods_address():
    entry = load_entrypoint()
    argv = entry.rasa_argv(Path("m.tar.gz"), Path("e.yml"), Path("c.yml"), "tok", 5005)
    assert argv[1].endswith("scripts/rasa") and argv[2:4] == ["run", "-m"]
    joined = " ".join(argv)
    for part in (
        "--enable-api",
        "-i 0.0.0.0",
        "-p 5005",
        "--endpoints e.yml",
        "--credentials c.yml",
        "--auth-token tok",
    ):
        assert part in joined
    assert "--cors" not in joined  # run.py: Sanic-CORS would add a second Allow-Origin to socket.io's


def test_rasa_does_not_start_without_its_token(monkeypatch):
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exc:
        load_entrypoint().start_rasa()
    assert exc.value.code == 2


def test_a_config_file_with_an_unset_or_unexpanded_variable_is_refused(tmp_path, monkeypatch):
    entry = load_entrypoint()
    path = tmp_path / "endpoints.yml"
    path.write_text("lock_store:\n  password: ${DEPLOY_TEST_PASSWORD}\n")
    monkeypatch.delenv("DEPLOY_TEST_PASSWORD", raising=False)
    with pytest.raises(SystemExit):
        entry.read_config(path)
    monkeypatch.setenv("DEPLOY_TEST_PASSWORD", "")  # set but empty: an empty Redis password means no auth
    with pytest.raises(SystemExit):
        entry.read_config(path)
    monkeypatch.setenv("DEPLOY_TEST_PASSWORD", "s3cret")
    assert entry.read_config(path) == {"lock_store": {"password": "s3cret"}}
    path.write_text('lock_store:\n  password: "${DEPLOY_TEST_PASSWORD}"\n')  # quoted: Rasa leaves it as it is
    with pytest.raises(SystemExit):
        entry.read_config(path)


def test_the_model_is_the_one_in_the_image(tmp_path, monkeypatch):
    entry = load_entrypoint()
    monkeypatch.setattr(entry, "ROOT", tmp_path)
    monkeypatch.delenv("RASA_MODEL", raising=False)
    (tmp_path / "models").mkdir()
    with pytest.raises(SystemExit):
        entry.model_file()
    (tmp_path / "models" / "troubleshooter-aaa.tar.gz").write_bytes(b"")
    assert entry.model_file().name == "troubleshooter-aaa.tar.gz"
    (tmp_path / "models" / "troubleshooter-bbb.tar.gz").write_bytes(b"")
    with pytest.raises(SystemExit):
        entry.model_file()


def test_the_stores_are_waited_for_then_given_up_on(monkeypatch, capsys):
    entry = load_entrypoint()
    monkeypatch.setattr(entry.time, "sleep", lambda s: None)

    class Run:
        failures = 2

        def check_stores(self, config, endpoints):
            if self.failures:
                self.failures -= 1
                raise SystemExit("The lock store at redis:6379 is unreachable")

        def chatwoot_deliveries(self, config, endpoints):
            return "redis://:pw@redis:6379/2"

    assert entry.wait_for_stores(Run(), {}, Path("e.yml"), seconds=60) == "redis://:pw@redis:6379/2"
    with pytest.raises(SystemExit) as exc:
        entry.wait_for_stores(Run(), {}, Path("e.yml"), seconds=0)
    assert exc.value.code == 1
    assert capsys.readouterr().err.strip().endswith("The lock store at redis:6379 is unreachable")


def test_a_store_url_is_logged_without_its_password(monkeypatch, capsys):
    entry = load_entrypoint()
    monkeypatch.setattr(entry.time, "sleep", lambda s: None)

    class Run:
        def check_stores(self, config, endpoints):
            raise SystemExit("The Chatwoot delivery store at redis://:hunter2@redis:6379/2 is unreachable: refused")

    with pytest.raises(SystemExit):
        entry.wait_for_stores(Run(), {}, Path("e.yml"), seconds=0)
    err = capsys.readouterr().err
    assert "hunter2" not in err and "redis://***@redis:6379/2" in err
    assert entry.redact("postgresql://rasa:pw@db:5432/rasa and redis://redis:6379") == (
        "postgresql://***@db:5432/rasa and redis://redis:6379"
    )


def test_the_page_server_binds_the_pods_address_and_points_the_widget_at_the_public_origin(monkeypatch):
    import socketserver

    entry = load_entrypoint()
    bound = []

    class Served(Exception):
        pass

    def serve_forever(self, *args):
        self.server_close()
        raise Served

    monkeypatch.setattr(socketserver.TCPServer, "server_bind", lambda self: bound.append(self.server_address))
    monkeypatch.setattr(socketserver.TCPServer, "server_activate", lambda self: None)
    monkeypatch.setattr(socketserver.BaseServer, "serve_forever", serve_forever)
    monkeypatch.delenv("ANALYTICS_TOKEN", raising=False)
    serve_web = entry.serve_web_on_all_interfaces()
    monkeypatch.setattr("sys.argv", entry.web_argv("https://bot.example.org", 8080, ROOT / "endpoints.yml"))
    with pytest.raises(Served):
        serve_web.main()
    assert bound == [("0.0.0.0", 8080)]
    assert serve_web.Handler.socket_url == "https://bot.example.org"


class Status(BaseHTTPRequestHandler):
    """A Rasa server's /status: 401 without the token, 409 while no model is loaded."""

    token, loaded = "right", True

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        if query.get("token") != [self.token]:
            status, body = 401, {"message": "User is not authenticated."}
        elif not self.loaded:
            status, body = 409, {"message": "No agent loaded."}
        else:
            status, body = 200, {"model_file": "troubleshooter-x.tar.gz"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_the_readiness_check_needs_the_token_and_a_loaded_model(monkeypatch):
    entry = load_entrypoint()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        assert entry.ready(port, "right") == 0
        assert entry.ready(port, "wrong") == 1
        monkeypatch.setattr(Status, "loaded", False)
        assert entry.ready(port, "right") == 1
    finally:
        server.shutdown()
        server.server_close()
    assert entry.ready(port, "right", timeout=1) == 1  # nothing listening
