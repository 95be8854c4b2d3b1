"""ClusterIP and NodePort allocation for Services, as the kube-apiserver's Service REST storage does it.

Follows pkg/registry/core/service/storage/alloc.go, ipallocator (KEP-3070: a lower band of the range is
kept for static addresses, dynamic ones are drawn at random from the upper band first) and portallocator
(KEP-3668, the same idea for NodePorts). Used addresses and ports live in dicts keyed by number, fed by
``observe``/``forget`` as Services are stored, so one allocation costs O(1) expected however many
Services exist. ``allocate`` itself reserves nothing: the API server stores the result, then observes it.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol

from ktui.api.errors import ApiError, FieldError, internal, invalid
from ktui.api.objects import copy_json, key_of

__all__ = ["ServiceAllocator", "ip_range_offset", "port_range_offset"]

_NODE_PORT_TYPES = ("NodePort", "LoadBalancer")


class _Rng(Protocol):
    def randint(self, a: int, b: int) -> int: ...

    def random(self) -> float: ...


def ip_range_offset(size: int) -> int:
    """The static band of a CIDR of ``size`` addresses (network and broadcast included): min(max(16, size/16), 256)."""
    if size <= 16:
        return 0
    return min(max(16, size // 16), 256)


def port_range_offset(size: int) -> int:
    """The static band of a NodePort range of ``size`` ports: min(max(16, size/32), 128), 0 when size <= 16."""
    if size <= 16:
        return 0
    return min(max(16, size // 32), 128)


def _cluster_ips(svc: dict) -> list[str]:
    spec = svc.get("spec") or {}
    ips = list(spec.get("clusterIPs") or [])
    if not ips and spec.get("clusterIP"):
        ips = [spec["clusterIP"]]
    return [ip for ip in ips if ip and ip != "None"]


def _node_ports(svc: dict) -> list[int]:
    spec = svc.get("spec") or {}
    ports = [p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")]
    if spec.get("healthCheckNodePort"):
        ports.append(spec["healthCheckNodePort"])
    return [int(p) for p in ports]


def _needs_health_check(spec: dict) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


class ServiceAllocator:
    """Hands out ClusterIPs and NodePorts from one Service CIDR and one NodePort range, deterministically."""

    def __init__(
        self,
        rng: _Rng,
        service_cidr: str = "10.96.0.0/12",
        node_port_range: tuple[int, int] = (30000, 32767),
        reserved: dict[str, str] | None = None,
    ) -> None:
        self.rng = rng
        """The cluster's seeded RNG; every random choice comes from it."""
        self.network = ipaddress.ip_network(service_cidr, strict=False)
        """The Service CIDR (``--service-cluster-ip-range``)."""
        self.family = "IPv6" if self.network.version == 6 else "IPv4"
        self._first = int(self.network.network_address) + 1
        self._last = int(self.network.broadcast_address) - (1 if self.network.version == 4 else 0)
        self._ip_offset = ip_range_offset(self.network.num_addresses)
        self.port_base, self.port_max = node_port_range
        """The NodePort range (``--service-node-port-range``), both ends included."""
        self._port_offset = port_range_offset(self.port_max - self.port_base + 1)
        first = str(ipaddress.ip_address(self._first))
        self.reserved: dict[int, str] = {self._first: "default/kubernetes"}
        """Addresses kept for one Service (``namespace/name``): the first one for ``default/kubernetes``."""
        for ip, owner in (reserved or {}).items():
            self.reserved[int(ipaddress.ip_address(ip))] = owner
        self.kubernetes_ip = first
        self._ips: dict[int, str] = {}
        self._ports: dict[int, str] = {}
        self._held: dict[str, tuple[list[int], list[int]]] = {}

    # -- bookkeeping ---------------------------------------------------------------------------------

    def observe(self, svc: dict) -> None:
        """Record the addresses and ports a stored Service holds (on every create and update)."""
        key = key_of(svc)
        self._release(key)
        ips = [int(ipaddress.ip_address(ip)) for ip in _cluster_ips(svc) if self._parse(ip) is not None]
        ports = _node_ports(svc)
        for ip in ips:
            self._ips[ip] = key
        for p in ports:
            self._ports[p] = key
        self._held[key] = (ips, ports)

    def forget(self, svc: dict) -> None:
        """Free what a deleted Service held."""
        self._release(key_of(svc))

    def _release(self, key: str) -> None:
        ips, ports = self._held.pop(key, ((), ()))
        for ip in ips:
            if self._ips.get(ip) == key:
                del self._ips[ip]
        for p in ports:
            if self._ports.get(p) == key:
                del self._ports[p]

    def ip_owner(self, ip: str) -> str | None:
        """The ``namespace/name`` holding an address, if any."""
        return self._ips.get(int(ipaddress.ip_address(ip)))

    def port_owner(self, port: int) -> str | None:
        """The ``namespace/name`` holding a NodePort, if any."""
        return self._ports.get(port)

    def _parse(self, ip: str) -> int | None:
        try:
            return int(ipaddress.ip_address(ip))
        except ValueError:
            return None

    def _ip_taken(self, ip: int, key: str) -> bool:
        owner = self._ips.get(ip) or self.reserved.get(ip)
        return owner is not None and owner != key

    # -- allocation ----------------------------------------------------------------------------------

    def allocate(self, svc: dict, old: dict | None, dry_run: bool) -> dict:
        """A copy of ``svc`` with its ClusterIPs, IP family fields and NodePorts filled in.

        Args:
            svc: The Service being created or updated.
            old: The stored Service on update, None on create.
            dry_run: Compute as a dry run does (placeholder values, no conflict with itself).

        Raises:
            ApiError: 422 Invalid for a requested address or port that is taken or out of range.
        """
        svc = copy_json(svc)
        spec = svc.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        key = key_of(svc)
        name = (svc.get("metadata") or {}).get("name", "")
        if old is not None:
            self._patch_from_old(spec, old.get("spec") or {})
        self._ip_fields(svc, old, key, name, dry_run)
        self._ports_for(svc, old, key, name, dry_run)
        return svc

    def _patch_from_old(self, spec: dict, old: dict) -> None:
        """patchAllocatedValues: an update that omits allocated values keeps the stored ones."""
        if spec["type"] != "ExternalName" and old.get("type", "ClusterIP") != "ExternalName":
            if not spec.get("clusterIP") and old.get("clusterIP"):
                spec["clusterIP"] = old["clusterIP"]
            if not spec.get("clusterIPs") and old.get("clusterIPs"):
                spec["clusterIPs"] = list(old["clusterIPs"])
            for f in ("ipFamilies", "ipFamilyPolicy"):
                if f not in spec and f in old:
                    spec[f] = copy_json(old[f])
        if spec["type"] in _NODE_PORT_TYPES and old.get("type") in _NODE_PORT_TYPES:
            by_name = {p.get("name", ""): p.get("nodePort") for p in old.get("ports") or []}
            new_used = {p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")}
            for p in spec.get("ports") or []:
                if not p.get("nodePort"):
                    prev = by_name.get(p.get("name", ""))
                    if prev and prev not in new_used:
                        p["nodePort"] = prev
            if _needs_health_check(spec) and _needs_health_check(old) and not spec.get("healthCheckNodePort"):
                if old.get("healthCheckNodePort"):
                    spec["healthCheckNodePort"] = old["healthCheckNodePort"]

    def _ip_fields(self, svc: dict, old: dict | None, key: str, name: str, dry_run: bool) -> None:
        spec = svc["spec"]
        if spec["type"] == "ExternalName":
            if old is not None and (old.get("spec") or {}).get("type") != "ExternalName":
                for f in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                    spec.pop(f, None)
            return
        ips = list(spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []))
        if ips and ips[0] == "None":
            spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
            if not spec.get("ipFamilyPolicy"):
                spec["ipFamilyPolicy"] = "SingleStack" if spec.get("selector") else "RequireDualStack"
            families = list(spec.get("ipFamilies") or [self.family])
            if len(families) < 2 and spec["ipFamilyPolicy"] != "SingleStack":
                families.append("IPv6" if families[0] == "IPv4" else "IPv4")
            spec["ipFamilies"] = families
            return
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("ipFamilies", [self.family])
        old_spec = (old or {}).get("spec") or {}
        if old is not None and old_spec.get("type", "ClusterIP") != "ExternalName" and _cluster_ips(old):
            if ips and ips[0] == _cluster_ips(old)[0]:
                spec["clusterIP"], spec["clusterIPs"] = ips[0], ips
                return
        if ips:
            spec["clusterIP"], spec["clusterIPs"] = ips[0], ips
            self._claim_ip(ips, key, name, dry_run)
            return
        ip = self._next_ip(key, dry_run)
        spec["clusterIP"], spec["clusterIPs"] = ip, [ip]

    def _claim_ip(self, ips: list[str], key: str, name: str, dry_run: bool) -> None:
        text = ips[0]
        addr = self._parse(text)
        if addr is None:
            detail = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            raise invalid("Service", name, [FieldError.invalid("spec.clusterIPs[0]", text, detail)])
        version = ipaddress.ip_address(text).version
        if version != self.network.version:
            fam = "IPv6" if version == 6 else "IPv4"
            detail = f"{fam} is not configured on this cluster"
            raise invalid("Service", name, [FieldError.invalid("spec.clusterIPs[0]", ips, detail)])
        if not (self._first <= addr <= self._last):
            why = "the provided network does not match the current range"
        elif not dry_run and self._ip_taken(addr, key):
            why = "provided IP is already allocated"
        else:
            return
        raise invalid(
            "Service", name, [FieldError.invalid("spec.clusterIPs", ips, f"failed to allocate IP {text}: {why}")]
        )

    def _next_ip(self, key: str, dry_run: bool) -> str:
        """A free address: the owner's reserved one, else random in the upper band, else the lower band."""
        for ip, owner in sorted(self.reserved.items()):
            if owner == key and self._ips.get(ip, key) == key:
                return str(ipaddress.ip_address(ip))
        if dry_run:
            return str(self.network.network_address)
        lo = self._first + self._ip_offset
        found = self._scan(lo, self._last, lambda ip: not self._ip_taken(ip, key))
        if found is None and self._ip_offset:
            found = self._scan(self._first, lo - 1, lambda ip: not self._ip_taken(ip, key))
        if found is None:
            raise internal("failed to allocate a serviceIP: range is full")
        return str(ipaddress.ip_address(found))

    def _scan(self, lo: int, hi: int, free) -> int | None:
        """Walk ``[lo, hi]`` from a random start, wrapping, to the first free value."""
        size = hi - lo + 1
        if size <= 0:
            return None
        start = self.rng.randint(0, size - 1)
        for i in range(size):
            value = lo + (start + i) % size
            if free(value):
                return value
        return None

    def _ports_for(self, svc: dict, old: dict | None, key: str, name: str, dry_run: bool) -> None:
        spec = svc["spec"]
        old_spec = (old or {}).get("spec") or {}
        old_ports = set(_node_ports(old)) if old is not None else set()
        op = _PortOp(self, key, dry_run)
        if spec["type"] not in _NODE_PORT_TYPES:
            if old is not None and old_spec.get("type") in _NODE_PORT_TYPES:
                stale = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or []}
                for p in spec.get("ports") or []:
                    if p.get("nodePort") and stale.get(p.get("port")) == p["nodePort"]:
                        del p["nodePort"]
            return
        allocate_new = spec["type"] == "NodePort" or spec.get("allocateLoadBalancerNodePorts", True) is not False
        ports = spec.get("ports") or []
        if old is None:
            self._create_ports(ports, allocate_new, op, name)
        else:
            for i, p in enumerate(ports):  # updateNodePorts: kept ports stay, new requests are claimed
                requested = p.get("nodePort") or 0
                if requested in old_ports or requested in op.taken:
                    op.taken.append(requested)
                elif requested:
                    op.claim(requested, f"spec.ports[{i}].nodePort", name)
            for p in ports:
                if not p.get("nodePort") and allocate_new:
                    p["nodePort"] = op.next()
        if _needs_health_check(spec):
            hc = spec.get("healthCheckNodePort") or 0
            if hc and hc not in old_ports:
                try:
                    op.claim(hc, "spec.healthCheckNodePort", name)
                except ApiError:
                    raise internal(f"failed to allocate requested HealthCheck NodePort {hc}: {op.last_error}") from None
            elif not hc:
                spec["healthCheckNodePort"] = op.next()

    @staticmethod
    def _create_ports(ports: list[dict], allocate_new: bool, op: "_PortOp", name: str) -> None:
        """initNodePorts: ports sharing a port number (TCP and UDP 53) share one NodePort."""
        by_port: dict[int, int] = {}
        for i, p in enumerate(ports):
            requested = p.get("nodePort") or 0
            if not requested and not allocate_new:
                continue
            path = f"spec.ports[{i}].nodePort"
            got = by_port.get(p.get("port"), 0)  # type: ignore[arg-type]
            if not got:
                wanted = next((q["nodePort"] for q in ports if q.get("port") == p.get("port") and q.get("nodePort")), 0)
                if wanted:
                    op.claim(wanted, path, name)
                    p["nodePort"] = wanted
                else:
                    p["nodePort"] = op.next()
                by_port[p.get("port")] = p["nodePort"]  # type: ignore[index]
            elif requested != got:
                if requested:
                    op.claim(requested, path, name)
                else:
                    p["nodePort"] = got


