"""Liveness, readiness and startup probes: running one probe against a simulated container.

Results and messages follow pkg/probe (``HTTP probe failed with statuscode: 404``, dial errors) and
pkg/kubelet/prober (``Readiness probe failed: ...``, ``Container x failed liveness probe, will be restarted``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ktui.components.kubelet.pod_status import CState

__all__ = ["ProbeMixin", "ProbeState", "probe_params", "run_probe", "PROBE_AGENT"]

PROBE_AGENT = "kube-probe/1.37"


@dataclass
class ProbeState:
    """One probe worker of one container."""

    kind: str
    """liveness, readiness or startup."""
    successes: int = 0
    failures: int = 0
    result: bool | None = None
    timer: Any = None


def probe_params(probe: dict) -> tuple[float, float, int, int]:
    """(initialDelaySeconds, periodSeconds, successThreshold, failureThreshold) with the API defaults."""
    return (
        float(probe.get("initialDelaySeconds") or 0),
        float(probe.get("periodSeconds") or 10),
        int(probe.get("successThreshold") or 1),
        int(probe.get("failureThreshold") or 3),
    )


def _port(value: Any, spec_c: dict) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    for p in spec_c.get("ports") or []:
        if p.get("name") == value:
            return int(p.get("containerPort"))
    return None


def run_probe(runtime: Any, cid: str, probe: dict, spec_c: dict, pod_ip: str, node_ip: str) -> tuple[bool, str]:
    """Run ``probe`` once against container ``cid``; (success, output or failure message)."""
    if "exec" in probe:
        argv = list((probe.get("exec") or {}).get("command") or [])
        try:
            out, err, code = runtime.exec(cid, argv)
        except LookupError:
            return False, "container not running"
        text = (out + err).rstrip("\n")
        if code == 127 and err.startswith("OCI runtime"):
            return False, err.rstrip("\n")
        return code == 0, text
    if "httpGet" in probe:
        hg = probe.get("httpGet") or {}
        port = _port(hg.get("port"), spec_c)
        host = hg.get("host") or pod_ip
        scheme = (hg.get("scheme") or "HTTP").lower()
        path = hg.get("path") or "/"
        url = f"{scheme}://{host}:{port}{path}"
        if port is None:
            return False, f'Get "{url}": dial tcp: address {hg.get("port")}: invalid port'
        code, err = runtime.http_get(cid, port, path, node_ip, PROBE_AGENT)
        if code is None:
            return False, f'Get "{url}": {err.replace(" :", f" {host}:")}'
        if 200 <= code < 400:
            return True, ""
        return False, f"HTTP probe failed with statuscode: {code}"
    if "tcpSocket" in probe or "grpc" in probe:
        sock = probe.get("tcpSocket") or probe.get("grpc") or {}
        port = _port(sock.get("port"), spec_c)
        host = sock.get("host") or pod_ip
        if port is not None and runtime.tcp_open(cid, port):
            return True, ""
        return False, f"dial tcp {host}:{port}: connect: connection refused"
    return True, ""


_NO_PROBES: dict = {}
"""The probes of a container that has none (shared by all of them; never written)."""


class ProbeMixin:
    """The probe workers of a :class:`ktui.components.kubelet.pod_worker.PodWorker` (one timer per probe)."""

    __slots__ = ()

    kl: Any
    cstates: dict
    killing: bool
    sandbox_ip: str
    spec: dict

    def _start_probes(self, spec_c: dict, cs: CState) -> None:
        self._stop_probes(cs)
        has_startup = bool(spec_c.get("startupProbe"))
        cs.started = not has_startup
        cs.ready = not spec_c.get("readinessProbe") and not has_startup
        for kind in ("startup", "liveness", "readiness"):
            probe = spec_c.get(f"{kind}Probe")
            if probe:
                if not cs.probes:  # the shared empty one (a snapshot may have loaded it as one dict too)
                    cs.probes = {}
                state = cs.probes[kind] = ProbeState(kind)
                delay = probe_params(probe)[0]
                state.timer = self.kl.kernel.schedule(delay, self._probe, spec_c["name"], kind, cs.current)
        if cs.ready:
            self.schedule_sync()  # type: ignore[attr-defined]

    def _stop_probes(self, cs: CState) -> None:
        for state in cs.probes.values():
            if state.timer is not None:
                state.timer.cancel()
        cs.probes = _NO_PROBES

    def _probe(self, name: str, kind: str, cid: str) -> None:
        cs = self.cstates.get(name)
        spec_c = next((c for c in self._init_specs() + self._app_specs() if c["name"] == name), None)  # type: ignore[attr-defined]
        if cs is None or spec_c is None or cs.current != cid or kind not in cs.probes or self.killing:
            return
        state = cs.probes[kind]
        probe = spec_c[f"{kind}Probe"]
        _, period, success_thr, failure_thr = probe_params(probe)
        state.timer = self.kl.kernel.schedule(period, self._probe, name, kind, cid)
        if not self.kl.running or (kind != "startup" and not cs.started):
            return
        c = self.kl.runtime.containers.get(cid)
        if c is None or c.state != "running":
            return
        ok, output = run_probe(self.kl.runtime, cid, probe, spec_c, self.sandbox_ip, self.kl.bridge_ip(self))
        if ok:
            state.successes, state.failures = state.successes + 1, 0
            if state.successes >= success_thr and state.result is not True:
                state.result = True
                if kind == "startup":
                    cs.started = True
                    cs.ready = not spec_c.get("readinessProbe")
                    state.timer.cancel()
                elif kind == "readiness":
                    cs.ready = True
                self.write_status()  # type: ignore[attr-defined]
            return
        state.failures, state.successes = state.failures + 1, 0
        label = kind.capitalize()
        self._event("Warning", "Unhealthy", f"{label} probe failed: {output}", name)  # type: ignore[attr-defined]
        if state.failures < failure_thr:
            return
        if kind == "readiness":
            if state.result is not False:
                state.result = False
                cs.ready = False
                self.write_status()  # type: ignore[attr-defined]
            return
        self._event("Normal", "Killing", f"Container {name} failed {kind} probe, will be restarted", name)  # type: ignore[attr-defined]
        self._stop_probes(cs)
        grace = probe.get("terminationGracePeriodSeconds", self.spec.get("terminationGracePeriodSeconds", 30))
        self.kl.runtime.stop(cid, float(grace))
