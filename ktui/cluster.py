"""``Cluster``: the public entry point — one simulated cluster, its clock, its clients, its history."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

from ktui.api.auth.authn import ADMIN
from ktui.api.auth.user import UserInfo, authenticated
from ktui.api.client import Client
from ktui.api.errors import ApiError
from ktui.api.limits import check_request_shape
from ktui.clusterspec import DEFAULT_SPEC, load_spec, normalize_spec
from ktui.inspection import Inspection, StepReport, step_report
from ktui.sim.history import Checkpoint, History, RecordedInput, ReplayError, plain_data
from ktui.world import World, attach_outside as _attach, build_world, detach_outside as _detach

__all__ = ["Cluster", "ClusterClient", "KubectlRunner", "MAX_ADVANCE_SECONDS", "use_kubectl"]

_MUTATING = ("create", "update", "patch", "delete", "delete_collection")

MAX_ADVANCE_SECONDS = 7 * 24 * 3600.0
"""The most simulated time one :meth:`Cluster.advance` may cover (one week, kubectl's longest wait)."""


class ClusterClient:
    """A :class:`ktui.api.client.Client` for users outside the simulation (kubectl, the UI, tests).

    It always talks to the cluster's current world (so it survives a rewind), and every call that can
    change the cluster is recorded, so a rewind (or loading a saved state) can replay it; reads and watches
    leave the world exactly as it was.
    """

    def __init__(
        self, cluster: "Cluster", user: UserInfo, warning_handler: Callable[[str], None] | None = None
    ) -> None:
        self._cluster = cluster
        self.user = user
        self.warning_handler = warning_handler
        """Receives the server's warnings (see :class:`ktui.api.client.Client`); never recorded."""

    def _client(self) -> Client:
        return Client(self._cluster.world.server, self.user, self.warning_handler)

    def with_warning_handler(self, handler: Callable[[str], None] | None) -> "ClusterClient":
        """The same client with warnings going to ``handler``."""
        return ClusterClient(self._cluster, self.user, handler)

    def __getattr__(self, verb: str) -> Callable[..., Any]:
        if verb.startswith("_"):
            raise AttributeError(verb)
        method = getattr(self._client(), verb)
        if verb in _MUTATING:

            def recorded(*args: Any, **kwargs: Any) -> Any:
                # Refuse what cannot be copied into history (too deep or large), as the server would; record
                # the call after it ran (nothing steps the clock in between) unless its body was refused
                # at decoding, which changed nothing and needs no replay.
                check_request_shape(args, kwargs, self._cluster.world.server.registry)
                world = self._cluster.world
                # Plain data first (TypeError, nothing done, for a body no client could send).
                payload = plain_data({"user": user_to_data(self.user), "verb": verb, "args": args, "kwargs": kwargs})
                try:
                    result = getattr(self._client(), verb)(*args, **kwargs)
                except ApiError as e:
                    if e.code not in (400, 413):
                        self._cluster._history.record(world, "api", payload)
                    raise
                self._cluster._history.record(world, "api", payload)
                return result

            return recorded
        if verb == "watch":

            def external_watch(*args: Any, **kwargs: Any) -> Any:
                server = self._cluster.world.server
                before = server.requests
                try:
                    with server.hub.external():
                        return self._client().watch(*args, **kwargs)
                finally:
                    server.requests = before

            return external_watch
        if verb == "impersonate":

            def impersonate(user: str, groups: tuple[str, ...] | list[str] = ()) -> "ClusterClient":
                return ClusterClient(self._cluster, method(user, groups).user, self.warning_handler)

            return impersonate
        if not callable(method):
            return method

        def observed(*args: Any, **kwargs: Any) -> Any:
            # A read from outside is not an input: it must leave the world as it was, the API server's request
            # count included (Event names are derived from it), so that replaying the inputs gives this world.
            server = self._cluster.world.server
            before = server.requests
            try:
                return method(*args, **kwargs)
            finally:
                server.requests = before

        return observed

    def kubelet_exec(
        self, node: str, namespace: str, pod: str, container: str, argv: list[str], subresource: str = "exec"
    ) -> tuple[str, str, int]:
        """Run a command in a container through its node's kubelet (``kubectl exec``); recorded, since a
        command can change the container (files, logs) and what the network has traced.

        Raises:
            ApiError: 403 when the user may not ``create`` ``pods/exec`` (``pods/attach`` with
                ``subresource="attach"``: a line typed into an attached shell); 400 when the node has no kubelet or
                the container is not running.
        """
        from ktui.api import errors

        server = self._cluster.world.server
        # As kube-apiserver does before it proxies to the kubelet: `create` on pods/exec or pods/attach (else 403).
        server.authorize(self.user, "create", server.registry.resolve("pods"), namespace, pod, subresource)
        kubelet = server.hooks.kubelets.get(node) if node else None
        if kubelet is None:
            raise errors.bad_request(f"pod {pod} does not have a host assigned")
        self._cluster._history.record(
            self._cluster.world,
            "exec",
            {
                "user": user_to_data(self.user),
                "node": node,
                "namespace": namespace,
                "pod": pod,
                "container": container,
                "argv": list(argv),
            },
        )
        return kubelet.exec(namespace, pod, container, list(argv))

    def kubelet_port_dial(self, node: str, namespace: str, pod: str, port: int) -> str:
        """Connect to ``localhost:port`` inside a pod (``kubectl port-forward``): '' when something listens,
        else the kubelet's error text. A read: nothing is recorded.

        Raises:
            ApiError: 403 when the user may not ``create`` ``pods/portforward``.
        """
        from ktui.net.forwarding import dial

        server = self._cluster.world.server
        server.authorize(self.user, "create", server.registry.resolve("pods"), namespace, pod, "portforward")
        return dial(getattr(self._cluster.world, "network", None), node, namespace, pod, port)

    def kubelet_port_forward(self, node: str, namespace: str, pod: str, port: int, head: str) -> tuple[bytes, bool]:
        """One HTTP request (its request line and header fields) on a forwarded connection to ``localhost:port``
        in a pod: the server's response bytes and whether it closes the connection. Recorded, since the server
        writes the request to its access log.

        Raises:
            ApiError: 403 when the user may not ``create`` ``pods/portforward``.
        """
        from ktui.net.forwarding import exchange

        server = self._cluster.world.server
        server.authorize(self.user, "create", server.registry.resolve("pods"), namespace, pod, "portforward")
        world = self._cluster.world
        payload = {"node": node, "namespace": namespace, "pod": pod, "port": port, "head": head}
        self._cluster._history.record(world, "portforward", payload)
        return exchange(getattr(world, "network", None), node, namespace, pod, port, head)


def user_to_data(user: UserInfo) -> dict[str, Any]:
    """A UserInfo as plain data (for the input log)."""
    return {
        "name": user.name,
        "groups": list(user.groups),
        "uid": user.uid,
        "extra": {k: list(v) for k, v in sorted(user.extra.items())},
    }


def user_from_data(data: dict[str, Any]) -> UserInfo:
    """The UserInfo :func:`user_to_data` wrote."""
    return UserInfo(
        str(data["name"]),
        tuple(str(g) for g in data.get("groups") or ()),
        str(data.get("uid") or ""),
        {str(k): tuple(str(x) for x in v) for k, v in (data.get("extra") or {}).items()},
    )


def _apply_input(world: World, inp: RecordedInput) -> None:
    """Perform one recorded input again; it fails now exactly as it failed when it was recorded."""
    p = inp.payload
    if inp.kind == "api":
        if p["verb"] not in _MUTATING:
            raise ReplayError(f"not a recorded API verb: {p['verb']!r}")
        try:
            getattr(Client(world.server, user_from_data(p["user"])), p["verb"])(*p["args"], **p["kwargs"])
        except Exception:  # noqa: BLE001 - it failed the first time too, the same way
            pass
    elif inp.kind == "exec":
        kubelet = world.server.hooks.kubelets.get(p["node"])
        try:
            if kubelet is not None:
                kubelet.exec(p["namespace"], p["pod"], p["container"], list(p["argv"]))
        except Exception:  # noqa: BLE001 - as above
            pass
    elif inp.kind == "portforward":
        from ktui.net.forwarding import exchange

        exchange(getattr(world, "network", None), p["node"], p["namespace"], p["pod"], int(p["port"]), p["head"])
    elif inp.kind == "fault":
        from ktui.components.faults import apply_fault

        apply_fault(world, **p)
    else:
        raise ReplayError(f"unknown input kind {inp.kind!r}")


KubectlRunner = Callable[["Cluster", "str | list[str]", str], "tuple[str, str, int]"]
"""Runs one kubectl line against a cluster: ``(cluster, line, stdin) -> (stdout, stderr, exit_code)``."""

_kubectl: KubectlRunner | None = None


def use_kubectl(runner: KubectlRunner) -> None:
    """Install what :meth:`Cluster.kubectl` runs. kubectl is a client above the cluster (it must not be
    imported from here): importing :mod:`ktui.kubectl` installs its own (``from ktui import Cluster`` does)."""
    global _kubectl
    _kubectl = runner


def check_advance(seconds: Any) -> None:
    """Refuse a duration :meth:`Cluster.advance` cannot cover.

    Raises:
        ValueError: for a non-number, NaN or infinity, a negative duration, or more than a week.
    """
    from ktui.sim.timefmt import format_duration

    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(f"cannot advance by {seconds!r}: not a number of seconds")
    if not math.isfinite(seconds):
        raise ValueError(f"cannot advance by {seconds}: not a finite duration")
    if seconds < 0:
        raise ValueError("cannot advance by a negative duration; use rewind()")
    if seconds > MAX_ADVANCE_SECONDS:
        raise ValueError(
            f"cannot advance by {format_duration(seconds)}: at most "
            f"{format_duration(MAX_ADVANCE_SECONDS)} (one week) per call"
        )


class Cluster:
    """One simulated Kubernetes cluster.

    >>> c = Cluster.default(seed=0)
    >>> c.api.create("pods", {...})
    >>> c.advance(30)

    Args:
        spec: a cluster spec (see :mod:`ktui.clusterspec`); None gives the built-in cluster.
        world: a world of this spec restored from a saved state (see :mod:`ktui.state`) instead of a new one.
    """

    def __init__(self, spec: dict[str, Any] | None = None, *, world: World | None = None) -> None:
        self.spec = normalize_spec(spec)
        self._history: History[World] = History(_apply_input, _detach, _attach, genesis=self._genesis)
        self.world = build_world(self.spec) if world is None else world
        if world is None:
            self._history.checkpoint(self.world, "start")
        self._reset_listeners: list[Callable[[], None]] = []
        self.api = ClusterClient(self, ADMIN)
        """A client acting as the built-in admin, ``kubernetes-admin`` in ``system:masters``."""

    # ---------------------------------------------------------------- construction

    def _genesis(self) -> World:
        """The world as built from the spec, before any input (a rewind past every checkpoint starts here)."""
        return build_world(self.spec)

    @classmethod
    def default(cls, seed: int = 0) -> "Cluster":
        """The built-in cluster: ``controlplane``, ``node01``, ``node02`` as kubeadm leaves them."""
        return cls({**DEFAULT_SPEC, "seed": seed})

    @classmethod
    def from_file(cls, path: str | Path) -> "Cluster":
        return cls(load_spec(path))

    # ---------------------------------------------------------------- identity

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def seed(self) -> int:
        return self.spec["seed"]

    def client(
        self, user: str | None = None, groups: tuple[str, ...] | list[str] = (), *, token: str | None = None
    ) -> ClusterClient:
        """A client for any identity: a user (as a client certificate would name it) or a bearer token (the
        spec's users' or a service account token the cluster issued).

        Raises:
            ApiError: 401 Unauthorized for a token the cluster does not know.
        """
        if token is not None:
            sa = self.world.server.authenticate_service_account(token)
            return ClusterClient(self, sa if sa is not None else self.world.authenticator.authenticate_token(token))
        if user is None:
            return self.api
        return ClusterClient(self, authenticated(user, tuple(groups)))

    def authenticate_certificate(self, der: bytes) -> ClusterClient | None:
        """A client for the user named by a client certificate (DER) that the cluster's signer issued for an
        approved CSR, while it is valid on the simulated clock; None for any other certificate."""
        user = self.world.server.authenticate_certificate(der)
        return ClusterClient(self, user) if user is not None else None

    def signing_ca_pem(self) -> bytes:
        """The certificate of the CA kube-controller-manager signs CSRs with (PEM; the same for the same seed)."""
        return self.world.server.cluster_ca.certificate_pem()

    # ---------------------------------------------------------------- time

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster was created."""
        return self.world.kernel.now

    def advance(self, seconds: float) -> None:
        """Move the simulated clock on by ``seconds``, running everything that falls due."""
        check_advance(seconds)
        self.world.kernel.advance(seconds)

    def run_until(self, time: float) -> None:
        """Run everything due up to simulated ``time`` (at most a week ahead, see :meth:`advance`)."""
        if isinstance(time, bool) or not isinstance(time, (int, float)) or not math.isfinite(time):
            raise ValueError(f"cannot run until {time!r}: not a finite time")
        if time > self.now:
            check_advance(time - self.now)
        self.world.kernel.run_until(time)

    SETTLE_LIMIT = 100_000
    """At most this many events per :meth:`settle` (a guard against components that would never go quiet)."""

    def settle(self) -> int:
        """Let the cluster react to a command before the next one: the one rule for that gap, in every shell.

        A real cluster's components react to a write within milliseconds, long before a person or a script
        sends the next command. Here they react in the same simulated instant, so the rule is: run every event
        due *now* — watch deliveries, controller reconciles, the writes they make and the events those cause —
        until nothing more is due at this instant. The clock does not move, so what takes time (an image pull,
        a status update every 10s, a 40s grace period, a 300s toleration) stays in the future, for the clock
        or for stepping event by event. The scenario runner, the terminal UI and ``ktui kubectl`` call this
        after every command, fault or step; the plain :meth:`kubectl`, :meth:`step` and the API clients do
        not, so a program can still look at the instant right after a write.

        Returns:
            How many events ran (at most :attr:`SETTLE_LIMIT`).
        """
        kernel = self.world.kernel
        ran = 0
        while ran < self.SETTLE_LIMIT:
            due = kernel.peek()
            if due is None or due > kernel.now:
                break
            kernel.step()
            ran += 1
        return ran

    def step(self) -> bool:
        """Run the next pending event (the clock jumps to it). False when nothing is pending."""
        return self.world.kernel.step()

    def next_event_time(self) -> float | None:
        return self.world.kernel.peek()

    def step_report(self) -> StepReport | None:
        """Run the next pending event as :meth:`step` does and say what ran and which Events it recorded;
        None when nothing is pending."""
        return step_report(self)

    @property
    def steps(self) -> int:
        """How many simulation events have run since the cluster was built (observers' deliveries not counted)."""
        return self.world.kernel.steps

    @property
    def inspect(self) -> Inspection:
        """Read-only questions about what only the simulation knows: the scheduler's explanation of a pod, a
        node's routes and iptables, a trace, a kubelet's containers and health, the next event."""
        return Inspection(self)

    def fault(self, kind: str, **target: Any) -> None:
        """Inject a fault now (see :mod:`ktui.components.faults`); recorded for replay."""
        from ktui.components.faults import apply_fault

        payload = {"kind": kind, **target}
        apply_fault(self.world, **payload)  # validates before recording
        self._history.record(self.world, "fault", payload)

    def kubectl(self, line: str | list[str], stdin: str = "") -> tuple[str, str, int]:
        """Run a kubectl command line against this cluster: ``(stdout, stderr, exit_code)``.

        A convenience: kubectl sits above ``Cluster``, so importing :mod:`ktui.kubectl` installs it (:func:`use_kubectl`).
        """
        if _kubectl is None:
            raise RuntimeError("no kubectl installed: import ktui.kubectl (or use `from ktui import Cluster`)")
        return _kubectl(self, line, stdin)

    # ---------------------------------------------------------------- history

    def checkpoint(self, label: str = "") -> Checkpoint[World]:
        """Remember the whole cluster as it is now."""
        return self._history.checkpoint(self.world, label)

    @property
    def history(self) -> History[World]:
        """The inputs recorded since the cluster was built, and its checkpoints (saved states use them)."""
        return self._history

    @property
    def checkpoints(self) -> list[Checkpoint[World]]:
        return list(self._history.checkpoints)

    def snapshot(self) -> World:
        """A detached deep copy of the simulated world (for inspection or comparison)."""
        return self._history.snapshot(self.world)

    def restore(self, checkpoint: Checkpoint[World]) -> None:
        """Return exactly to ``checkpoint``; what was done after it is forgotten."""
        self.world = self._history.restore_checkpoint(checkpoint)
        self._notify_reset()

    def rewind(self, to: float) -> None:
        """Return to simulated time ``to``: restore the nearest earlier checkpoint and replay inputs."""
        if to > self.now:
            raise ValueError(f"cannot rewind forward (now={self.now}, to={to})")
        self.world = self._history.rewind(to)
        self._notify_reset()

    def dump(self, f: Any) -> None:
        """Write the cluster's state to a file as JSON (see :mod:`ktui.state`): its spec, the inputs recorded
        since it was built, its clock and a data snapshot of its world. Text or binary files."""
        from ktui.state import encode_state, snapshot_text

        text = encode_state(self, snapshot=snapshot_text(self))
        try:
            f.write(text)
        except TypeError:
            f.write(text.encode())

    @staticmethod
    def load(f: Any) -> "Cluster":
        """A cluster written by :meth:`dump`: its world restored from the snapshot (or built afresh from its
        spec), and the inputs recorded after that replayed.

        Raises:
            ktui.state.StateError: for a file that is not such a state, or one of another ktui version.
        """
        from ktui.state import decode_state

        return decode_state(f.read(), Cluster)

    def on_reset(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after a restore or rewind (outside watches must be started again)."""
        self._reset_listeners.append(listener)

    def _notify_reset(self) -> None:
        for listener in list(self._reset_listeners):
            listener()
