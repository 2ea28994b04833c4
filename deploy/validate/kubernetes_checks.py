"""deploy/kubernetes: the bridge accepts the config each Deployment gives it (the ConfigMap's file
plus the literal BRIDGE__* variables, then also those from the example Secret), and
kustomization.yaml lists what exists and leaves the example Secret out."""

import base64
import glob
import os
import posixpath

import yaml

from common import K8S_DIR, WORK, Problem, bad, bridge_vars, check_config, config_path_from, load, ok


def load_docs():
    """(file, document) for every manifest but kustomization.yaml."""
    docs = []
    for path in sorted(glob.glob(os.path.join(K8S_DIR, "*.yaml"))):
        if os.path.basename(path) == "kustomization.yaml":
            continue
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    docs.append((path, doc))
    return docs


def find(docs, kind, name):
    for path, doc in docs:
        if doc.get("kind") == kind and doc.get("metadata", {}).get("name") == name:
            return doc
    return None


def secret_value(secret, key):
    if key in (secret.get("stringData") or {}):
        return str(secret["stringData"][key])
    if key in (secret.get("data") or {}):
        return base64.b64decode(secret["data"][key]).decode()
    return None


def check_container(docs, name, volumes, container):
    label = f"kubernetes {name}/{container['name']}"
    try:
        literal, from_secret = {}, {}
        for item in container.get("env") or []:
            if "value" in item:
                literal[item["name"]] = str(item["value"])
            elif "secretKeyRef" in (item.get("valueFrom") or {}):
                from_secret[item["name"]] = item["valueFrom"]["secretKeyRef"]
        args = (container.get("command") or []) + (container.get("args") or [])
        container_path = config_path_from(literal, args)
        source = None
        for mount in container.get("volumeMounts") or []:
            target = mount["mountPath"].rstrip("/")
            if container_path == target or container_path.startswith(target + "/"):
                if source is None or len(target) > len(source[0]):
                    source = (target, mount)
        if source is None:
            raise Problem(f"nothing is mounted at {container_path}")
        target, mount = source
        volume = volumes.get(mount["name"]) or {}
        if "configMap" not in volume:
            raise Problem(f"{target} is not a ConfigMap volume")
        inside = mount.get("subPath") or posixpath.relpath(container_path, target)
        key = inside
        for item in volume["configMap"].get("items") or []:
            if item["path"] == inside:
                key = item["key"]
                break
        cm_name = volume["configMap"]["name"]
        cm = find(docs, "ConfigMap", cm_name)
        if cm is None or key not in (cm.get("data") or {}):
            raise Problem(f"ConfigMap {cm_name} has no key {key!r} in {K8S_DIR}")
        config_file = os.path.join(WORK, f"{name}-{container['name']}-{key}")
        with open(config_file, "w") as f:
            f.write(cm["data"][key])
        check_config(f"{label} (ConfigMap {cm_name}/{key}, literal env)", config_file,
                     bridge_vars(literal, label))
        # The same again with the values the example Secret would supply.
        with_secret, used = dict(literal), []
        for var, ref in from_secret.items():
            secret = find(docs, "Secret", ref["name"])
            value = secret_value(secret, ref["key"]) if secret else None
            if value is None:
                if not ref.get("optional"):
                    raise Problem(f"{var}: Secret {ref['name']} key {ref['key']} is not in {K8S_DIR}")
                continue
            with_secret[var] = value
            used.append(var)
        if used:
            check_config(f"{label} (ConfigMap {cm_name}/{key}, literal env + example Secret)",
                         config_file, bridge_vars(with_secret, label))
    except (Problem, KeyError, TypeError, OSError) as err:
        bad(f"{label}: {err}")


def check_kubernetes():
    docs = load_docs()
    deployments = [(p, d) for p, d in docs if d.get("kind") == "Deployment"]
    if not deployments:
        bad(f"kubernetes: no Deployment in {K8S_DIR}")
    for path, dep in deployments:
        name = dep["metadata"]["name"]
        spec = dep["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in spec.get("volumes") or []}
        for container in spec.get("containers") or []:
            check_container(docs, name, volumes, container)

    # kustomization.yaml lists only files that exist and leaves the example Secret out.
    kustomization = os.path.join(K8S_DIR, "kustomization.yaml")
    if os.path.exists(kustomization):
        listed = (load(kustomization).get("resources") or [])
        gone = [r for r in listed if not os.path.exists(os.path.join(K8S_DIR, r))]
        problems = [f"lists missing {r}" for r in gone]
        problems += [f"includes the example {r}" for r in listed if "example" in r]
        if problems:
            bad("kustomization.yaml: " + "; ".join(problems))
        else:
            ok(f"kustomization.yaml: {len(listed)} resources, all present, example Secret left out")
