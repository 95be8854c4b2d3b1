"""kubectl's object builders called directly: pure functions of an object and their options."""

import copy
import json

import pytest

from ktui.kubectl.cmd_create import (
    ConfigMapOptions,
    DeploymentOptions,
    JobOptions,
    configmap_for,
    cronjob_for,
    deployment_for,
    job_for,
    namespace_for,
    serviceaccount_for,
)
from ktui.kubectl.cmd_create_ingress import IngressOptions, ingress_for
from ktui.kubectl.cmd_create_policy import (
    PDBOptions,
    PriorityClassOptions,
    QuotaOptions,
    pdb_for,
    priorityclass_for,
    quota_for,
)
from ktui.kubectl.cmd_create_rbac import (
    BindingOptions,
    RoleOptions,
    clusterrole_for,
    clusterrolebinding_for,
    role_for,
    rolebinding_for,
)
from ktui.kubectl.cmd_create_secret import SecretOptions, secret_for
from ktui.kubectl.cmd_create_service import CreateServiceOptions, create_service_for
from ktui.kubectl.cmd_expose import ServiceOptions, service_for
from ktui.kubectl.cmd_run import PodOptions, pod_for, run_service_for
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import content_hash


def _deployment() -> dict:
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web", "tier": "front"}},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}, {"containerPort": 443}]},
                        {"name": "metrics", "image": "exporter", "ports": [{"containerPort": 9100, "protocol": "UDP"}]},
                    ]
                },
            },
        },
    }


def test_service_for_a_deployment_takes_selector_labels_and_every_container_port():
    d = _deployment()
    before = copy.deepcopy(d)
    svc = service_for(d, ServiceOptions())
    assert d == before  # the exposed object is not touched
    assert svc == {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
        "spec": {
            "ports": [
                {"name": "port-1", "protocol": "TCP", "port": 80, "targetPort": 80},
                {"name": "port-2", "protocol": "TCP", "port": 443, "targetPort": 443},
                {"name": "port-3", "protocol": "UDP", "port": 9100, "targetPort": 9100},
            ],
            "selector": {"app": "web"},
        },
        "status": {"loadBalancer": {}},
    }


def test_service_for_with_flags_uses_them_instead_of_the_object():
    svc = service_for(
        _deployment(),
        ServiceOptions(
            name="front",
            port="8080",
            target_port="http",
            type="NodePort",
            selector="app=web,track=stable",
            labels="team=a",
        ),
    )
    assert json.dumps(svc) == json.dumps(
        {
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": {"name": "front", "labels": {"team": "a"}},
            "spec": {
                "ports": [{"protocol": "TCP", "port": 8080, "targetPort": "http"}],
                "selector": {"app": "web", "track": "stable"},
                "type": "NodePort",
            },
            "status": {"loadBalancer": {}},
        }
    )


@pytest.mark.parametrize(
    "obj, options, message",
    [
        (
            {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}},
            ServiceOptions(port="80"),
            "couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed",
        ),
        ({"kind": "ConfigMap", "metadata": {"name": "c"}}, ServiceOptions(), "cannot expose a ConfigMap"),
        (
            {"kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}},
            ServiceOptions(),
            "couldn't find port via --port flag or introspection",
        ),
        (
            {"kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {}},
            ServiceOptions(port="8o"),
            'strconv.Atoi: parsing "8o": invalid syntax',
        ),
    ],
)
def test_service_for_refuses_with_kubectls_messages(obj, options, message):
    with pytest.raises(KubectlError) as e:
        service_for(obj, options)
    assert e.value.message.rstrip("\n").endswith(message)


def test_service_options_from_flags_reads_the_dashed_flag_names():
    flags = {f.replace("_", "-"): "" for f in ServiceOptions.__dataclass_fields__}
    flags.update({"target-port": "8080", "load-balancer-ip": "10.0.0.9", "session-affinity": None})
    assert ServiceOptions.from_flags(flags) == ServiceOptions(target_port="8080", load_balancer_ip="10.0.0.9")


def test_deployment_for_builds_kubectls_deployment_in_field_order():
    got = deployment_for("web", DeploymentOptions(images=("nginx:1.27",), port=80, replicas=3))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "Deployment",
            "apiVersion": "apps/v1",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}], "resources": {}}
                        ]
                    },
                },
                "strategy": {},
            },
            "status": {},
        }
    )


def test_deployment_for_names_containers_from_images_and_keeps_an_explicit_namespace():
    got = deployment_for(
        "db", DeploymentOptions(images=("registry.io/team/my_app.v2:1@sha256:00", "busybox"), namespace="shop")
    )
    assert got["metadata"] == {"name": "db", "namespace": "shop", "labels": {"app": "db"}}
    assert [c["name"] for c in got["spec"]["template"]["spec"]["containers"]] == ["my-app-v2", "busybox"]
    assert got["spec"]["replicas"] == 1


