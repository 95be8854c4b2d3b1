"""Helpers for the lab tests."""


def cluster_state(cluster):
    """The store's revision, the clock, the next event, and every container's log (a request would be logged):
    what a check must leave as it found it."""
    logs = []
    for p in cluster.api.list("pods", None)["items"]:
        md = p["metadata"]
        for c in p["spec"]["containers"]:
            logs.append(cluster.kubectl(["logs", md["name"], "-n", md["namespace"], "-c", c["name"]])[0])
    return cluster.world.store.revision, cluster.now, cluster.next_event_time(), logs
