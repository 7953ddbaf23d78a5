"""Shared by the conformance scripts: the official Python client configured from the sim's
kubeconfig (argv[1]), and the observations a script prints as one JSON object for the Rust
test (tests/sim_conformance/python.rs) to assert on."""

import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import exceptions as dynamic_exceptions

NS = "clusters"
GROUP, VERSION = "hypershift.openshift.io", "v1beta1"


def api_client():
    """A client exactly as a user's kubeconfig would configure it (CA data, bearer token)."""
    return config.new_client_from_config(config_file=sys.argv[1])


def failure(call):
    """Run `call`, which must fail with an API error: (HTTP status, decoded Status body)."""
    try:
        call()
    except (ApiException, dynamic_exceptions.DynamicApiError) as e:
        try:
            body = json.loads(e.body) if e.body else None
        except ValueError:
            body = e.body
        return {"code": e.status, "status": body}
    raise AssertionError("the call succeeded where the server should have refused it")


def raw(response):
    """(HTTP status, decoded body) of a call made with `_preload_content=False`."""
    return {"code": response.status, "body": json.loads(response.data or b"null")}


def report(observed):
    print(json.dumps(observed, sort_keys=True))
