"""Watch through the official client's `watch.Watch().stream`: from a list's resourceVersion
the events that followed it arrive in order (ADDED, MODIFIED, DELETED) with the objects'
state, for a built-in kind and for a custom resource."""

from kubernetes import client, watch

from simclient import NS, api_client, report

core = client.CoreV1Api(api_client())
rv = core.list_namespaced_config_map("default").metadata.resource_version
core.create_namespaced_config_map("default", {"metadata": {"name": "watched"}, "data": {"v": "1"}})
core.patch_namespaced_config_map("watched", "default", {"data": {"v": "2"}})
core.delete_namespaced_config_map("watched", "default")

events = []
w = watch.Watch()
for ev in w.stream(core.list_namespaced_config_map, "default", resource_version=rv,
                   timeout_seconds=3):
    obj = ev["object"]
    events.append([ev["type"], obj.metadata.name, (obj.data or {}).get("v")])
    if ev["type"] == "DELETED":
        w.stop()

custom = client.CustomObjectsApi(core.api_client)
np_rv = custom.list_namespaced_custom_object(
    "hypershift.openshift.io", "v1beta1", NS, "nodepools")["metadata"]["resourceVersion"]
custom.patch_namespaced_custom_object(
    "hypershift.openshift.io", "v1beta1", NS, "nodepools", "np-fixed",
    {"metadata": {"labels": {"watched": "yes"}}})
np_events = []
w = watch.Watch()
for ev in w.stream(custom.list_namespaced_custom_object, "hypershift.openshift.io", "v1beta1",
                   NS, "nodepools", resource_version=np_rv, timeout_seconds=3):
    np_events.append([ev["type"], ev["object"]["metadata"]["name"],
                      ev["object"]["metadata"].get("labels", {}).get("watched")])
    w.stop()

report({"events": events, "nodepool_events": np_events})
