"""Tests for ktui.api.validation: each rule with kube-apiserver's exact message."""

from __future__ import annotations

import copy

import pytest

from ktui.api.defaults import apply_defaults, job_prepare_for_create
from ktui.api.errors import invalid
from ktui.api.validation import parse_cron_schedule, validate_create, validate_update
from ktui.api.validation.names import is_dns1123_label, is_qualified_name, mask_trailing_dash

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)


def msgs(errs) -> list[str]:
    return [str(e) for e in errs]


def pod(**spec_extra) -> dict:
    spec = {"containers": [{"name": "web", "image": "nginx"}], **spec_extra}
    return apply_defaults(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"}, "spec": spec}
    )


def create(obj: dict) -> list[str]:
    return msgs(validate_create(apply_defaults(obj)))


# Names and metadata -----------------------------------------------------------------------------------------


def test_valid_pod_has_no_errors() -> None:
    assert validate_create(pod()) == []


def test_name_required_unless_generate_name() -> None:
    obj = pod()
    del obj["metadata"]["name"]
    assert msgs(validate_create(obj)) == ["metadata.name: Required value: name or generateName is required"]


def test_subdomain_name_message() -> None:
    obj = pod()
    obj["metadata"]["name"] = "Web_1"
    assert msgs(validate_create(obj)) == [f'metadata.name: Invalid value: "Web_1": {SUBDOMAIN_MSG}']


def test_generate_name_trailing_dash_allowed() -> None:
    obj = pod()
    obj["metadata"] = {"generateName": "web-", "name": "web-x7k2p", "namespace": "default"}
    assert validate_create(obj) == []
    assert mask_trailing_dash("web-") == "wea"


def test_namespace_required_for_namespaced_kinds() -> None:
    obj = pod()
    del obj["metadata"]["namespace"]
    assert msgs(validate_create(obj)) == ["metadata.namespace: Required value"]


def test_namespace_name_is_dns_label() -> None:
    assert create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team.a"}}) == [
        'metadata.name: Invalid value: "team.a": must not contain dots'
    ]
    assert create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Dev"}}) == [
        f'metadata.name: Invalid value: "Dev": {LABEL_MSG}'
    ]
    assert create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}) == []


def test_namespace_forbidden_on_cluster_scoped_kind() -> None:
    assert create({"kind": "Namespace", "metadata": {"name": "dev", "namespace": "default"}}) == [
        "metadata.namespace: Forbidden: not allowed on this type"
    ]


def test_long_label_name() -> None:
    assert is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]


def test_label_key_and_value_messages() -> None:
    obj = pod()
    obj["metadata"]["labels"] = {"app": "-web", "example.com/": "x"}
    assert msgs(validate_create(obj)) == [
        'metadata.labels: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric '
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
        "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        'metadata.labels: Invalid value: "example.com/": name part must be non-empty',
        "metadata.labels: Invalid value: \"example.com/\": name part must consist of alphanumeric characters, '-', "
        "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]


def test_qualified_name_prefix() -> None:
    assert is_qualified_name("Example.com/app") == [f"prefix part {SUBDOMAIN_MSG}"]
    assert is_qualified_name("kubernetes.io/metadata.name") == []


def test_annotation_keys_are_case_insensitive() -> None:
    obj = pod()
    obj["metadata"]["annotations"] = {"Example.COM/Owner": "me", "bad key": "x"}
    errs = msgs(validate_create(obj))
    assert len(errs) == 1 and errs[0].startswith(
        'metadata.annotations: Invalid value: "bad key": name part must consist'
    )


def test_invalid_builds_422_message() -> None:
    obj = pod()
    obj["metadata"]["name"] = "Web_1"
    err = invalid("Pod", "Web_1", validate_create(obj))
    assert err.code == 422
    assert err.message == f'Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": {SUBDOMAIN_MSG}'


# Pod --------------------------------------------------------------------------------------------------------


def test_containers_required() -> None:
    obj = pod()
    obj["spec"]["containers"] = []
    assert msgs(validate_create(obj)) == ["spec.containers: Required value"]


def test_container_name_image_and_duplicates() -> None:
    obj = apply_defaults(
        {
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "a"}, {"name": "Bad_Name", "image": "x"}]},
        }
    )
    assert msgs(validate_create(obj)) == [
        "spec.containers[1].image: Required value",
        'spec.containers[1].name: Duplicate value: "a"',
        f'spec.containers[2].name: Invalid value: "Bad_Name": {LABEL_MSG}',
    ]


