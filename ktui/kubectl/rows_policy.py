"""Row cells of ``kubectl get`` for the policy kinds: RBAC bindings, PriorityClasses, PodDisruptionBudgets and
RuntimeClasses (rbac.authorization.k8s.io, scheduling.k8s.io, policy and node.k8s.io; pure).

Same contract as :mod:`ktui.kubectl.rows_core`: ``fn(obj, now, wide) -> cells``.
"""

from __future__ import annotations

from ktui.kubectl.cells import created, human_duration, meta_of, spec_of, status_of

__all__ = []


def _subjects(subjects: list[dict] | None) -> tuple[str, str, str]:
    users, groups, sas = [], [], []
    for s in subjects or []:
        if s.get("kind") == "User":
            users.append(s.get("name", ""))
        elif s.get("kind") == "Group":
            groups.append(s.get("name", ""))
        elif s.get("kind") == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
    return ", ".join(users), ", ".join(groups), ", ".join(sas)


def rolebinding_row(rb: dict, now: float, wide: bool) -> list[str]:
    ref = rb.get("roleRef") or {}
    cells = [meta_of(rb).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", created(rb, now)]
    if wide:
        cells += list(_subjects(rb.get("subjects")))
    return cells


def priorityclass_row(pc: dict, now: float, wide: bool) -> list[str]:
    return [
        meta_of(pc).get("name", ""),
        str(pc.get("value", 0)),
        "true" if pc.get("globalDefault") else "false",
        created(pc, now),
        pc.get("preemptionPolicy") or "PreemptLowerPriority",
    ]


def pdb_row(pdb: dict, now: float, wide: bool) -> list[str]:
    spec = spec_of(pdb)
    min_a = spec.get("minAvailable")
    max_u = spec.get("maxUnavailable")
    return [
        meta_of(pdb).get("name", ""),
        "N/A" if min_a is None else str(min_a),
        "N/A" if max_u is None else str(max_u),
        str(int(status_of(pdb).get("disruptionsAllowed") or 0)),
        created(pdb, now),
    ]


def runtimeclass_row(rc: dict, now: float, wide: bool) -> list[str]:
    return [meta_of(rc).get("name", ""), rc.get("handler", ""), created(rc, now)]


def csr_row(csr: dict, now: float, wide: bool) -> list[str]:
    """``printCertificateSigningRequest``: signer, requestor, requested duration and ``extractCSRStatus``."""
    spec, status = spec_of(csr), status_of(csr)
    types = {c.get("type") for c in status.get("conditions") or [] if isinstance(c, dict)}
    condition = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        condition += ",Failed"
    if status.get("certificate"):
        condition += ",Issued"
    seconds = spec.get("expirationSeconds")
    return [
        meta_of(csr).get("name", ""),
        created(csr, now),
        spec.get("signerName") or "<none>",
        spec.get("username") or "",
        "<none>" if seconds is None else human_duration(float(seconds)),
        condition,
    ]