def test_deployment_for_runs_a_command_in_its_one_container_only():
    got = deployment_for("sleeper", DeploymentOptions(images=("busybox",), command=("sleep", "3600")))
    assert got["spec"]["template"]["spec"]["containers"] == [
        {"name": "busybox", "image": "busybox", "command": ["sleep", "3600"], "resources": {}}
    ]
    with pytest.raises(KubectlError) as e:
        deployment_for("x", DeploymentOptions(images=("a", "b"), command=("sleep",)))
    assert "cannot specify multiple --image options and command" in e.value.message


def test_pod_for_builds_kubectl_runs_pod_in_field_order():
    got = pod_for("web", PodOptions(image="nginx", port=80, env=("A=1",), namespace="shop"))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"run": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx",
                        "ports": [{"containerPort": 80}],
                        "env": [{"name": "A", "value": "1"}],
                        "resources": {},
                    }
                ],
                "restartPolicy": "Always",
                "dnsPolicy": "ClusterFirst",
            },
            "status": {},
        }
    )


def test_pod_for_takes_args_or_a_command_labels_and_overrides():
    args = pod_for("p", PodOptions(image="busybox", args=("sleep", "1")))
    assert args["spec"]["containers"][0]["args"] == ["sleep", "1"]
    got = pod_for(
        "p",
        PodOptions(
            image="busybox",
            args=("sleep", "1"),
            command=True,
            labels="a=b",
            restart="Never",
            overrides='{"spec":{"hostNetwork":true}}',
        ),
    )
    assert got["metadata"]["labels"] == {"a": "b"}
    assert got["spec"]["containers"][0]["command"] == ["sleep", "1"]
    assert got["spec"]["restartPolicy"] == "Never" and got["spec"]["hostNetwork"] is True


@pytest.mark.parametrize(
    "options, message",
    [
        (PodOptions(image="x", env=("=1",)), "invalid env: =1"),
        (PodOptions(image="x", labels="nolabel"), "unexpected label spec: nolabel"),
        (PodOptions(image="x", overrides="{", override_type="json"), "unexpected end of JSON input"),
        (
            PodOptions(image="x", overrides="{}", override_type="json"),
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        ),
    ],
)
def test_pod_for_refuses_with_kubectls_messages(options, message):
    with pytest.raises(KubectlError) as e:
        pod_for("p", options)
    assert e.value.message.rstrip("\n").endswith(message)


def test_run_service_for_selects_the_pods_labels_on_its_port():
    options = PodOptions(image="nginx", port=8080, labels="app=web")
    svc = run_service_for("web", pod_for("web", options), options)
    assert json.dumps(svc) == json.dumps(
        {
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": {"name": "web"},
            "spec": {"ports": [{"protocol": "TCP", "port": 8080, "targetPort": 8080}], "selector": {"app": "web"}},
            "status": {"loadBalancer": {}},
        }
    )


def test_configmap_for_sorts_keys_and_puts_non_utf8_bytes_in_binary_data():
    got = configmap_for(
        "cfg",
        ConfigMapOptions(
            data={"z": b"last", "a": b"first", "bin": b"\xff\x00"}, binary=frozenset({"bin"}), namespace="shop"
        ),
    )
    assert json.dumps(got) == json.dumps(
        {
            "kind": "ConfigMap",
            "apiVersion": "v1",
            "metadata": {"name": "cfg", "namespace": "shop"},
            "data": {"a": "first", "z": "last"},
            "binaryData": {"bin": "/wA="},
        }
    )
    assert configmap_for("empty", ConfigMapOptions()) == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "empty"},
    }


def test_configmap_for_appends_kubectls_content_hash_to_the_name():
    got = configmap_for("cfg", ConfigMapOptions(data={"a": b"1"}, append_hash=True))
    plain = configmap_for("cfg", ConfigMapOptions(data={"a": b"1"}))
    assert got["metadata"]["name"] == "cfg-" + content_hash(plain)
    assert (
        got["metadata"]["name"]
        != configmap_for("cfg", ConfigMapOptions(data={"a": b"2"}, append_hash=True))["metadata"]["name"]
    )
    assert plain["metadata"]["name"] == "cfg"