def test_container_ports() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["ports"] = [
        {"containerPort": 0, "protocol": "TCP"},
        {"containerPort": 70000, "protocol": "TCP"},
        {"containerPort": 80, "protocol": "HTTP", "name": "web"},
        {"containerPort": 81, "protocol": "TCP", "name": "web"},
        {"containerPort": 82, "protocol": "TCP", "name": "Web--x"},
    ]
    assert msgs(validate_create(obj)) == [
        # A zero containerPort is "Required value" upstream (ports 0 and empty are the same in Go).
        "spec.containers[0].ports[0].containerPort: Required value",
        "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[3].name: Duplicate value: "web"',
        'spec.containers[0].ports[4].name: Invalid value: "Web--x": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[4].name: Invalid value: "Web--x": must not contain consecutive hyphens',
    ]


def test_negative_container_port() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["ports"] = [{"containerPort": -1, "protocol": "TCP"}]
    assert msgs(validate_create(obj)) == [
        "spec.containers[0].ports[0].containerPort: Invalid value: -1: must be between 1 and 65535, inclusive"
    ]


def test_restart_and_dns_policy_supported_values() -> None:
    obj = pod(restartPolicy="Sometimes", dnsPolicy="Google")
    assert msgs(validate_create(obj)) == [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]


def test_requests_must_not_exceed_limits() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["resources"] = {
        "limits": {"cpu": "1", "memory": "1Gi"},
        "requests": {"cpu": "2", "memory": "512Mi"},
    }
    assert msgs(validate_create(obj)) == [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'
    ]


def test_resource_names_and_quantities() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["resources"] = {"requests": {"gpu": "1", "memory": "-1Gi", "cpu": "lots"}}
    assert msgs(validate_create(obj)) == [
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
        'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[cpu]: Invalid value: "lots": quantities must match the regular '
        "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]


def test_env_names_and_sources() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["env"] = [
        {"name": "GOOD_1", "value": "x"},
        {"name": "A=B", "value": "x"},
        {"value": "x"},
        {"name": "FROM", "valueFrom": {}},
        {"name": "BOTH", "value": "x", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}},
    ]
    assert msgs(validate_create(obj)) == [
        'spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist '
        "only of printable ASCII characters other than '='",
        "spec.containers[0].env[2].name: Required value",
        'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, '
        "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        'spec.containers[0].env[4].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ]


def test_volume_mounts_and_volumes() -> None:
    obj = apply_defaults(
        {
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {
                "volumes": [
                    {"name": "data"},
                    {"name": "data"},
                    {"name": "two", "emptyDir": {}, "configMap": {"name": "c"}},
                ],
                "containers": [
                    {
                        "name": "c",
                        "image": "x",
                        "volumeMounts": [{"name": "nope", "mountPath": "/a"}, {"name": "data", "mountPath": "/a"}],
                    }
                ],
            },
        }
    )
    assert msgs(validate_create(obj)) == [
        'spec.volumes[1].name: Duplicate value: "data"',
        "spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type",
        'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    ]


def test_probe_rules() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["livenessProbe"] = {
        "successThreshold": 2,
        "periodSeconds": 10,
        "timeoutSeconds": 1,
        "failureThreshold": 3,
    }
    obj["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 0, "scheme": "FTP"},
        "successThreshold": 1,
    }
    assert msgs(validate_create(obj)) == [
        "spec.containers[0].livenessProbe: Required value: must specify a handler type",
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
        "spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
        'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
    ]


def test_tolerations() -> None:
    obj = pod(
        tolerations=[
            {"operator": "Equal", "value": "x"},
            {"key": "k", "operator": "Exists", "value": "v", "tolerationSeconds": 5},
        ]
    )
    assert msgs(validate_create(obj)) == [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        "spec.tolerations[1].effect: Invalid value: \"\": effect must be 'NoExecute' when `tolerationSeconds` is set",
        "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    ]


def test_ephemeral_containers_forbidden_on_create() -> None:
    obj = pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}])
    assert "spec.ephemeralContainers: Forbidden: cannot be set on create" in msgs(validate_create(obj))


