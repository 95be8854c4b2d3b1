"""Chain names as kube-proxy hashes them."""

from ktui.net.chains import (
    ext_chain,
    is_service_chain,
    port_proto_hash,
    probability,
    sep_chain,
    service_port_name,
    svc_chain,
    svl_chain,
)


def test_kubernetes_service_chain():
    assert svc_chain("default/kubernetes:https", "tcp") == "KUBE-SVC-NPX46M4PTMTKRN6Y"


def test_upstream_test_table_hashes():
    # pkg/proxy/iptables/proxier_test.go: ns1/svc1:p80 with endpoint 10.180.0.1:80
    assert svc_chain("ns1/svc1:p80", "tcp") == "KUBE-SVC-XPGD46QRK7WJZT7O"
    assert sep_chain("ns1/svc1:p80", "tcp", "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ"
    assert ext_chain("ns1/svc1:p80", "tcp") == "KUBE-EXT-XPGD46QRK7WJZT7O"
    assert svl_chain("ns1/svc1:p80", "tcp") == "KUBE-SVL-XPGD46QRK7WJZT7O"


def test_hash_shape_and_protocol_matters():
    h = port_proto_hash("default/web", "tcp")
    assert len(h) == 16 and h.isupper()
    assert h != port_proto_hash("default/web", "udp")
    assert len(sep_chain("default/web", "tcp", "10.244.1.2:80")) <= 28


def test_service_port_name_unnamed_port():
    assert service_port_name("default", "web") == "default/web"
    assert service_port_name("default", "web", "http") == "default/web:http"


def test_probability_format():
    assert [probability(n) for n in (3, 2)] == ["0.3333333333", "0.5000000000"]
    assert probability(7) == "0.1428571429"


def test_is_service_chain():
    assert is_service_chain("KUBE-SEP-ABC") and not is_service_chain("KUBE-SERVICES")