def test_secret_for_encodes_sorted_data_and_sets_the_type_only_when_given():
    got = secret_for("s", SecretOptions(data={"b": b"2", "a": b"\xff"}, namespace="shop"))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "Secret",
            "apiVersion": "v1",
            "metadata": {"name": "s", "namespace": "shop"},
            "data": {"a": "/w==", "b": "Mg=="},
        }
    )
    tls = secret_for("t", SecretOptions(data={"tls.key": b"K", "tls.crt": b"C"}, type="kubernetes.io/tls"))
    assert json.dumps(tls) == json.dumps(
        {
            "kind": "Secret",
            "apiVersion": "v1",
            "metadata": {"name": "t"},
            "data": {"tls.crt": "Qw==", "tls.key": "Sw=="},
            "type": "kubernetes.io/tls",
        }
    )


def test_secret_for_hashes_the_type_with_the_content():
    opaque = secret_for("s", SecretOptions(data={"a": b"1"}, append_hash=True))
    typed = secret_for("s", SecretOptions(data={"a": b"1"}, type="Opaque", append_hash=True))
    assert opaque["metadata"]["name"] == "s-" + content_hash(secret_for("s", SecretOptions(data={"a": b"1"})))
    assert typed["metadata"]["name"] != opaque["metadata"]["name"]


def test_docker_registry_options_write_gos_dockerconfigjson():
    opts = ParsedArgs(
        values={
            "from-file": [],
            "docker-username": "u<1>",
            "docker-password": "p&w",
            "docker-server": "reg.io",
            "docker-email": "",
            "append-hash": False,
        },
        args=["pull"],
    )
    options = SecretOptions.docker_registry_from_flags(opts, None)
    assert options.type == "kubernetes.io/dockerconfigjson"
    assert options.data == {
        ".dockerconfigjson": b'{"auths":{"reg.io":{"username":"u\\u003c1\\u003e",'
        b'"password":"p\\u0026w","auth":"dTwxPjpwJnc="}}}'
    }
    opts.values["docker-server"] = ""
    with pytest.raises(KubectlError) as e:
        SecretOptions.docker_registry_from_flags(opts, None)
    assert "either --from-file or the combination of" in e.value.message


def test_create_service_for_names_ports_after_their_specs_and_selects_app_name():
    got = create_service_for("web", CreateServiceOptions(type="NodePort", tcp=("80:http", "443"), node_port=30080))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "ports": [
                    {"name": "80-http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 30080},
                    {"name": "443", "protocol": "TCP", "port": 443, "targetPort": 443, "nodePort": 30080},
                ],
                "selector": {"app": "web"},
                "type": "NodePort",
            },
            "status": {"loadBalancer": {}},
        }
    )


def test_create_service_for_headless_and_external_name_services():
    headless = create_service_for("h", CreateServiceOptions(type="ClusterIP", cluster_ip="None", namespace="shop"))
    assert headless["metadata"] == {"name": "h", "namespace": "shop", "labels": {"app": "h"}}
    assert headless["spec"] == {"selector": {"app": "h"}, "clusterIP": "None", "type": "ClusterIP"}
    ext = create_service_for("e", CreateServiceOptions(type="ExternalName", external_name="db.example.com"))
    assert ext["spec"] == {"selector": {"app": "e"}, "type": "ExternalName", "externalName": "db.example.com"}


@pytest.mark.parametrize(
    "options, message",
    [
        (CreateServiceOptions(type="LoadBalancer"), "at least one tcp port specifier must be provided"),
        (CreateServiceOptions(type="ExternalName"), 'required flag(s) "external-name" not set'),
        (CreateServiceOptions(type="ClusterIP", tcp=("8o",)), 'strconv.ParseUint: parsing "8o": invalid syntax'),
    ],
)
def test_create_service_for_refuses_with_kubectls_messages(options, message):
    with pytest.raises(KubectlError) as e:
        create_service_for("s", options)
    assert e.value.message.rstrip("\n").endswith(message)


def test_job_for_runs_the_command_once_with_restart_never():
    got = job_for("pi", JobOptions(image="perl", command=("perl", "-e", "1"), namespace="batch"))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "Job",
            "apiVersion": "batch/v1",
            "metadata": {"name": "pi", "namespace": "batch"},
            "spec": {
                "template": {
                    "metadata": {},
                    "spec": {
                        "containers": [
                            {"name": "pi", "image": "perl", "command": ["perl", "-e", "1"], "resources": {}}
                        ],
                        "restartPolicy": "Never",
                    },
                }
            },
            "status": {},
        }
    )