def test_pod_update_image_is_allowed() -> None:
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.27"
    new["metadata"]["labels"] = {"tier": "web"}
    assert validate_update(new, old) == []


def test_pod_update_forbidden_message() -> None:
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    errs = msgs(validate_update(new, old))
    assert len(errs) == 1
    assert errs[0].startswith(
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
        "previously negative)\n"
    )


def test_pod_update_containers_and_deadline() -> None:
    old = pod(activeDeadlineSeconds=30)
    new = copy.deepcopy(old)
    new["spec"]["activeDeadlineSeconds"] = 60
    assert msgs(validate_update(new, old)) == [
        "spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"
    ]
    new = copy.deepcopy(old)
    new["spec"]["containers"] = []
    assert (
        msgs(validate_update(new, old))[-1]
        == "spec.containers: Forbidden: pod updates may not add or remove containers"
    )


def test_pod_update_tolerations_additions_only() -> None:
    old = pod(tolerations=[{"key": "a", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}])
    added = copy.deepcopy(old)
    added["spec"]["tolerations"].append({"key": "b", "operator": "Exists"})
    added["spec"]["tolerations"][0]["tolerationSeconds"] = 60
    assert validate_update(added, old) == []
    removed = copy.deepcopy(old)
    removed["spec"]["tolerations"] = []
    assert msgs(validate_update(removed, old)) == [
        "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"
    ]


def test_metadata_name_immutable() -> None:
    old = pod()
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "other"
    assert msgs(validate_update(new, old)) == ['metadata.name: Invalid value: "other": field is immutable']


# Service ----------------------------------------------------------------------------------------------------


def svc(**spec) -> dict:
    return apply_defaults(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"}, "spec": spec}
    )


def test_valid_service() -> None:
    assert validate_create(svc(selector={"app": "web"}, ports=[{"port": 80}])) == []


def test_service_name_is_dns1035() -> None:
    obj = svc(ports=[{"port": 80}])
    obj["metadata"]["name"] = "1web"
    assert msgs(validate_create(obj)) == [f'metadata.name: Invalid value: "1web": {DNS1035_MSG}']


def test_service_ports_required() -> None:
    assert msgs(validate_create(svc(selector={"app": "web"}))) == ["spec.ports: Required value"]
    assert validate_create(svc(clusterIP="None")) == []  # headless services may have no ports


def test_service_port_rules() -> None:
    obj = svc(
        ports=[
            {"port": 80},
            {"port": 0, "name": "b"},
            {"port": 443, "name": "b", "protocol": "HTTP", "targetPort": "Https"},
        ]
    )
    assert msgs(validate_create(obj)) == [
        "spec.ports[0].name: Required value",
        "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        'spec.ports[2].name: Duplicate value: "b"',
        'spec.ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        'spec.ports[2].targetPort: Invalid value: "Https": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]


def test_service_duplicate_port_and_protocol() -> None:
    errs = msgs(validate_create(svc(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80}])))
    assert len(errs) == 1 and errs[0].startswith("spec.ports[1]: Duplicate value: ")


def test_service_type_and_selector() -> None:
    obj = svc(ports=[{"port": 80}], selector={"app": "web app"})
    obj["spec"]["type"] = "Ingress"
    assert msgs(validate_create(obj)) == [
        'spec.selector: Invalid value: "web app": a valid label must be an empty string or consist of '
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
        "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]


def test_service_node_port_on_cluster_ip() -> None:
    assert msgs(validate_create(svc(ports=[{"port": 80, "nodePort": 30080}]))) == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    ]


def test_service_external_name() -> None:
    assert validate_create(svc(type="ExternalName", externalName="db.example.com.")) == []
    assert msgs(validate_create(svc(type="ExternalName"))) == ["spec.externalName: Required value"]


def test_service_cluster_ip_immutable() -> None:
    old = svc(selector={"app": "web"}, ports=[{"port": 80}], clusterIP="10.96.0.10", clusterIPs=["10.96.0.10"])
    assert validate_create(old) == []
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"] = "10.96.0.99"
    # The registry derives clusterIPs from clusterIP first, so the error names clusterIPs as in v1.37.
    assert msgs(validate_update(new, old)) == [
        'spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set'
    ]
    cleared = copy.deepcopy(old)
    del cleared["spec"]["clusterIP"], cleared["spec"]["clusterIPs"]
    assert validate_update(cleared, old)[0].detail == "primary clusterIP can not be unset"


