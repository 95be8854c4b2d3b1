"""ConfigMaps, Secrets and the downward API reaching containers: environment, volumes, the errors and retries."""

from __future__ import annotations

import base64
import copy

import pytest

from ktui.components.kubelet.filesystem import FileSystem, Mount, ReadOnlyFileSystem
from ktui.components.kubelet.pod_values import SourceError, format_map, resource_value
from ktui.components.kubelet.volumes import Volume, build_volume

from tests.components.kubelet.test_kubelet import busybox, make_env, status_of

SLEEP = "sleep 3600"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def configmap(env, name: str = "app-config", **data: str) -> dict:
    return env.admin.create(
        "configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data},
        namespace="default",
    )


def secret(env, name: str = "db", **data: str) -> dict:
    return env.admin.create(
        "secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {"name": name, "namespace": "default"},
            "data": {k: b64(v) for k, v in data.items()},
        },
        namespace="default",
    )


def run(env, name: str, *argv: str, container: str | None = None) -> tuple[str, str, int]:
    return env.kubelet.exec("default", name, container or name, list(argv))


def waiting(env, name: str) -> dict:
    return status_of(env, name)["state"].get("waiting") or {}


def events(env, name: str) -> list[tuple[str, str, str, int]]:
    items = [e for e in env.admin.list("events", "default")["items"] if e["involvedObject"]["name"] == name]
    items.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [(e["type"], e["reason"], e["message"], e.get("count", 1)) for e in items]


def ref(kind: str, name: str, key: str, **extra) -> dict:
    return {"valueFrom": {kind: {"name": name, "key": key, **extra}}}


# ------------------------------------------------------------------ environment