def test_cronjob_for_wraps_the_job_in_a_named_template_on_its_schedule():
    opts = ParsedArgs(
        values={"image": "busybox", "schedule": "*/5 * * * *", "restart": "", "namespace": ""}, args=["tick"]
    )
    got = cronjob_for("tick", JobOptions.cronjob_from_flags(opts))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "CronJob",
            "apiVersion": "batch/v1",
            "metadata": {"name": "tick"},
            "spec": {
                "schedule": "*/5 * * * *",
                "jobTemplate": {
                    "metadata": {"name": "tick"},
                    "spec": {
                        "template": {
                            "metadata": {},
                            "spec": {
                                "containers": [{"name": "tick", "image": "busybox", "resources": {}}],
                                "restartPolicy": "OnFailure",
                            },
                        }
                    },
                },
            },
            "status": {},
        }
    )


def test_namespace_for_is_cluster_scoped_with_empty_spec_and_status():
    assert json.dumps(namespace_for("dev")) == json.dumps(
        {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "dev"}, "spec": {}, "status": {}}
    )


def test_serviceaccount_for_has_only_metadata():
    assert serviceaccount_for("bot") == {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": "bot"}}
    assert serviceaccount_for("bot", "ci")["metadata"] == {"name": "bot", "namespace": "ci"}


def test_quota_for_canonicalises_quantities_and_splits_scopes():
    got = quota_for("q", QuotaOptions(hard="cpu=1000m,memory=1024Mi,pods=10", scopes="BestEffort, NotTerminating"))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "ResourceQuota",
            "apiVersion": "v1",
            "metadata": {"name": "q"},
            "spec": {"hard": {"cpu": "1", "memory": "1Gi", "pods": "10"}, "scopes": ["BestEffort", "NotTerminating"]},
            "status": {},
        }
    )
    with pytest.raises(KubectlError) as e:
        quota_for("q", QuotaOptions(hard="cpu"))
    assert "Invalid argument syntax cpu, expected <resource>=<value>" in e.value.message


def test_priorityclass_for_keeps_kubectls_field_order():
    got = priorityclass_for(
        "high", PriorityClassOptions(value=1000, global_default=True, description="urgent", preemption_policy="Never")
    )
    assert json.dumps(got) == json.dumps(
        {
            "kind": "PriorityClass",
            "apiVersion": "scheduling.k8s.io/v1",
            "metadata": {"name": "high"},
            "value": 1000,
            "globalDefault": True,
            "description": "urgent",
            "preemptionPolicy": "Never",
        }
    )
    assert priorityclass_for("low", PriorityClassOptions())["preemptionPolicy"] == "PreemptLowerPriority"


def test_pdb_for_takes_an_int_or_a_percentage_and_a_label_selector():
    got = pdb_for("web", PDBOptions(selector="app=web,tier=front", min_available="50%", namespace="shop"))
    assert json.dumps(got) == json.dumps(
        {
            "kind": "PodDisruptionBudget",
            "apiVersion": "policy/v1",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web", "tier": "front"}}},
            "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0},
        }
    )
    assert pdb_for("w", PDBOptions(selector="a=b", max_unavailable="1"))["spec"] == {
        "selector": {"matchLabels": {"a": "b"}},
        "maxUnavailable": 1,
    }


@pytest.mark.parametrize(
    "options, message",
    [
        (PDBOptions(min_available="1"), "a selector must be specified"),
        (PDBOptions(selector="a=b"), "one of min-available or max-unavailable must be specified"),
        (
            PDBOptions(selector="a=b", min_available="1", max_unavailable="1"),
            "min-available and max-unavailable cannot be both specified",
        ),
        (PDBOptions(selector="ab", min_available="1"), "invalid selector ab, expected key=value"),
    ],
)
def test_pdb_for_refuses_with_kubectls_messages(options, message):
    with pytest.raises(KubectlError) as e:
        pdb_for("p", options)
    assert e.value.message.rstrip("\n").endswith(message)


def test_role_for_groups_resolved_resources_into_one_rule_per_api_group():
    options = RoleOptions(
        verbs=("get", "list"),
        resources=(("apps", "deployments"), ("", "pods"), ("", "pods/log")),
        resource_names=("web",),
        namespace="shop",
    )
    assert json.dumps(role_for("reader", options)) == json.dumps(
        {
            "kind": "Role",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": "reader", "namespace": "shop"},
            "rules": [
                {
                    "verbs": ["get", "list"],
                    "apiGroups": [""],
                    "resources": ["pods", "pods/log"],
                    "resourceNames": ["web"],
                },
                {
                    "verbs": ["get", "list"],
                    "apiGroups": ["apps"],
                    "resources": ["deployments"],
                    "resourceNames": ["web"],
                },
            ],
        }
    )