def test_service_cluster_ip_must_be_ip() -> None:
    assert msgs(validate_create(svc(ports=[{"port": 80}], clusterIP="10.96.0.300"))) == [
        'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'
    ]


# Workloads --------------------------------------------------------------------------------------------------


def deployment(**spec) -> dict:
    base = {
        "selector": {"matchLabels": {"app": "x"}},
        "template": {
            "metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
        },
    }
    return apply_defaults(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "x", "namespace": "default"},
            "spec": {**base, **spec},
        }
    )


def test_valid_deployment() -> None:
    assert validate_create(deployment()) == []


def test_deployment_selector_required_and_must_match() -> None:
    obj = deployment()
    del obj["spec"]["selector"]
    assert msgs(validate_create(obj)) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
    ]
    obj = deployment(selector={"matchLabels": {"app": "y"}})
    assert msgs(validate_create(obj)) == [
        'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`'
    ]


def test_deployment_empty_selector_and_negative_replicas() -> None:
    assert msgs(validate_create(deployment(selector={}, replicas=-1))) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment",
    ]


def test_deployment_selector_expressions() -> None:
    obj = deployment(selector={"matchExpressions": [{"key": "app", "operator": "In", "values": ["x", "z"]}]})
    assert validate_create(obj) == []
    obj = deployment(selector={"matchExpressions": [{"key": "app", "operator": "Near"}]})
    assert (
        msgs(validate_create(obj))[0]
        == 'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'
    )


def test_deployment_max_surge_and_unavailable_both_zero() -> None:
    obj = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}})
    assert msgs(validate_create(obj)) == [
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
    ]
    obj = deployment(strategy={"rollingUpdate": {"maxSurge": "0%", "maxUnavailable": "0%"}})
    assert msgs(validate_create(obj)) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'
    ]


def test_deployment_strategy_values() -> None:
    obj = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "x", "maxUnavailable": "150%"}})
    assert msgs(validate_create(obj)) == [
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: "x": a valid percent string must be a numeric '
        "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]
    assert msgs(validate_create(deployment(strategy={"type": "Recreate", "rollingUpdate": {}}))) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
    ]


def test_deployment_template_restart_policy() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert msgs(validate_create(obj)) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]


def test_deployment_template_container_errors_use_template_path() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    assert msgs(validate_create(obj)) == ["spec.template.spec.containers[0].image: Required value"]


def test_deployment_selector_immutable() -> None:
    old = deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "y"}}
    new["spec"]["template"]["metadata"]["labels"] = {"app": "y"}
    assert msgs(validate_update(new, old)) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"y"}}: field is immutable'
    ]
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 5
    assert validate_update(scaled, old) == []


def test_progress_deadline_must_exceed_min_ready() -> None:
    assert msgs(validate_create(deployment(minReadySeconds=600))) == [
        "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"
    ]


def _rs(kind: str, **spec) -> dict:
    base = {
        "selector": {"matchLabels": {"app": "x"}},
        "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
    }
    return apply_defaults(
        {
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": {"name": "x", "namespace": "default"},
            "spec": {**base, **spec},
        }
    )


def test_replica_set_rules() -> None:
    assert validate_create(_rs("ReplicaSet")) == []
    assert msgs(validate_create(_rs("ReplicaSet", replicas=-2, selector={}))) == [
        "spec.replicas: Invalid value: -2: must be greater than or equal to 0",
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment",
    ]
    old = _rs("ReplicaSet")
    new = copy.deepcopy(old)
    new["spec"]["selector"]["matchLabels"]["tier"] = "web"
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "web"
    assert msgs(validate_update(new, old)) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"x","tier":"web"}}: field is immutable'
    ]


def test_daemon_set_rules() -> None:
    assert validate_create(_rs("DaemonSet")) == []
    obj = _rs(
        "DaemonSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}
    )
    assert msgs(validate_create(obj)) == [
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
    ]
    obj = _rs(
        "DaemonSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}
    )
    assert msgs(validate_create(obj)) == [
        "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"
    ]
    obj = _rs("DaemonSet", selector={"matchLabels": {"app": "y"}})
    assert msgs(validate_create(obj)) == [
        'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`'
    ]


