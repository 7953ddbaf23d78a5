"""Delete with finalizers through the official client: the DELETE answers 202 with the object,
which stays (deletionTimestamp set, finalizers kept) until its last finalizer is removed, then
is gone (404); a ConfigMap and a NodePool."""

import time

from kubernetes import client

from simclient import GROUP, NS, VERSION, api_client, failure, raw, report

core = client.CoreV1Api(api_client())
custom = client.CustomObjectsApi(core.api_client)

core.create_namespaced_config_map(
    "default", {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
cm_delete = raw(core.delete_namespaced_config_map("held", "default", _preload_content=False))
cm_held = core.read_namespaced_config_map("held", "default")
core.patch_namespaced_config_map("held", "default", {"metadata": {"finalizers": None}})
cm_gone = failure(lambda: core.read_namespaced_config_map("held", "default"))

custom.patch_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-auto",
                                      {"metadata": {"finalizers": ["example.com/hold"]}})
np_delete = raw(custom.delete_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", "np-auto", _preload_content=False))
np_held = custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-auto")
custom.patch_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-auto",
                                      {"metadata": {"finalizers": None}})
# The sim's own controllers may still hold finalizers of their own (as HyperShift does): wait
# for them, a bounded while.
deadline = time.monotonic() + 60
np_gone = None
while time.monotonic() < deadline:
    try:
        custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-auto")
    except client.rest.ApiException as e:
        np_gone = e.status
        break
    time.sleep(0.2)

report({
    "cm_delete": cm_delete["code"],
    "cm_delete_timestamp": bool(cm_delete["body"]["metadata"].get("deletionTimestamp")),
    "cm_held_finalizers": cm_held.metadata.finalizers,
    "cm_held_timestamp": cm_held.metadata.deletion_timestamp is not None,
    "cm_gone": cm_gone["code"],
    "np_delete": np_delete["code"],
    "np_held_timestamp": bool(np_held["metadata"].get("deletionTimestamp")),
    "np_held_finalizers": np_held["metadata"].get("finalizers"),
    "np_gone": np_gone,
})
