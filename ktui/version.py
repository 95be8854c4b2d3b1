"""ktui's version (one place; saved states record it) and the Kubernetes version it simulates."""

__version__ = "0.3.1"

KUBERNETES_VERSION = {
    "major": "1",
    "minor": "37",
    "gitVersion": "v1.37.1",
    "gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308",
    "gitTreeState": "clean",
    "buildDate": "2026-09-23T17:10:04Z",
    "goVersion": "go1.26.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}
"""The version the simulated kube-apiserver reports (``/version``) and kubectl prints as its own."""