def test_clusterrole_for_non_resource_urls_and_aggregation_rules():
    urls = clusterrole_for("health", RoleOptions(verbs=("get",), non_resource_urls=("/healthz",), namespace="x"))
    assert urls == {
        "kind": "ClusterRole",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": "health"},
        "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}],
    }
    agg = clusterrole_for("view", RoleOptions(aggregation_rule={"agg": "true"}))
    assert json.dumps(agg) == json.dumps(
        {
            "kind": "ClusterRole",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": "view"},
            "rules": None,
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "true"}}]},
        }
    )


@pytest.mark.parametrize(
    "build, options, message",
    [
        (role_for, RoleOptions(resources=(("", "pods"),)), "at least one verb must be specified"),
        (role_for, RoleOptions(verbs=("get",), non_resource_urls=("/x",)), "at least one resource must be specified"),
        (
            clusterrole_for,
            RoleOptions(verbs=("get",), aggregation_rule={"a": "b"}),
            "aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames",
        ),
        (rolebinding_for, BindingOptions(), "exactly one of clusterrole or role must be specified"),
        (
            rolebinding_for,
            BindingOptions(role="r", cluster_role="c"),
            "exactly one of clusterrole or role must be specified",
        ),
        (clusterrolebinding_for, BindingOptions(role="r"), 'required flag(s) "clusterrole" not set'),
        (
            rolebinding_for,
            BindingOptions(role="r", service_accounts=("bot",)),
            "serviceaccount must be <namespace>:<name>",
        ),
    ],
)
def test_rbac_builders_refuse_with_kubectls_messages(build, options, message):
    with pytest.raises(KubectlError) as e:
        build("x", options)
    assert e.value.message.rstrip("\n").endswith(message)


def test_binding_builders_list_users_groups_then_service_accounts():
    options = BindingOptions(
        cluster_role="view", users=("ann",), groups=("devs",), service_accounts=("ci:bot",), namespace="shop"
    )
    assert json.dumps(rolebinding_for("b", options)) == json.dumps(
        {
            "kind": "RoleBinding",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": "b", "namespace": "shop"},
            "subjects": [
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "ann"},
                {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
                {"kind": "ServiceAccount", "name": "bot", "namespace": "ci"},
            ],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        }
    )
    cluster = clusterrolebinding_for("b", BindingOptions(cluster_role="admin", namespace="shop"))
    assert cluster == {
        "kind": "ClusterRoleBinding",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": "b"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
    }


def test_ingress_for_groups_paths_by_host_and_collects_tls():
    options = IngressOptions(
        rules=("shop.io/api*=api:8080,tls=shop-cert", "shop.io/=web:http", "/health=probe:80"),
        default_backend="fallback:80",
        ingress_class="nginx",
        annotations=("a=b",),
    )
    assert json.dumps(ingress_for("shop", options)) == json.dumps(
        {
            "kind": "Ingress",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": {"name": "shop", "annotations": {"a": "b"}},
            "spec": {
                "ingressClassName": "nginx",
                "defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}},
                "tls": [{"hosts": ["shop.io"], "secretName": "shop-cert"}],
                "rules": [
                    {
                        "host": "shop.io",
                        "http": {
                            "paths": [
                                {
                                    "path": "/api",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "api", "port": {"number": 8080}}},
                                },
                                {
                                    "path": "/",
                                    "pathType": "Exact",
                                    "backend": {"service": {"name": "web", "port": {"name": "http"}}},
                                },
                            ]
                        },
                    },
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/health",
                                    "pathType": "Exact",
                                    "backend": {"service": {"name": "probe", "port": {"number": 80}}},
                                }
                            ]
                        }
                    },
                ],
            },
            "status": {"loadBalancer": {}},
        }
    )


@pytest.mark.parametrize(
    "options, message",
    [
        (
            IngressOptions(),
            "not enough information provided: every ingress has to either specify a default-backend "
            "(which catches all traffic) or a list of rules (which catch specific paths)",
        ),
        (
            IngressOptions(rules=("nopath=svc:80",)),
            "rule nopath=svc:80 is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]",
        ),
    ],
)
def test_ingress_for_refuses_with_kubectls_messages(options, message):
    with pytest.raises(KubectlError) as e:
        ingress_for("i", options)
    assert e.value.message.rstrip("\n").endswith(message)


def test_deployment_options_from_flags_take_the_words_after_the_dash_as_the_command():
    opts = ParsedArgs(
        values={"image": ["busybox"], "port": -1, "replicas": 2, "namespace": "ops"},
        args=["sleeper", "sleep", "60"],
        dash_index=1,
    )
    assert DeploymentOptions.from_flags(opts) == DeploymentOptions(
        images=("busybox",), command=("sleep", "60"), replicas=2, namespace="ops"
    )
