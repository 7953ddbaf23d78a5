"""409 on a stale update through the official client: a replace carrying a resourceVersion
that is no longer current is refused with a Conflict Status, for a ConfigMap and a NodePool,
and the stored object keeps the newer write."""

from kubernetes import client

from simclient import GROUP, NS, VERSION, api_client, failure, report

core = client.CoreV1Api(api_client())
core.create_namespaced_config_map("default", {"metadata": {"name": "contended"}, "data": {"v": "0"}})
stale = core.read_namespaced_config_map("contended", "default")
fresh = core.read_namespaced_config_map("contended", "default")
fresh.data = {"v": "fresh"}
core.replace_namespaced_config_map("contended", "default", fresh)
stale.data = {"v": "stale"}
cm_conflict = failure(lambda: core.replace_namespaced_config_map("contended", "default", stale))

custom = client.CustomObjectsApi(core.api_client)
np_stale = custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-fixed")
np_fresh = custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-fixed")
np_fresh["spec"]["replicas"] = 3
custom.replace_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-fixed", np_fresh)
np_stale["spec"]["replicas"] = 7
np_conflict = failure(lambda: custom.replace_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", "np-fixed", np_stale))

report({
    "configmap": cm_conflict,
    "configmap_stored": core.read_namespaced_config_map("contended", "default").data,
    "nodepool": np_conflict,
    "nodepool_replicas": custom.get_namespaced_custom_object(
        GROUP, VERSION, NS, "nodepools", "np-fixed")["spec"]["replicas"],
})