def test_stateful_set_rules() -> None:
    obj = _rs("StatefulSet", serviceName="x")
    assert validate_create(obj) == []
    bad = _rs("StatefulSet", podManagementPolicy="Random", selector={})
    assert msgs(validate_create(bad)) == [
        "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
        "spec.selector: Invalid value: {}: empty selector is not valid for statefulset.",
    ]
    new = copy.deepcopy(obj)
    new["spec"]["replicas"] = 3
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "y"
    assert validate_update(new, obj) == []
    new["spec"]["serviceName"] = "other"
    assert msgs(validate_update(new, obj)) == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    ]


def test_replication_controller() -> None:
    rc = apply_defaults(
        {
            "kind": "ReplicationController",
            "metadata": {"name": "rc", "namespace": "default"},
            "spec": {
                "template": {
                    "metadata": {"labels": {"app": "a"}},
                    "spec": {"containers": [{"name": "c", "image": "x"}]},
                }
            },
        }
    )
    assert validate_create(rc) == []
    rc["spec"]["selector"] = {"app": "b"}
    assert msgs(validate_create(rc)) == [
        'spec.template.metadata.labels: Invalid value: {"app":"a"}: `selector` does not match template `labels`'
    ]


# Batch ------------------------------------------------------------------------------------------------------


def job(**template_spec) -> dict:
    spec = {"containers": [{"name": "pi", "image": "perl"}], **template_spec}
    obj = apply_defaults(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default"},
            "spec": {"template": {"spec": spec}},
        }
    )
    job_prepare_for_create(obj, "0f6c-uid")
    return obj


def test_valid_job() -> None:
    assert validate_create(job(restartPolicy="Never")) == []


def test_job_restart_policy_not_defaulted_to_never() -> None:
    assert msgs(validate_create(job())) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'
    ]


def test_job_selector_required_without_registry_step() -> None:
    obj = apply_defaults(
        {
            "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Never"}}},
        }
    )
    assert msgs(validate_create(obj)) == [
        "spec.selector: Required value",
        "spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`",
    ]


def test_job_counts_and_update() -> None:
    obj = job(restartPolicy="Never")
    obj["spec"]["parallelism"] = -1
    assert msgs(validate_create(obj)) == ["spec.parallelism: Invalid value: -1: must be greater than or equal to 0"]
    old = job(restartPolicy="Never")
    new = copy.deepcopy(old)
    new["spec"]["completions"] = 3
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:5"
    errs = msgs(validate_update(new, old))
    assert errs[0] == "spec.completions: Invalid value: 3: field is immutable"
    assert errs[1].startswith("spec.template: Invalid value: {") and errs[1].endswith("}: field is immutable")


def cronjob(schedule: str, **spec) -> dict:
    template = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "OnFailure"}}
        }
    }
    return apply_defaults(
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "hello", "namespace": "default"},
            "spec": {"schedule": schedule, "jobTemplate": template, **spec},
        }
    )


@pytest.mark.parametrize(
    "schedule", ["*/1 * * * *", "0 0 * * 0", "@hourly", "30 2 1-15 jan,jul mon-fri", "@every 1h30m", "5 4 * * sun"]
)
def test_valid_cron_schedules(schedule: str) -> None:
    assert validate_create(cronjob(schedule)) == []


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("x", "expected exactly 5 fields, found 1: [x]"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ],
)
def test_bad_cron_schedules(schedule: str, message: str) -> None:
    assert msgs(validate_create(cronjob(schedule))) == [f'spec.schedule: Invalid value: "{schedule}": {message}']
    with pytest.raises(ValueError):
        parse_cron_schedule(schedule)


def test_cronjob_other_rules() -> None:
    assert msgs(validate_create(cronjob(""))) == ["spec.schedule: Required value"]
    assert msgs(validate_create(cronjob("* * * * *", concurrencyPolicy="Sometimes"))) == [
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'
    ]
    assert msgs(validate_create(cronjob("CRON_TZ=UTC * * * * *"))) == [
        'spec.schedule: Invalid value: "CRON_TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'
    ]
    long_name = cronjob("* * * * *")
    long_name["metadata"]["name"] = "c" * 53
    assert msgs(validate_create(long_name)) == [
        f'metadata.name: Invalid value: "{"c" * 53}": must be no more than 52 characters'
    ]


