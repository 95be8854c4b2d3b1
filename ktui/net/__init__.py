"""The pod network and Service routing: a networkx graph, kube-proxy per node, iptables-save text, DNS, traces."""

from ktui.net.install import install_network
from ktui.net.trace import Hop, Trace, trace

__all__ = ["Hop", "Trace", "install_network", "trace"]
