"""List with paging through the official client: `limit` + `_continue` walk every item once,
page 2 reads page 1's snapshot (an object created in between is not on it), the first page of an
unfiltered list carries remainingItemCount, a label-selected one does not."""

from kubernetes import client

from simclient import api_client, report

core = client.CoreV1Api(api_client())
for i in range(5):
    core.create_namespaced_config_map(
        "default",
        {"metadata": {"name": f"page-{i}", "labels": {"paged": "yes"}}, "data": {"i": str(i)}},
    )

first = core.list_namespaced_config_map("default", limit=2)
# Created after page 1: a snapshot-consistent list does not show it on later pages.
core.create_namespaced_config_map("default", {"metadata": {"name": "page-late"}})
pages, token = [[c.metadata.name for c in first.items]], first.metadata._continue
while token:
    page = core.list_namespaced_config_map("default", limit=2, _continue=token)
    pages.append([c.metadata.name for c in page.items])
    token = page.metadata._continue

selected = core.list_namespaced_config_map("default", limit=2, label_selector="paged=yes")
report({
    "pages": pages,
    "first_remaining": first.metadata.remaining_item_count,
    "first_rv": first.metadata.resource_version,
    "selected_names": [c.metadata.name for c in selected.items],
    "selected_has_continue": bool(selected.metadata._continue),
    "selected_remaining": selected.metadata.remaining_item_count,
})
