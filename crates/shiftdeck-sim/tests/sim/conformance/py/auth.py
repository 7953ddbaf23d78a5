"""Authorization as the official client sees it, run with the viewer's kubeconfig: reading a
Secret is a 403 whose Status names the object; nodes are readable; a SelfSubjectAccessReview for
a kind the server does not serve is a bare denial; a SelfSubjectRulesReview lists the rules."""

from kubernetes import client

from simclient import api_client, failure, report

api = api_client()
core = client.CoreV1Api(api)
authz = client.AuthorizationV1Api(api)

secret = failure(lambda: core.read_namespaced_secret("s1", "default"))
secrets = failure(lambda: core.list_namespaced_secret("default"))
nodes = [n.metadata.name for n in core.list_node().items]

ssar = authz.create_self_subject_access_review(client.V1SelfSubjectAccessReview(
    spec=client.V1SelfSubjectAccessReviewSpec(resource_attributes=client.V1ResourceAttributes(
        verb="get", group="example.com", resource="widgets"))))
ssrr = authz.create_self_subject_rules_review(client.V1SelfSubjectRulesReview(
    spec=client.V1SelfSubjectRulesReviewSpec(namespace="default")))

readable = sorted(
    f"{r}.{g}" if g else r
    for rule in ssrr.status.resource_rules if "get" in rule.verbs
    for g in rule.api_groups for r in rule.resources)
report({
    "secret": secret,
    "secrets": secrets,
    "nodes": nodes,
    "ssar_allowed": ssar.status.allowed,
    "ssar_reason": ssar.status.reason,
    "ssar_denied": ssar.status.denied,
    "readable": readable,
    "incomplete": ssrr.status.incomplete,
})
