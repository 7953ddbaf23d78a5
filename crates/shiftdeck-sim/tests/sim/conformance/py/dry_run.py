"""Server-side dry run through the official client's `dry_run="All"`: create, patch and delete
answer as if they had happened and change nothing; any other dryRun value is refused (422)."""

from kubernetes import client

from simclient import GROUP, NS, VERSION, api_client, failure, raw, report

core = client.CoreV1Api(api_client())
custom = client.CustomObjectsApi(core.api_client)

created = core.create_namespaced_config_map(
    "default", {"metadata": {"name": "dry"}, "data": {"a": "b"}}, dry_run="All")
after_create = failure(lambda: core.read_namespaced_config_map("dry", "default"))

before = custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-fixed")
patched = custom.patch_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", "np-fixed", {"spec": {"replicas": 9}}, dry_run="All")
# The pool holds HyperShift's finalizer: a (dry) delete answers 202 with the object.
deleted = raw(custom.delete_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", "np-fixed", dry_run="All", _preload_content=False))
after = custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-fixed")

bogus = failure(lambda: custom.delete_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", "np-fixed", dry_run="Bogus"))
still_there = custom.get_namespaced_custom_object(GROUP, VERSION, NS, "nodepools", "np-fixed")

report({
    "created_name": created.metadata.name,
    "after_create": after_create,
    "patched_replicas": patched["spec"]["replicas"],
    "deleted_code": deleted["code"],
    "deleted_kind": deleted["body"].get("kind"),
    "deleted_marked": bool(deleted["body"]["metadata"].get("deletionTimestamp")),
    "stored_marked": bool(after["metadata"].get("deletionTimestamp")),
    "replicas_before": before["spec"]["replicas"],
    "replicas_after": after["spec"]["replicas"],
    "rv_before": before["metadata"]["resourceVersion"],
    "rv_after": after["metadata"]["resourceVersion"],
    "bogus": bogus,
    "still_there": still_there["metadata"]["name"],
})