class _PortOp:
    """One Service's NodePort choices (portallocator.PortAllocationOperation), checked against the used set."""

    def __init__(self, alloc: ServiceAllocator, key: str, dry_run: bool) -> None:
        self.alloc, self.key, self.dry_run = alloc, key, dry_run
        self.taken: list[int] = []
        self.last_error = ""

    def _busy(self, port: int) -> bool:
        owner = self.alloc._ports.get(port)
        return (owner is not None and owner != self.key) or port in self.taken

    def claim(self, port: int, path: str, name: str) -> None:
        a = self.alloc
        if not self.dry_run and not (a.port_base <= port <= a.port_max):
            why = f"provided port is not in the valid range. The range of valid ports is {a.port_base}-{a.port_max}"
        elif self._busy(port):
            why = "provided port is already allocated"
        else:
            self.taken.append(port)
            return
        self.last_error = why
        raise invalid("Service", name, [FieldError.invalid(path, port, why)])

    def next(self) -> int:
        a = self.alloc
        if self.dry_run:  # the real dry run hands out placeholders above the range
            port = max(self.taken) + 1 if self.taken else 32769
            self.taken.append(port)
            return port
        lo = a.port_base + a._port_offset
        found = a._scan(lo, a.port_max, lambda p: not self._busy(p))
        if found is None and a._port_offset:
            found = a._scan(a.port_base, lo - 1, lambda p: not self._busy(p))
        if found is None:
            raise internal("failed to allocate a nodePort: range is full")
        self.taken.append(found)
        return found
