"""The command lines whose ``--dry-run=client`` output is kept as golden files made by the real kubectl."""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"

CREATE_CASES: dict[str, str] = {
    "create_deployment": "create deployment nginx --image=nginx",
    "create_deployment_replicas_port": "create deployment web --image=nginx --replicas=3 --port=80",
    "create_deployment_two_images": "create deployment multi --image=nginx --image=redis:7",
    "create_deployment_command": "create deployment cmd --image=busybox -- sleep 3600",
    "create_namespace": "create namespace dev",
    "create_service_clusterip": "create service clusterip redis --tcp=6379:6379",
    "create_service_clusterip_none": "create service clusterip headless --clusterip=None",
    "create_service_clusterip_two_ports": "create service clusterip web --tcp=80:8080,443:8443",
    "create_service_nodeport": "create service nodeport nginx --tcp=80:80 --node-port=30080",
    "create_service_loadbalancer": "create service loadbalancer lb --tcp=80:8080",
    "create_service_externalname": "create service externalname ext --external-name=example.com --tcp=80",
    "create_configmap": "create configmap cfg --from-literal=a=1 --from-literal=b=two --from-literal=c=",
    "create_secret_generic": "create secret generic s --from-literal=user=admin --from-literal=pass=s3cr3t",
    "create_quota": "create quota q --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort",
    "create_role": "create role r --verb=get,list --resource=pods,deployments.apps,pods/log",
    "create_role_names": "create role r2 --verb=get --resource=configmaps --resource-name=a --resource-name=b",
    "create_rolebinding": "create rolebinding rb --role=r --user=jane --serviceaccount=default:sa --group=devs",
    "create_clusterrole": "create clusterrole cr --verb=get,watch --resource=nodes",
    "create_clusterrole_url": "create clusterrole cr2 --verb=get --non-resource-url=/healthz",
    "create_clusterrolebinding": "create clusterrolebinding crb --clusterrole=cr --group=devs",
    "create_serviceaccount": "create serviceaccount sa1",
    "create_job": "create job j --image=busybox -- echo hi",
    "create_cronjob": "create cronjob cj --image=busybox --schedule=*/1_*_*_*_* --restart=OnFailure -- date",
    "create_priorityclass": "create priorityclass high --value=1000 --description=important --global-default",
    "create_pdb": "create poddisruptionbudget pdb --selector=app=web --min-available=1",
    "create_pdb_max": "create pdb pdb2 --selector=app=web --max-unavailable=50%",
    "create_ingress": "create ingress ing --rule=foo.com/bar=svc:8080 --class=nginx",
    "create_ingress_tls": "create ingress secure --rule=foo.com/*=svc:http,tls=cert",
    "create_deployment_ns": "create deployment nginx --image=nginx -n team-a",
    "create_quota_unsorted": "create quota q2 --hard=pods=2,cpu=0.5,memory=1024Mi",
    "create_secret_docker_registry": "create secret docker-registry reg --docker-username=u --docker-password=p "
    "--docker-email=u@example.com --docker-server=registry.example.com",
    "create_clusterrole_aggregation": "create clusterrole agg --aggregation-rule=team=a,rbac.example.com/agg=true",
    "create_configmap_hash": "create configmap h --from-literal=b=2 --from-literal=a=1 --append-hash",
}

SERVER_CASES: dict[str, str] = {
    "run": "run nginx --image=nginx",
    "run_full": "run web --image=nginx --port=80 --labels=app=web,tier=fe --env=A=1 --env=B=2 --restart=Never",
    "run_command": "run bb --image=busybox --command -- sleep 3600",
    "run_args": "run bb2 --image=busybox --restart=OnFailure -- echo hi",
    "run_pull_policy": "run p --image=nginx --image-pull-policy=IfNotPresent --annotations=a=b",
    "expose_pod_redis": "expose pod redis --port=6379 --name redis-service",
    "expose_pod_nginx_nodeport": "expose pod nginx --port=80 --name nginx-service --type=NodePort",
    "expose_deployment": "expose deployment web --port=80 --target-port=8080",
    "expose_service": "expose service redis-svc --port=6380 --name redis-2",
}


def argv(line: str, output: str) -> list[str]:
    """The words of a case (``_`` stands for a space inside one word), with the dry run and ``-o``."""
    words = [w.replace("_", " ") if "*/" in w else w for w in line.split()]
    if "--" in words:
        i = words.index("--")
        words = words[:i] + ["--dry-run=client"] + (["-o", output] if output else []) + words[i:]
    else:
        words += ["--dry-run=client"] + (["-o", output] if output else [])
    return words


def golden_path(case: str, output: str) -> Path:
    return GOLDEN / f"{case}.{output or 'default'}"


def api_only_cluster(seed: int = 0):
    """A cluster with the API server alone (no nodes, so no components): what kubectl's writes need."""
    from ktui.cluster import Cluster
    from ktui.clusterspec import DEFAULT_SPEC

    return Cluster({**DEFAULT_SPEC, "nodes": [], "seed": seed})


def seed_cluster(cluster) -> None:
    """The objects the ``expose`` cases read: pods ``redis`` and ``nginx``, deployment ``web``, service ``redis-svc``."""
    api = cluster.api
    for name in ("redis", "nginx"):
        api.create(
            "pods",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "labels": {"run": name}},
                "spec": {
                    "containers": [
                        {"name": name, "image": name, "ports": [{"containerPort": 6379 if name == "redis" else 80}]}
                    ]
                },
            },
        )
    labels = {"app": "web"}
    api.create(
        "deployments",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": labels},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
                },
            },
        },
    )
    api.create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "redis-svc"},
            "spec": {"selector": {"run": "redis"}, "ports": [{"port": 6379, "targetPort": 6379}]},
        },
    )


def regenerate() -> None:
    """Write every golden file with the real kubectl (``python -m tests.kubectl.golden_cases``)."""
    from tests.kubectl.discovery_server import real_kubectl, serve

    cluster = api_only_cluster()
    seed_cluster(cluster)
    with serve(cluster) as kubeconfig:
        for case, line in {**CREATE_CASES, **SERVER_CASES}.items():
            for out in OUTPUTS:
                stdout, stderr, code = real_kubectl(argv(line, out), kubeconfig)
                assert code == 0 and not stderr, (case, out, stderr)
                golden_path(case, out).write_text(stdout)


OUTPUTS = ("yaml", "json", "", "name")

if __name__ == "__main__":
    regenerate()
