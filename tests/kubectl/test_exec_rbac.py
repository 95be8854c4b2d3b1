"""``kubectl exec`` is authorized as kube-apiserver authorizes it: ``create`` on ``pods/exec``."""

from ktui import Cluster


def test_a_user_who_may_only_read_pods_cannot_exec_and_nothing_is_recorded():
    c = Cluster.default(seed=0)
    c.kubectl("run web --image=nginx")
    c.advance(30)
    c.kubectl("create role podreader --verb=get,list --resource=pods")
    c.kubectl("create rolebinding jr --role=podreader --user=jane")
    assert c.kubectl("auth can-i create pods/exec --as jane") == ("no\n", "", 1)
    inputs = len(c._history.inputs)
    out, err, code = c.kubectl("exec web --as jane -- hostname")
    assert (out, code) == ("", 1)
    assert err == (
        'Error from server (Forbidden): pods "web" is forbidden: User "jane" cannot create resource '
        '"pods/exec" in API group "" in the namespace "default"\n'
    )
    assert len(c._history.inputs) == inputs
    c.kubectl("create role podexec --verb=create --resource=pods/exec")
    c.kubectl("create rolebinding je --role=podexec --user=jane")
    assert c.kubectl("exec web --as jane -- hostname") == ("web\n", "", 0)
