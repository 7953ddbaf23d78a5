"""Validation through the official client: a NodePool whose `spec.replicas` is a string is
refused with 422 Invalid and a cause naming the field; a ConfigMap with an unknown top-level
field is refused with 400 under `fieldValidation=Strict` (sent by the dynamic client); nothing is stored."""

from kubernetes import client, dynamic

from simclient import GROUP, NS, VERSION, api_client, failure, report

core = client.CoreV1Api(api_client())
custom = client.CustomObjectsApi(core.api_client)

bad_pool = {
    "apiVersion": f"{GROUP}/{VERSION}", "kind": "NodePool",
    "metadata": {"name": "np-bad", "namespace": NS},
    "spec": {"clusterName": "hc1", "replicas": "two",
             "release": {"image": "quay.io/ocp-release:4.18.1-multi"},
             "management": {"upgradeType": "Replace"}, "platform": {"type": "KubeVirt"}},
}
invalid = failure(lambda: custom.create_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", bad_pool))
pool_stored = failure(lambda: custom.get_namespaced_custom_object(
    GROUP, VERSION, NS, "nodepools", "np-bad"))

# The typed API validates bodies against its own models (an unknown field never leaves the
# client), so the dynamic client, which discovers the resource and sends dicts as they are, carries
# the unknown field to the server.
configmaps = dynamic.DynamicClient(core.api_client).resources.get(api_version="v1", kind="ConfigMap")
strict = failure(lambda: configmaps.create(
    body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"}, "bogus": 1},
    namespace="default", query_params=[("fieldValidation", "Strict")]))
cm_stored = failure(lambda: core.read_namespaced_config_map("strict", "default"))

report({"invalid": invalid, "pool_stored": pool_stored["code"],
        "strict": strict, "cm_stored": cm_stored["code"]})
