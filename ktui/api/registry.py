"""The resource registry: every API resource as `kubectl api-resources` lists it on v1.37."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Resource", "Registry", "REGISTRY", "UnknownResource"]

_RW = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Resource:
    """One API resource: where it lives, what it is called, what verbs it takes."""

    plural: str
    singular: str
    kind: str
    group: str
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = _RW
    categories: tuple[str, ...] = ()
    etcd_prefix: str = ""
    subresources: tuple[str, ...] = ()
    has_status: bool = True
    """Whether main-resource updates keep the stored status (the */status subresource owns it)."""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``pods`` or ``deployments.apps`` — how errors name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def key(self, namespace: str | None, name: str) -> str:
        """The etcd key of one object."""
        if self.namespaced:
            return f"{self.etcd_prefix}{namespace}/{name}"
        return f"{self.etcd_prefix}{name}"

    def prefix(self, namespace: str | None = None) -> str:
        """The etcd prefix of a list: all namespaces, or one."""
        if self.namespaced and namespace:
            return f"{self.etcd_prefix}{namespace}/"
        return self.etcd_prefix


class UnknownResource(KeyError):
    """A name no registered resource answers to."""


def _r(
    plural, singular, kind, group, version, namespaced, short=(), *, verbs=_RW, cats=(), etcd=None, sub=(), status=True
) -> Resource:
    return Resource(
        plural,
        singular,
        kind,
        group,
        version,
        namespaced,
        tuple(short),
        tuple(verbs),
        tuple(cats),
        f"/registry/{etcd or plural}/",
        tuple(sub),
        status,
    )


_CREATE_ONLY = ("create",)
_ALL = ("all",)

RESOURCES: tuple[Resource, ...] = (
    _r("bindings", "binding", "Binding", "", "v1", True, verbs=_CREATE_ONLY, status=False),
    _r(
        "componentstatuses",
        "componentstatus",
        "ComponentStatus",
        "",
        "v1",
        False,
        ("cs",),
        verbs=("get", "list"),
        status=False,
    ),
    _r("configmaps", "configmap", "ConfigMap", "", "v1", True, ("cm",), status=False),
    _r("endpoints", "endpoints", "Endpoints", "", "v1", True, ("ep",), etcd="services/endpoints", status=False),
    _r("events", "event", "Event", "", "v1", True, ("ev",), status=False),
    _r("limitranges", "limitrange", "LimitRange", "", "v1", True, ("limits",), status=False),
    _r(
        "namespaces",
        "namespace",
        "Namespace",
        "",
        "v1",
        False,
        ("ns",),
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
        sub=("status", "finalize"),
    ),
    _r("nodes", "node", "Node", "", "v1", False, ("no",), etcd="minions", sub=("status", "proxy")),
    _r(
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        "",
        "v1",
        True,
        ("pvc",),
        sub=("status",),
    ),
    _r(
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        "",
        "v1",
        False,
        ("pv",),
        etcd="persistentvolumes",
        sub=("status",),
    ),
    _r(
        "pods",
        "pod",
        "Pod",
        "",
        "v1",
        True,
        ("po",),
        cats=_ALL,
        sub=(
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "resize",
            "status",
        ),
    ),
    _r("podtemplates", "podtemplate", "PodTemplate", "", "v1", True, status=False),
    _r(
        "replicationcontrollers",
        "replicationcontroller",
        "ReplicationController",
        "",
        "v1",
        True,
        ("rc",),
        cats=_ALL,
        etcd="controllers",
        sub=("scale", "status"),
    ),
    _r("resourcequotas", "resourcequota", "ResourceQuota", "", "v1", True, ("quota",), sub=("status",)),
    _r("secrets", "secret", "Secret", "", "v1", True, status=False),
    _r("serviceaccounts", "serviceaccount", "ServiceAccount", "", "v1", True, ("sa",), sub=("token",), status=False),
    _r(
        "services",
        "service",
        "Service",
        "",
        "v1",
        True,
        ("svc",),
        cats=_ALL,
        verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
        etcd="services/specs",
        sub=("proxy", "status"),
    ),
    _r(
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "v1",
        False,
        status=False,
    ),
    _r(
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "v1",
        False,
        status=False,
    ),
    _r(
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "v1",
        False,
        ("crd", "crds"),
        etcd="apiextensions.k8s.io/customresourcedefinitions",
        sub=("status",),
    ),
    _r("controllerrevisions", "controllerrevision", "ControllerRevision", "apps", "v1", True, status=False),
    _r("daemonsets", "daemonset", "DaemonSet", "apps", "v1", True, ("ds",), cats=_ALL, sub=("status",)),
    _r("deployments", "deployment", "Deployment", "apps", "v1", True, ("deploy",), cats=_ALL, sub=("scale", "status")),
    _r("replicasets", "replicaset", "ReplicaSet", "apps", "v1", True, ("rs",), cats=_ALL, sub=("scale", "status")),
    _r("statefulsets", "statefulset", "StatefulSet", "apps", "v1", True, ("sts",), cats=_ALL, sub=("scale", "status")),
    _r(
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        "authentication.k8s.io",
        "v1",
        False,
        verbs=_CREATE_ONLY,
        status=False,
    ),
    _r(
        "tokenreviews",
        "tokenreview",
        "TokenReview",
        "authentication.k8s.io",
        "v1",
        False,
        verbs=_CREATE_ONLY,
        status=False,
    ),
    _r(
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        "LocalSubjectAccessReview",
        "authorization.k8s.io",
        "v1",
        True,
        verbs=_CREATE_ONLY,
        status=False,
    ),
    _r(
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        "authorization.k8s.io",
        "v1",
        False,
        verbs=_CREATE_ONLY,
        status=False,
    ),
    _r(
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        "authorization.k8s.io",
        "v1",
        False,
        verbs=_CREATE_ONLY,
        status=False,
    ),
    _r(
        "subjectaccessreviews",
        "subjectaccessreview",
        "SubjectAccessReview",
        "authorization.k8s.io",
        "v1",
        False,
        verbs=_CREATE_ONLY,
        status=False,
    ),
    _r(
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        "autoscaling",
        "v2",
        True,
        ("hpa",),
        cats=_ALL,
        sub=("status",),
    ),
    _r("cronjobs", "cronjob", "CronJob", "batch", "v1", True, ("cj",), cats=_ALL, sub=("status",)),
    _r("jobs", "job", "Job", "batch", "v1", True, cats=_ALL, sub=("status",)),
    _r(
        "certificatesigningrequests",
        "certificatesigningrequest",
        "CertificateSigningRequest",
        "certificates.k8s.io",
        "v1",
        False,
        ("csr",),
        sub=("approval", "status"),
    ),
    _r("leases", "lease", "Lease", "coordination.k8s.io", "v1", True, etcd="leases", status=False),
    _r("endpointslices", "endpointslice", "EndpointSlice", "discovery.k8s.io", "v1", True, status=False),
    _r("ingressclasses", "ingressclass", "IngressClass", "networking.k8s.io", "v1", False, status=False),
    _r("ingresses", "ingress", "Ingress", "networking.k8s.io", "v1", True, ("ing",), etcd="ingress", sub=("status",)),
    _r("networkpolicies", "networkpolicy", "NetworkPolicy", "networking.k8s.io", "v1", True, ("netpol",), status=False),
    _r("runtimeclasses", "runtimeclass", "RuntimeClass", "node.k8s.io", "v1", False, status=False),
    _r(
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        "policy",
        "v1",
        True,
        ("pdb",),
        sub=("status",),
    ),
    _r(
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        "v1",
        False,
        status=False,
    ),
    _r("clusterroles", "clusterrole", "ClusterRole", "rbac.authorization.k8s.io", "v1", False, status=False),
    _r("rolebindings", "rolebinding", "RoleBinding", "rbac.authorization.k8s.io", "v1", True, status=False),
    _r("roles", "role", "Role", "rbac.authorization.k8s.io", "v1", True, status=False),
    _r("priorityclasses", "priorityclass", "PriorityClass", "scheduling.k8s.io", "v1", False, ("pc",), status=False),
    _r("storageclasses", "storageclass", "StorageClass", "storage.k8s.io", "v1", False, ("sc",), status=False),
)


@dataclass
class Registry:
    """Resolves what a user types — plural, singular, short name, kind, ``plural.group`` — to a Resource."""

    resources: tuple[Resource, ...] = RESOURCES
    _by_name: dict[str, Resource] = field(default_factory=dict, init=False)
    _by_kind: dict[tuple[str, str], Resource] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        # Earlier entries win, as in discovery order (core first), so "events" means core/v1 Events.
        for r in self.resources:
            names = {r.plural, r.singular, r.kind.lower(), *r.short_names}
            for n in names:
                self._by_name.setdefault(n, r)
                self._by_name.setdefault(f"{n}.{r.group}" if r.group else n, r)
                self._by_name.setdefault(f"{n}.{r.version}.{r.group}" if r.group else f"{n}.{r.version}", r)
            self._by_kind.setdefault((r.group, r.kind), r)

    def resolve(self, name: str) -> Resource:
        """The resource ``name`` means, or :class:`UnknownResource`."""
        r = self._by_name.get(name.lower()) if name else None
        if r is None:
            raise UnknownResource(name)
        return r

    def for_kind(self, api_version: str, kind: str) -> Resource:
        """The resource storing objects of ``apiVersion``/``kind``."""
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        r = self._by_kind.get((group, kind))
        if r is None:
            raise UnknownResource(f"{api_version}/{kind}")
        return r

    def __iter__(self):
        return iter(self.resources)


REGISTRY = Registry()
