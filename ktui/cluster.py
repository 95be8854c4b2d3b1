"""``Cluster``: the public entry point — one simulated cluster, its clock, its clients, its history."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ktui.api.auth.user import UserInfo, authenticated
from ktui.api.authn import ADMIN
from ktui.api.client import Client
from ktui.api.errors import ApiError
from ktui.api.limits import check_request_shape
from ktui.clusterspec import DEFAULT_SPEC, load_spec, normalize_spec
from ktui.sim.history import Checkpoint, History, RecordedInput
from ktui.world import World, build_world

__all__ = ["Cluster", "ClusterClient"]

_MUTATING = ("create", "update", "patch", "delete", "delete_collection")


class ClusterClient:
    """A :class:`ktui.api.client.Client` for users outside the simulation (kubectl, the UI, tests).

    It always talks to the cluster's current world (so it survives a rewind), and every call that can
    change the cluster is recorded, so a rewind can replay it.
    """

    def __init__(self, cluster: "Cluster", user: UserInfo, warning_handler: Callable[[str], None] | None = None) -> None:
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
                try:
                    result = getattr(self._client(), verb)(*args, **kwargs)
                except ApiError as e:
                    if e.code not in (400, 413):
                        self._cluster._history.record(world, "api", (self.user, verb, args, kwargs))
                    raise
                self._cluster._history.record(world, "api", (self.user, verb, args, kwargs))
                return result

            return recorded
        if verb == "watch":
            def external_watch(*args: Any, **kwargs: Any) -> Any:
                w = self._client().watch(*args, **kwargs)
                w.external = True
                return w

            return external_watch
        if verb == "impersonate":
            def impersonate(user: str, groups: tuple[str, ...] | list[str] = ()) -> "ClusterClient":
                return ClusterClient(self._cluster, method(user, groups).user, self.warning_handler)

            return impersonate
        return method


def _apply_input(world: World, inp: RecordedInput) -> None:
    if inp.kind == "api":
        user, verb, args, kwargs = inp.payload
        try:
            getattr(Client(world.server, user), verb)(*args, **kwargs)
        except ApiError:
            pass  # it failed the first time too
    elif inp.kind == "fault":
        from ktui.components.faults import apply_fault

        apply_fault(world, **inp.payload)
    else:  # pragma: no cover - a programming error
        raise ValueError(f"unknown input kind {inp.kind}")


def _detach(world: World) -> list[Any]:
    hub = world.server.hub
    external = [w for bucket in list(hub._by_resource.values()) + list(hub._by_node.values())
                for w in bucket if getattr(w, "external", False)]
    for w in external:
        hub._remove(w)
    return external


def _attach(world: World, external: list[Any]) -> None:
    for w in external:
        world.server.hub.add(w)


class Cluster:
    """One simulated Kubernetes cluster.

    >>> c = Cluster.default(seed=0)
    >>> c.api.create("pods", {...})
    >>> c.advance(30)

    Args:
        spec: a cluster spec (see :mod:`ktui.clusterspec`); None gives the built-in cluster.
    """

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = normalize_spec(spec)
        self._history: History[World] = History(_apply_input, _detach, _attach)
        self.world = build_world(self.spec)
        self._history.checkpoint(self.world, "start")
        self._reset_listeners: list[Callable[[], None]] = []
        self.api = ClusterClient(self, ADMIN)
        """A client acting as the built-in admin, ``kubernetes-admin`` in ``system:masters``."""

    # ---------------------------------------------------------------- construction

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

    def client(self, user: str | None = None, groups: tuple[str, ...] | list[str] = (), *,
               token: str | None = None) -> ClusterClient:
        """A client for any identity: a user (as a client certificate would name it) or a bearer token.

        Raises:
            ApiError: 401 Unauthorized for a token the cluster does not know.
        """
        if token is not None:
            return ClusterClient(self, self.world.authenticator.authenticate_token(token))
        if user is None:
            return self.api
        return ClusterClient(self, authenticated(user, tuple(groups)))

    # ---------------------------------------------------------------- time

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster was created."""
        return self.world.kernel.now

    def advance(self, seconds: float) -> None:
        """Move the simulated clock on by ``seconds``, running everything that falls due."""
        if seconds < 0:
            raise ValueError("cannot advance by a negative duration; use rewind()")
        self.world.kernel.advance(seconds)

    def run_until(self, time: float) -> None:
        self.world.kernel.run_until(time)

    def step(self) -> bool:
        """Run the next pending event (the clock jumps to it). False when nothing is pending."""
        return self.world.kernel.step()

    def next_event_time(self) -> float | None:
        return self.world.kernel.peek()

    def fault(self, kind: str, **target: Any) -> None:
        """Inject a fault now (see :mod:`ktui.components.faults`); recorded for replay."""
        from ktui.components.faults import apply_fault

        payload = {"kind": kind, **target}
        apply_fault(self.world, **payload)  # validates before recording
        self._history.record(self.world, "fault", payload)

    def kubectl(self, line: str | list[str], stdin: str = "") -> tuple[str, str, int]:
        """Run a kubectl command line against this cluster: ``(stdout, stderr, exit_code)``."""
        from ktui.kubectl import KubectlEnv, run_kubectl

        r = run_kubectl(KubectlEnv.for_cluster(self), line, stdin=stdin)
        return r.stdout, r.stderr, r.exit_code

    # ---------------------------------------------------------------- history

    def checkpoint(self, label: str = "") -> Checkpoint[World]:
        """Remember the whole cluster as it is now."""
        return self._history.checkpoint(self.world, label)

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
        """Pickle the cluster (its world, history and checkpoints) to a binary file, without the watches and
        listeners of the processes looking at it."""
        import pickle

        token = _detach(self.world)
        listeners, self._reset_listeners = self._reset_listeners, []
        try:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            self._reset_listeners = listeners
            _attach(self.world, token)

    @staticmethod
    def load(f: Any) -> "Cluster":
        """A cluster written by :meth:`dump`."""
        import pickle

        cluster = pickle.load(f)
        if not isinstance(cluster, Cluster):
            raise ValueError("not a ktui cluster file")
        return cluster

    def on_reset(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after a restore or rewind (outside watches must be started again)."""
        self._reset_listeners.append(listener)

    def _notify_reset(self) -> None:
        for listener in list(self._reset_listeners):
            listener()
