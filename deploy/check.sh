#!/bin/sh
# deploy/check.sh - validate what can be validated of the deploy files here
#
#   1. deploy/allybrief.cfg and the config in deploy/k8s/config.yaml pass
#      `allybrief config check` (their /etc/allybrief paths pointed at a
#      scratch directory holding real keys from `allybrief keygen`)
#   2. the systemd units pass `systemd-analyze verify` (their programs
#      pointed at the built ones); skipped with a message without systemd
#   3. the Kubernetes manifests parse as YAML and have the fields and
#      cross-references a cluster would insist on (python3 + PyYAML)
#   4. the Containerfile installs what the build needs (the Debian package
#      of every pkg-config module the Makefile links, also listed in
#      install-deps.sh) and what the programs load (the package of every
#      library a built program names as NEEDED)
#
#   AB_BIN=build/debug/bin sh deploy/check.sh
set -u
cd "$(dirname "$0")/.."
BIN=${AB_BIN:-build/debug/bin}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
SCRATCH=$(mktemp -d /tmp/ab-deploy-check-XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
rc=0
say () { echo "deploy/check: $*"; }

[ -x "$BIN/allybrief" ] || { say "$BIN/allybrief is missing: build first"; exit 1; }

# ---- 1. configuration files
ETC=$SCRATCH/etc/allybrief
for name in producer sink worker subscriber; do
    "$BIN/allybrief" keygen "$name" "$ETC/keys" >/dev/null || rc=1
done
mkdir -p "$ETC/allow"
check_config () {   # file, label
    sed -e "s|/etc/allybrief|$ETC|g" "$1" > "$SCRATCH/check.cfg"
    if "$BIN/allybrief" config check "$SCRATCH/check.cfg" >/dev/null 2>"$SCRATCH/problems"; then
        say "ok: $2"
    else
        sed "s|$SCRATCH/check.cfg|$2|" "$SCRATCH/problems"
        rc=1
    fi
}
check_config deploy/allybrief.cfg deploy/allybrief.cfg
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
    python3 -c 'import sys, yaml
for doc in yaml.safe_load_all(open("deploy/k8s/config.yaml")):
    if doc and doc.get("kind") == "ConfigMap" and "allybrief.cfg" in doc.get("data", {}):
        sys.stdout.write(doc["data"]["allybrief.cfg"])' > "$SCRATCH/k8s.cfg"
    check_config "$SCRATCH/k8s.cfg" "deploy/k8s/config.yaml (allybrief.cfg)"
fi

# ---- 2. systemd units
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$SCRATCH/units"
    for unit in deploy/systemd/*.service; do
        sed -e "s|/usr/local/bin/|$BIN/|g" "$unit" > "$SCRATCH/units/$(basename "$unit")"
    done
    # A template is verified through an instance of it
    cp "$SCRATCH/units/allybrief-worker@.service" "$SCRATCH/units/allybrief-worker@1.service"
    if (cd "$SCRATCH/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
            ./allybrief-producer.service ./allybrief-sink.service ./allybrief-worker@1.service) \
            >"$SCRATCH/verify" 2>&1 && ! grep -v "^$" "$SCRATCH/verify" | grep -q .; then
        say "ok: systemd-analyze verify deploy/systemd/*.service"
    else
        sed "s|$SCRATCH/units|deploy/systemd|g" "$SCRATCH/verify"
        say "systemd-analyze verify found problems"
        rc=1
    fi
else
    say "SKIPPED: systemd-analyze is not installed; systemd units not verified"
fi

# ---- 3. Kubernetes manifests
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
    python3 - deploy/k8s/*.yaml <<'PYTHON' || rc=1
import sys, yaml

problems = []
objects = []
for path in sys.argv[1:]:
    try:
        docs = [doc for doc in yaml.safe_load_all(open(path)) if doc is not None]
    except yaml.YAMLError as error:
        problems.append(f"{path}: not valid YAML: {error}")
        continue
    for doc in docs:
        objects.append((path, doc))

def need(path, doc, dotted):
    value = doc
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            problems.append(f"{path}: {doc.get('kind', '?')} {doc.get('metadata', {}).get('name', '?')}: "
                            f"missing {dotted}")
            return None
        value = value[part]
    return value

names = {}
for path, doc in objects:
    for field in ("apiVersion", "kind", "metadata.name"):
        need(path, doc, field)
    names.setdefault(doc.get("kind"), {})[doc.get("metadata", {}).get("name")] = doc

pod_labels = []
for path, doc in objects:
    kind = doc.get("kind")
    if kind == "Deployment":
        if doc.get("apiVersion") != "apps/v1":
            problems.append(f"{path}: Deployment needs apiVersion apps/v1")
        selector = need(path, doc, "spec.selector.matchLabels") or {}
        labels = need(path, doc, "spec.template.metadata.labels") or {}
        if any(labels.get(key) != value for key, value in selector.items()):
            problems.append(f"{path}: {doc['metadata']['name']}: selector does not match the pod labels")
        pod_labels.append(labels)
        spec = need(path, doc, "spec.template.spec") or {}
        volumes = {volume.get("name"): volume for volume in spec.get("volumes", [])}
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            for field in ("name", "image"):
                if field not in container:
                    problems.append(f"{path}: a container lacks {field}")
            for mount in container.get("volumeMounts", []):
                if mount.get("name") not in volumes:
                    problems.append(f"{path}: mount of undefined volume {mount.get('name')}")
        for volume in volumes.values():
            refs = []
            if "configMap" in volume:
                refs.append(("ConfigMap", volume["configMap"]["name"]))
            if "persistentVolumeClaim" in volume:
                refs.append(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
            for source in volume.get("projected", {}).get("sources", []):
                if "secret" in source:
                    refs.append(("Secret", source["secret"]["name"]))
            for ref_kind, ref_name in refs:
                # allybrief-allow is made by kubectl from the key files (README)
                if ref_name not in names.get(ref_kind, {}) and ref_name != "allybrief-allow":
                    problems.append(f"{path}: volume {volume['name']} names {ref_kind} {ref_name}, "
                                    f"defined nowhere in deploy/k8s")
    elif kind == "Service":
        if not need(path, doc, "spec.ports"):
            continue
        for port in doc["spec"]["ports"]:
            if not isinstance(port.get("port"), int):
                problems.append(f"{path}: Service {doc['metadata']['name']}: a port without a number")
for path, doc in objects:
    if doc.get("kind") == "Service":
        selector = doc.get("spec", {}).get("selector", {})
        if not any(all(labels.get(k) == v for k, v in selector.items()) for labels in pod_labels):
            problems.append(f"{path}: Service {doc['metadata']['name']} selects no Deployment's pods")
for kind in ("Deployment", "Service", "ConfigMap", "Secret"):
    if kind not in names:
        problems.append(f"deploy/k8s: no {kind} at all")
for problem in problems:
    print(problem)
if not problems:
    print(f"deploy/check: ok: {len(objects)} Kubernetes objects in deploy/k8s")
sys.exit(1 if problems else 0)
PYTHON
else
    say "SKIPPED: python3 with PyYAML (Debian python3-yaml) is missing; manifests not checked"
fi

# ---- 4. the Containerfile's packages
if command -v dpkg-query >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1; then
    # The apt-get lines of each stage: first the build stage, then the runtime one
    stage_packages () {     # stage number (1 build, 2 runtime)
        awk -v want="$1" '/^FROM /{stage++} stage == want' deploy/Containerfile
    }
    package_of () {         # file -> its Debian package, without the architecture
        dpkg-query -S "$(readlink -f "$1")" 2>/dev/null | head -1 | cut -d: -f1
    }
    missing=""
    for module in $(sed -n 's/^PKGS := //p' Makefile); do
        pc="$(pkg-config --variable=pcfiledir "$module" 2>/dev/null)/$module.pc"
        package=$(package_of "$pc")
        [ -n "$package" ] || { say "cannot tell which package gives pkg-config $module"; rc=1; continue; }
        stage_packages 1 | grep -qw -- "$package" || missing="$missing $package(build)"
        grep -qw -- "$package" deploy/install-deps.sh || missing="$missing $package(install-deps.sh)"
    done
    for soname in $(for program in "$BIN"/allybrief*; do readelf -d "$program"; done \
                    | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
        path=$(ldconfig -p | awk -v so="$soname" '$1 == so {print $NF; exit}')
        package=$([ -n "$path" ] && package_of "$path")
        #   libc6 is in every image; a sanitizer build's runtimes are not shipped
        case $package in libc6|libasan*|libubsan*|libgcc-s*|"") continue ;; esac
        stage_packages 2 | grep -qw -- "$package" || missing="$missing $package(runtime)"
    done
    if [ -n "$missing" ]; then
        say "deploy/Containerfile or install-deps.sh lacks:$missing"
        rc=1
    else
        say "ok: deploy/Containerfile installs every build and runtime package"
    fi
else
    say "SKIPPED: dpkg-query or readelf is missing; Containerfile packages not checked"
fi
exit $rc