def test_env_from_configmap_secret_envfrom_and_resources():
    env = make_env()
    configmap(env, mode="debug", **{"log.level": "info", "SHELL_ISH": "$(HOME) stays"})
    secret(env, password="s3cr$t", user="admin")
    c = busybox(
        "app",
        SLEEP,
        env=[
            {"name": "MODE", **ref("configMapKeyRef", "app-config", "mode")},
            {"name": "PASSWORD", **ref("secretKeyRef", "db", "password")},
            {"name": "EXPANDED", "value": "mode is $(MODE)"},
            {"name": "CPU_M", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
            {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
            {"name": "REQ_CPU", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu"}}},
            {"name": "NODE_CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
        ],
        envFrom=[{"configMapRef": {"name": "app-config"}, "prefix": "CFG_"}, {"secretRef": {"name": "db"}}],
        resources={"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "250m", "memory": "64Mi"}},
    )
    env.create("app", [c])
    env.advance(10)
    assert "running" in status_of(env, "app")["state"]
    out, _, code = run(env, "app", "env")
    lines = out.splitlines()
    assert code == 0
    for line in (
        "MODE=debug",
        "PASSWORD=s3cr$t",
        "EXPANDED=mode is debug",
        "CPU_M=500",
        "MEM_MI=256",
        "REQ_CPU=1",
        "CFG_mode=debug",
        "CFG_SHELL_ISH=$(HOME) stays",
        "user=admin",
        "password=s3cr$t",
    ):
        assert line in lines
    # the kubelet (v1.37) passes every envFrom key on, valid shell name or not
    assert "CFG_log.level=info" in lines
    assert "NODE_CPU=1" in lines  # limits.cpu with no divisor rounds up
    assert run(env, "app", "printenv", "MODE") == ("debug\n", "", 0)
    assert run(env, "app", "sh", "-c", "echo $MODE-$PASSWORD") == ("debug-s3cr$t\n", "", 0)


def test_resource_field_ref_defaults_to_node_allocatable():
    env = make_env()
    c = busybox(
        "app",
        SLEEP,
        env=[
            {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
        ],
    )
    env.create("app", [c])
    env.advance(10)
    assert run(env, "app", "sh", "-c", "echo $CPU $MEM") == ("2 3996\n", "", 0)  # 4Gi - 100Mi eviction reserve


@pytest.mark.parametrize(
    "entry, make, message",
    [
        (ref("configMapKeyRef", "app-config", "mode"), None, 'configmap "app-config" not found'),
        (ref("configMapKeyRef", "app-config", "mode"), "cm", "couldn't find key mode in ConfigMap default/app-config"),
        (ref("secretKeyRef", "db", "password"), None, 'secret "db" not found'),
        (ref("secretKeyRef", "db", "password"), "secret", "couldn't find key password in Secret default/db"),
    ],
)
def test_missing_source_is_create_container_config_error(entry, make, message):
    env = make_env()
    if make == "cm":
        configmap(env, other="x")
    elif make == "secret":
        secret(env, other="x")
    env.create("app", [busybox("app", SLEEP, env=[{"name": "V", **entry}])])
    env.advance(5)
    assert waiting(env, "app") == {"reason": "CreateContainerConfigError", "message": message}
    pod = env.pod("app")
    assert pod["status"]["phase"] == "Pending"
    failed = [e for e in events(env, "app") if e[1] == "Failed"]
    assert failed == [("Warning", "Failed", f"Error: {message}", 1)]
    env.advance(10.5)  # the pod worker retries after its 10s back-off: one more attempt, one more event
    failed = [e for e in events(env, "app") if e[1] == "Failed"]
    assert failed == [("Warning", "Failed", f"Error: {message}", 2)]


def test_container_starts_once_the_configmap_appears():
    env = make_env()
    env.create(
        "app",
        [
            busybox(
                "app",
                "echo mode=$MODE; sleep 3600",
                env=[{"name": "MODE", **ref("configMapKeyRef", "app-config", "mode")}],
            )
        ],
    )
    env.advance(5)
    assert waiting(env, "app")["reason"] == "CreateContainerConfigError"
    configmap(env, mode="debug")
    env.advance(11)
    st = status_of(env, "app")
    assert "running" in st["state"] and st["restartCount"] == 0
    assert env.admin.log("app") == "mode=debug\n"
    reasons = [e[1] for e in events(env, "app")]
    assert reasons[-2:] == ["Created", "Started"]


def test_optional_sources_that_are_missing_are_skipped():
    env = make_env()
    configmap(env, other="x")
    c = busybox(
        "app",
        SLEEP,
        env=[
            {"name": "A", **ref("configMapKeyRef", "nope", "a", optional=True)},
            {"name": "B", **ref("configMapKeyRef", "app-config", "b", optional=True)},
            {"name": "C", **ref("secretKeyRef", "nope", "c", optional=True)},
            {"name": "D", "value": "d"},
        ],
        envFrom=[
            {"configMapRef": {"name": "gone", "optional": True}},
            {"secretRef": {"name": "gone", "optional": True}},
        ],
    )
    env.create("app", [c])
    env.advance(10)
    out, _, _ = run(env, "app", "env")
    names = [line.split("=", 1)[0] for line in out.splitlines()]
    assert "D" in names and not {"A", "B", "C"} & set(names)


def test_env_is_not_refreshed_but_restart_reads_new_values():
    env = make_env()
    configmap(env, mode="debug")
    env.create(
        "app",
        [
            busybox(
                "app",
                "echo $MODE; sleep 20; exit 1",
                env=[{"name": "MODE", **ref("configMapKeyRef", "app-config", "mode")}],
            )
        ],
    )
    env.advance(5)
    cm = env.admin.get("configmaps", "app-config", namespace="default")
    cm["data"]["mode"] = "prod"
    env.admin.update("configmaps", cm, namespace="default")
    env.advance(1)
    assert run(env, "app", "printenv", "MODE") == ("debug\n", "", 0)
    env.advance(30)  # exits at ~22s, restarts after its 10s back-off
    assert status_of(env, "app")["restartCount"] == 1
    assert run(env, "app", "printenv", "MODE") == ("prod\n", "", 0)


# ------------------------------------------------------------------ volumes


def _volume_pod(env, volumes: list[dict], mounts: list[dict], script: str = SLEEP, name: str = "app", **extra) -> dict:
    return env.create(name, [busybox(name, script, volumeMounts=mounts)], volumes=volumes, **extra)


def test_configmap_volume_files_ls_and_cat():
    env = make_env()
    configmap(env, mode="debug", **{"app.properties": "a=1\nb=2\n"})
    _volume_pod(
        env, [{"name": "config", "configMap": {"name": "app-config"}}], [{"name": "config", "mountPath": "/etc/config"}]
    )
    env.advance(10)
    assert run(env, "app", "ls", "/etc/config") == ("app.properties\nmode\n", "", 0)
    assert run(env, "app", "cat", "/etc/config/mode") == ("debug\n", "", 0)
    assert run(env, "app", "cat", "/etc/config/app.properties") == ("a=1\nb=2\n", "", 0)
    assert run(env, "app", "ls", "/etc") == ("config\nhostname\n", "", 0)
    assert run(env, "app", "sh", "-c", "test -d /etc/config && echo dir") == ("dir\n", "", 0)
    assert run(env, "app", "stat", "-c", "%a", "/etc/config/mode") == ("644\n", "", 0)
    out, err, code = run(env, "app", "sh", "-c", "echo x > /etc/config/mode")
    assert (err, code) == ("sh: can't create /etc/config/mode: Read-only file system\n", 1)
    assert run(env, "app", "rm", "/etc/config/mode") == (
        "",
        "rm: can't remove '/etc/config/mode': Read-only file system\n",
        1,
    )
    assert run(env, "app", "cat", "/etc/config")[1] == "cat: read error: Is a directory\n"


def test_secret_volume_items_and_modes_and_subpath():
    env = make_env()
    secret(env, password="s3cret", user="admin")
    configmap(env, **{"nginx.conf": "server {}\n", "other": "o"})
    _volume_pod(
        env,
        [
            {
                "name": "creds",
                "secret": {
                    "secretName": "db",
                    "defaultMode": 0o400,
                    "items": [
                        {"key": "password", "path": "db/password"},
                        {"key": "user", "path": "db/user", "mode": 0o440},
                    ],
                },
            },
            {"name": "config", "configMap": {"name": "app-config"}},
        ],
        [
            {"name": "creds", "mountPath": "/etc/creds", "readOnly": True},
            {"name": "config", "mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf"},
        ],
    )
    env.advance(10)
    assert run(env, "app", "ls", "/etc/creds") == ("db\n", "", 0)
    assert run(env, "app", "ls", "/etc/creds/db") == ("password\nuser\n", "", 0)
    assert run(env, "app", "cat", "/etc/creds/db/password") == ("s3cret\n", "", 0)
    assert run(env, "app", "stat", "-c", "%a %n", "/etc/creds/db/password", "/etc/creds/db/user") == (
        "400 /etc/creds/db/password\n440 /etc/creds/db/user\n",
        "",
        0,
    )
    assert run(env, "app", "cat", "/etc/nginx/nginx.conf") == ("server {}\n", "", 0)
    assert run(env, "app", "ls", "/etc/nginx") == ("nginx.conf\n", "", 0)


def test_empty_dir_is_shared_by_the_pods_containers():
    env = make_env()
    env.create(
        "app",
        [
            busybox(
                "writer", "echo hello > /data/msg; sleep 3600", volumeMounts=[{"name": "scratch", "mountPath": "/data"}]
            ),
            busybox("reader", SLEEP, volumeMounts=[{"name": "scratch", "mountPath": "/shared"}]),
        ],
        volumes=[{"name": "scratch", "emptyDir": {}}],
    )
    env.advance(10)
    assert run(env, "app", "cat", "/shared/msg", container="reader") == ("hello\n", "", 0)
    assert run(env, "app", "sh", "-c", "echo more >> /shared/msg", container="reader")[2] == 0
    assert run(env, "app", "cat", "/data/msg", container="writer") == ("hello\nmore\n", "", 0)
    assert run(env, "app", "cat", "/data/msg", container="reader")[2] == 1  # not mounted there


def test_downward_api_and_projected_volumes():
    env = make_env()
    configmap(env, mode="debug")
    secret(env, token="t0k")
    _volume_pod(
        env,
        [
            {
                "name": "podinfo",
                "downwardAPI": {
                    "items": [
                        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                        {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}},
                        {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                        {
                            "path": "mem",
                            "resourceFieldRef": {"containerName": "app", "resource": "limits.memory", "divisor": "1Mi"},
                        },
                    ]
                },
            },
            {
                "name": "all",
                "projected": {
                    "sources": [
                        {"configMap": {"name": "app-config"}},
                        {"secret": {"name": "db", "items": [{"key": "token", "path": "auth/token"}]}},
                        {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
                    ]
                },
            },
        ],
        [{"name": "podinfo", "mountPath": "/etc/podinfo"}, {"name": "all", "mountPath": "/projected"}],
    )
    pod = env.pod("app")
    pod["metadata"]["labels"] = {"tier": "front", "app": "web"}
    pod["metadata"]["annotations"] = {"note": 'say "hi"'}
    env.admin.update("pods", pod, namespace="default")
    env.advance(10)
    assert run(env, "app", "cat", "/etc/podinfo/labels") == ('app="web"\ntier="front"\n', "", 0)
    assert run(env, "app", "cat", "/etc/podinfo/annotations") == ('note="say \\"hi\\""\n', "", 0)
    assert run(env, "app", "cat", "/etc/podinfo/name") == ("app\n", "", 0)
    assert run(env, "app", "cat", "/etc/podinfo/mem") == ("3996\n", "", 0)
    assert run(env, "app", "ls", "/projected") == ("auth\nmode\nns\n", "", 0)
    assert run(env, "app", "cat", "/projected/auth/token") == ("t0k\n", "", 0)
    assert run(env, "app", "cat", "/projected/ns") == ("default\n", "", 0)


def test_missing_configmap_volume_keeps_pod_container_creating_until_it_appears():
    env = make_env()
    _volume_pod(
        env, [{"name": "config", "configMap": {"name": "app-config"}}], [{"name": "config", "mountPath": "/etc/config"}]
    )
    env.advance(20)
    pod = env.pod("app")
    assert pod["status"]["phase"] == "Pending" and "podIP" not in pod["status"]
    assert waiting(env, "app") == {"reason": "ContainerCreating"}
    mounts = [e for e in events(env, "app") if e[1] == "FailedMount"]
    # retried with the volume manager's back-off: 0, 0.5, 1.5, 3.5, 7.5, 15.5s
    assert mounts == [
        ("Warning", "FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found', 6)
    ]
    assert not [e for e in events(env, "app") if e[1] in ("Pulling", "Pulled", "Created")]
    configmap(env, mode="debug")
    env.advance(20)  # next attempt at 31.5s
    assert "running" in status_of(env, "app")["state"]
    assert run(env, "app", "cat", "/etc/config/mode") == ("debug\n", "", 0)


@pytest.mark.parametrize(
    "volume, message",
    [
        ({"secret": {"secretName": "db"}}, 'secret "db" not found'),
        (
            {"configMap": {"name": "app-config", "items": [{"key": "nope", "path": "x"}]}},
            "configmap references non-existent config key: nope",
        ),
        (
            {"projected": {"sources": [{"configMap": {"name": "app-config"}}, {"secret": {"name": "db"}}]}},
            'secret "db" not found',
        ),
    ],
)
def test_volume_setup_errors(volume, message):
    env = make_env()
    configmap(env, mode="debug")
    _volume_pod(env, [{"name": "vol", **volume}], [{"name": "vol", "mountPath": "/v"}])
    env.advance(2)
    assert [e[2] for e in events(env, "app") if e[1] == "FailedMount"] == [
        f'MountVolume.SetUp failed for volume "vol" : {message}'
    ]


def test_optional_volume_sources_mount_empty():
    env = make_env()
    _volume_pod(
        env, [{"name": "vol", "configMap": {"name": "nope", "optional": True}}], [{"name": "vol", "mountPath": "/v"}]
    )
    env.advance(10)
    assert run(env, "app", "ls", "/v") == ("", "", 0)


def test_configmap_volume_is_refreshed_but_subpath_is_not():
    env = make_env()
    configmap(env, mode="debug")
    _volume_pod(
        env,
        [{"name": "config", "configMap": {"name": "app-config"}}],
        [
            {"name": "config", "mountPath": "/etc/config"},
            {"name": "config", "mountPath": "/etc/mode", "subPath": "mode"},
        ],
    )
    env.advance(10)
    cm = env.admin.get("configmaps", "app-config", namespace="default")
    cm["data"] = {"mode": "prod", "extra": "1"}
    env.admin.update("configmaps", cm, namespace="default")
    env.advance(1)
    assert run(env, "app", "cat", "/etc/config/mode") == ("debug\n", "", 0)  # snapshot until the next sync
    env.advance(60)
    assert run(env, "app", "cat", "/etc/config/mode") == ("prod\n", "", 0)
    assert run(env, "app", "ls", "/etc/config") == ("extra\nmode\n", "", 0)
    assert run(env, "app", "cat", "/etc/mode") == ("debug\n", "", 0)


def test_mount_wins_over_image_files_and_snapshot_copies_keep_sharing():
    env = make_env()
    env.create(
        "app",
        [
            busybox("a", SLEEP, volumeMounts=[{"name": "s", "mountPath": "/s"}]),
            busybox("b", SLEEP, volumeMounts=[{"name": "s", "mountPath": "/s"}]),
        ],
        volumes=[{"name": "s", "emptyDir": {}}],
    )
    env.advance(10)
    kl = env.kubelet
    w = next(iter(w for w in kl.workers.values() if w.name == "app"))
    clone = copy.deepcopy(w)
    a, b = clone.container("a"), clone.container("b")
    a.fs["/s/x"] = "1\n"
    assert b.fs["/s/x"] == "1\n"
    assert "/s/x" not in w.container("b").fs


# ------------------------------------------------------------------ pure pieces


def test_file_system_overlay():
    vol = Volume("v", "configMap", {"k": "v1", "d/e": "x"}, {"k": 0o400})
    fs = FileSystem({"/etc/hostname": "h\n", "/etc/config/old": "hidden"}, [Mount("/etc/config", vol, "", True)])
    assert sorted(fs) == ["/etc/config/d/e", "/etc/config/k", "/etc/hostname"]
    assert fs["/etc/config/k"] == "v1" and "/etc/config/old" not in fs
    assert fs.is_dir("/etc/config/d") and fs.is_dir("/etc") and not fs.is_dir("/etc/config/k")
    assert fs.mode("/etc/config/k") == 0o400 and fs.mode("/etc/config/d/e") == 0o644
    with pytest.raises(ReadOnlyFileSystem):
        fs["/etc/config/new"] = "x"
    fs["/tmp/a"] = "b"
    assert fs == {"/etc/hostname": "h\n", "/tmp/a": "b", "/etc/config/k": "v1", "/etc/config/d/e": "x"}


def test_format_map_and_resource_values():
    assert format_map({"b": "2", "a": 'x"y'}) == 'a="x\\"y"\nb="2"'
    c = {"name": "c", "resources": {"limits": {"cpu": "1500m", "memory": "1Gi"}, "requests": {"memory": "100M"}}}
    pod = {"spec": {"containers": [c]}}
    assert resource_value({"resource": "limits.cpu"}, pod, c, {}) == "2"
    assert resource_value({"resource": "limits.cpu", "divisor": "1m"}, pod, c, {}) == "1500"
    assert resource_value({"resource": "limits.memory", "divisor": "1Mi"}, pod, c, {}) == "1024"
    assert resource_value({"resource": "requests.memory", "divisor": "1Mi"}, pod, c, {}) == "96"
    assert resource_value({"resource": "requests.cpu"}, pod, c, {}) == "0"
    assert resource_value({"containerName": "c", "resource": "limits.memory"}, pod, None, {}) == str(1 << 30)
    with pytest.raises(SourceError, match="unsupported container resource : limits.gpu"):
        resource_value({"resource": "limits.gpu"}, pod, c, {})


def test_build_volume_binary_data_and_secret_decoding():
    def lookup(resource: str, name: str) -> dict | None:
        if resource == "configmaps":
            return {"data": {"a": "1"}, "binaryData": {"bin": b64("raw")}}
        return {"data": {"p": b64("pw")}}

    vol = build_volume({"name": "c", "configMap": {"name": "x"}}, {}, lookup, {})
    assert vol.files == {"a": "1", "bin": "raw"} and vol.read_only
    vol = build_volume({"name": "s", "secret": {"secretName": "x"}}, {}, lookup, {})
    assert vol.files == {"p": "pw"}
    assert build_volume({"name": "e", "emptyDir": {}}, {}, lookup, {}).read_only is False


# ------------------------------------------------------------------ end to end


def test_end_to_end_kubectl_exec_sees_configmap_files_and_env():
    from ktui import Cluster

    c = Cluster.default(seed=0)
    manifest = """
apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    env:
    - name: MODE
      valueFrom: {configMapKeyRef: {name: app-config, key: mode}}
    volumeMounts:
    - {name: config, mountPath: /etc/config}
  volumes:
  - name: config
    configMap: {name: app-config}
"""
    assert c.kubectl("apply -f -", stdin=manifest)[2] == 0
    c.advance(20)
    out, _, _ = c.kubectl("get pod pod")
    assert "ContainerCreating" in out
    out, _, _ = c.kubectl("describe pod pod")
    assert 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found' in out
    assert c.kubectl("create configmap app-config --from-literal=mode=debug")[2] == 0
    c.advance(40)
    out, _, _ = c.kubectl("get pod pod")
    assert "Running" in out
    assert c.kubectl("exec pod -- cat /etc/config/mode") == ("debug\n", "", 0)
    assert c.kubectl("exec pod -- ls /etc/config") == ("mode\n", "", 0)
    assert c.kubectl(["exec", "pod", "--", "sh", "-c", "echo $MODE"]) == ("debug\n", "", 0)
    assert c.kubectl("exec pod -- printenv MODE") == ("debug\n", "", 0)


def test_end_to_end_create_container_config_error_status():
    from ktui import Cluster

    c = Cluster.default(seed=0)
    manifest = """
apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    envFrom:
    - secretRef: {name: db}
"""
    c.kubectl("apply -f -", stdin=manifest)
    c.advance(20)
    out, _, _ = c.kubectl("get pod pod")
    assert "CreateContainerConfigError" in out
    out, _, _ = c.kubectl("describe pod pod")
    assert 'Error: secret "db" not found' in out
    c.kubectl("create secret generic db --from-literal=password=s3cret")
    c.advance(15)
    assert c.kubectl("exec pod -- printenv password") == ("s3cret\n", "", 0)


def test_restart_while_disconnected_uses_the_last_objects_read():
    env = make_env()
    configmap(env, mode="debug")
    env.create(
        "app",
        [
            busybox("app", "sleep 5; exit 1", env=[{"name": "MODE", **ref("configMapKeyRef", "app-config", "mode")}]),
            busybox("late", SLEEP, env=[{"name": "X", **ref("configMapKeyRef", "other", "x")}]),
        ],
    )
    env.advance(3)
    env.kubelet.network_cut()
    env.advance(30)  # "app" exits and restarts from the cached ConfigMap; "other" was never read
    w = next(w for w in env.kubelet.workers.values() if w.name == "app")
    assert w.cstates["app"].restart_count >= 1
    assert w.container("app").env["MODE"] == "debug"
    assert w.cstates["late"].waiting_message == 'configmap "other" not found'


def test_cluster_checkpoint_restore_and_pickle_keep_mounts():
    import io

    from ktui import Cluster

    c = Cluster.default(seed=0)
    c.kubectl("create configmap app-config --from-literal=mode=debug")
    c.kubectl(
        "apply -f -",
        stdin="""
apiVersion: v1
kind: Pod
metadata: {name: pod}
spec:
  containers:
  - {name: a, image: busybox, command: [sh, -c, "sleep 3600"], volumeMounts: [{name: s, mountPath: /s},
     {name: config, mountPath: /etc/config}]}
  - {name: b, image: busybox, command: [sh, -c, "sleep 3600"], volumeMounts: [{name: s, mountPath: /s}]}
  volumes:
  - {name: s, emptyDir: {}}
  - {name: config, configMap: {name: app-config}}
""",
    )
    c.advance(20)
    cp = c.checkpoint("x")
    c.kubectl(["exec", "pod", "-c", "a", "--", "sh", "-c", "echo 1 > /s/f"])
    assert c.kubectl("exec pod -c b -- cat /s/f") == ("1\n", "", 0)
    c.restore(cp)
    assert c.kubectl("exec pod -c b -- cat /s/f")[2] == 1
    c.kubectl(["exec", "pod", "-c", "a", "--", "sh", "-c", "echo 2 > /s/f"])
    assert c.kubectl("exec pod -c b -- cat /s/f") == ("2\n", "", 0)
    buf = io.BytesIO()
    c.dump(buf)
    buf.seek(0)
    c2 = Cluster.load(buf)
    assert c2.kubectl("exec pod -c a -- cat /etc/config/mode") == ("debug\n", "", 0)
    assert c2.kubectl("exec pod -c b -- cat /s/f") == ("2\n", "", 0)


def test_a_volume_resync_with_nothing_changed_keeps_the_files_and_sees_each_later_change():
    """The minutely resync skips rebuilding a volume whose reads answer what they answered; each change of
    what it reads (a ConfigMap, a Secret gone and back, the pod's labels) is still seen at the next sync."""
    env = make_env()
    configmap(env, mode="debug")
    secret(env, token="t0k")
    projected = {
        "sources": [
            {"configMap": {"name": "app-config"}},
            {"secret": {"name": "db", "items": [{"key": "token", "path": "auth/token"}]}},
            {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        ]
    }
    _volume_pod(env, [{"name": "all", "projected": projected}], [{"name": "all", "mountPath": "/p"}])
    env.advance(10)
    env.advance(180)  # three resyncs with nothing changed
    assert run(env, "app", "ls", "/p") == ("auth\nlabels\nmode\n", "", 0)
    assert run(env, "app", "cat", "/p/mode") == ("debug\n", "", 0)
    cm = env.admin.get("configmaps", "app-config", namespace="default")
    env.admin.update("configmaps", {**cm, "data": {"mode": "prod"}}, namespace="default")
    env.advance(60)
    assert run(env, "app", "cat", "/p/mode") == ("prod\n", "", 0)
    env.admin.delete("secrets", "db", namespace="default")
    env.advance(60)
    assert run(env, "app", "cat", "/p/auth/token") == ("t0k\n", "", 0)  # a failed rebuild keeps the files
    failed = [e for e in events(env, "app") if e[1] == "FailedMount"]
    assert failed == [
        ("Warning", "FailedMount", 'MountVolume.SetUp failed for volume "all" : secret "db" not found', 1)
    ]
    secret(env, token="new")
    env.advance(60)
    assert run(env, "app", "cat", "/p/auth/token") == ("new\n", "", 0)
    pod = env.pod("app")
    pod["metadata"]["labels"] = {"tier": "front"}
    env.admin.update("pods", pod, namespace="default")
    env.advance(60)
    assert run(env, "app", "cat", "/p/labels") == ('tier="front"\n', "", 0)
    env.advance(120)
    assert run(env, "app", "cat", "/p/mode") == ("prod\n", "", 0)
    assert [e for e in events(env, "app") if e[1] == "FailedMount"] == failed


def test_configmaps_are_watched_once_per_node_while_a_pod_reads_them():
    """The kubelet's watch-based manager (upstream's default strategy): the pods' resyncs read the ConfigMap
    from one watch of it, with no request of their own; the watch stops with the last pod that reads it."""
    env = make_env(flags={})  # the status reported every 5 minutes, so a quiet node sends only its renewals
    configmap(env, mode="debug")
    for name in ("a", "b"):
        _volume_pod(
            env,
            [{"name": "config", "configMap": {"name": "app-config"}}],
            [{"name": "config", "mountPath": "/etc/config"}],
            name=name,
        )
    env.advance(30)
    assert env.kubelet.objects.watched() == [("configmaps", "default", "app-config")]
    before = env.world.server.requests
    env.advance(120)  # two volume resyncs of each pod; one Lease renewal every 10 s
    assert env.world.server.requests - before == 12
    cm = env.admin.get("configmaps", "app-config", namespace="default")
    cm["data"] = {"mode": "prod"}
    env.admin.update("configmaps", cm, namespace="default")
    env.advance(60)
    assert run(env, "a", "cat", "/etc/config/mode") == run(env, "b", "cat", "/etc/config/mode") == ("prod\n", "", 0)
    env.admin.delete("pods", "a", namespace="default")
    env.advance(40)
    assert env.kubelet.objects.watched() == [("configmaps", "default", "app-config")]  # b still reads it
    env.admin.delete("pods", "b", namespace="default")
    env.advance(40)
    assert env.kubelet.objects.watched() == []