# ConfigMap, Secret, quota -----------------------------------------------------------------------------------


def test_config_map_keys() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": {"app.conf": "x", "bad key": "y", "..hidden": "z"},
    }
    assert create(obj) == [
        'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '
        "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        "data[..hidden]: Invalid value: \"..hidden\": must not start with '..'",
    ]


def test_config_map_immutable() -> None:
    old = {
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": {"a": "1"},
        "immutable": True,
    }
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    assert msgs(validate_update(new, old)) == ["data: Forbidden: field is immutable when `immutable` is set"]


def test_secret_rules() -> None:
    tls = {"kind": "Secret", "metadata": {"name": "s", "namespace": "default"}, "type": "kubernetes.io/tls", "data": {}}
    assert create(tls) == ["data[tls.crt]: Required value", "data[tls.key]: Required value"]
    opaque = apply_defaults(
        {"kind": "Secret", "metadata": {"name": "s", "namespace": "default"}, "data": {"k": "dg=="}}
    )
    assert validate_create(opaque) == []
    changed = copy.deepcopy(opaque)
    changed["type"] = "kubernetes.io/basic-auth"
    changed["data"] = {"username": "YQ=="}
    assert msgs(validate_update(changed, opaque)) == [
        'type: Invalid value: "kubernetes.io/basic-auth": field is immutable'
    ]


def test_resource_quota_hard() -> None:
    obj = {
        "kind": "ResourceQuota",
        "metadata": {"name": "q", "namespace": "default"},
        "spec": {
            "hard": {
                "pods": "10",
                "requests.cpu": "4",
                "count/deployments.apps": "5",
                "services": "1.5",
                "widgets": "1",
                "limits.memory": "2Gi",
            }
        },
    }
    assert create(obj) == [
        'spec.hard[services]: Invalid value: "1500m": must be an integer',
        'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource type or fully qualified',
        'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota',
    ]


def test_kinds_without_rules_get_metadata_validation() -> None:
    assert validate_create({"kind": "ClusterRole", "metadata": {"name": "system:discovery"}}) == []
    assert msgs(validate_create({"kind": "Role", "metadata": {"name": "a/b", "namespace": "default"}})) == [
        "metadata.name: Invalid value: \"a/b\": may not contain '/'"
    ]
    assert msgs(validate_create({"kind": "Widget", "metadata": {"name": ".."}})) == [
        "metadata.name: Invalid value: \"..\": may not be '..'"
    ]
    assert msgs(validate_create({"kind": "PriorityClass", "metadata": {"name": "High"}}))[0].startswith(
        'metadata.name: Invalid value: "High": '
    )


def test_size_limits() -> None:
    obj = pod()
    obj["metadata"]["annotations"] = {"note": "x" * (256 * 1024)}
    assert msgs(validate_create(obj)) == ["metadata.annotations: Too long: may not be more than 262144 bytes"]
    big = {
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "default"},
        "type": "Opaque",
        "data": {"k": "y" * (1024 * 1024 + 1)},
    }
    assert msgs(validate_create(big)) == ["data: Too long: may not be more than 1048576 bytes"]


def test_node_name_with_scheduling_gates() -> None:
    obj = pod(nodeName="node-1", schedulingGates=[{"name": "example.com/wait"}])
    assert msgs(validate_create(obj)) == [
        "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"
    ]


def test_namespace_finalizers_and_misc_kinds() -> None:
    ns = {"kind": "Namespace", "metadata": {"name": "dev"}, "spec": {"finalizers": ["cleanup"]}}
    assert create(ns) == [
        'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'
    ]
    ep = {
        "kind": "Endpoints",
        "metadata": {"name": "web", "namespace": "default"},
        "subsets": [{"addresses": [{"ip": "10.0.0.300"}], "ports": [{"port": 80}]}],
    }
    assert create(ep) == [
        'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'
    ]
    pvc = {
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "default"},
        "spec": {"resources": {"requests": {"storage": "1Gi"}}},
    }
    assert create(pvc) == ["spec.accessModes: Required value: at least 1 access mode is required"]
    node = {
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "spec": {"taints": [{"key": "dedicated", "effect": "Sometimes"}]},
    }
    assert create(node) == [
        'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'
    ]
