"""Tests of the pod network, kube-proxy, DNS and in-pod programs."""
