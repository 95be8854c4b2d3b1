"""The HTTP shell: kube-apiserver over HTTPS for real clients, and ``ktui up``/``down``/``status``."""

from ktui.server.app import KtuiServer, ServerThread
from ktui.server.certs import PKI

__all__ = ["KtuiServer", "ServerThread", "PKI"]
