#!/usr/bin/env python3
"""Writes src/sim/server/proto_tables.rs: the protobuf field numbers and JSON names of the
built-in kinds the sim encodes generically (see src/sim/server/proto_codec.rs).

Field numbers and wire types come from the k8s-pb crate (generated from the upstream
`generated.proto` files), JSON names and which fields are required from k8s-openapi (generated
from the upstream OpenAPI). Both are read from the local cargo registry, so run it after a
build has fetched them:  python3 xtask/scripts/gen_proto_tables.py
"""
import glob
import os
import re
import sys

REG = os.path.expanduser("~/.cargo/registry/src")
PB = sorted(glob.glob(f"{REG}/*/k8s-pb-0.8.0/src"))[-1]
OA = sorted(glob.glob(f"{REG}/*/k8s-openapi-0.29.0/src/v1_33"))[-1]
OUT = os.path.join(os.path.dirname(__file__), "../../src/sim/server/proto_tables.rs")

# (module path, message) of every kind encoded through the tables, and the extra messages
# the watch stream and Status need.
ROOTS = [
    ("api/core/v1", "Namespace"),
    ("api/core/v1", "Pod"),
    ("api/core/v1", "Node"),
    ("api/core/v1", "Event"),
    ("api/core/v1", "PersistentVolumeClaim"),
    ("api/policy/v1", "PodDisruptionBudget"),
    ("api/policy/v1", "Eviction"),
    ("api/storage/v1", "StorageClass"),
    ("apiextensions_apiserver/pkg/apis/apiextensions/v1", "CustomResourceDefinition"),
    ("apimachinery/pkg/apis/meta/v1", "Status"),
]

# Messages whose JSON form is not an object of their fields: the codec handles them itself.
SPECIAL = {
    "apimachinery/pkg/apis/meta/v1.Time": "Time",
    "apimachinery/pkg/apis/meta/v1.MicroTime": "MicroTime",
    "apimachinery/pkg/apis/meta/v1.FieldsV1": "Raw",
    "apimachinery/pkg/api/resource.Quantity": "Quantity",
    "apimachinery/pkg/util/intstr.IntOrString": "IntOrString",
    "apimachinery/pkg/runtime.RawExtension": "Raw",
    "apiextensions_apiserver/pkg/apis/apiextensions/v1.Json": "Raw",
    "apiextensions_apiserver/pkg/apis/apiextensions/v1.JsonSchemaPropsOrArray": "PropsOrArray",
    "apiextensions_apiserver/pkg/apis/apiextensions/v1.JsonSchemaPropsOrBool": "PropsOrBool",
    "apiextensions_apiserver/pkg/apis/apiextensions/v1.JsonSchemaPropsOrStringArray": "PropsOrStrings",
}

# Go pointer fields (`*int64`, `*bool`, `*string`) whose zero value means something when sent
# (`gracePeriodSeconds: 0`, `runAsUser: 0`, `storageClassName: ""`): k8s-pb and k8s-openapi both
# make every field optional, so these are named here, from the upstream Go types.
POINTER = {
    "apimachinery/pkg/apis/meta/v1.DeleteOptions": ["gracePeriodSeconds", "orphanDependents"],
    "apimachinery/pkg/apis/meta/v1.ObjectMeta": ["deletionGracePeriodSeconds"],
    "api/core/v1.PodSpec": ["terminationGracePeriodSeconds", "activeDeadlineSeconds",
                            "automountServiceAccountToken", "hostUsers", "enableServiceLinks",
                            "shareProcessNamespace", "setHostnameAsFQDN"],
    "api/core/v1.SecurityContext": ["privileged", "runAsUser", "runAsGroup", "runAsNonRoot",
                                    "readOnlyRootFilesystem", "allowPrivilegeEscalation"],
    "api/core/v1.PodSecurityContext": ["runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup"],
    "api/core/v1.PersistentVolumeClaimSpec": ["storageClassName", "volumeAttributesClassName"],
    "api/core/v1.ContainerStatus": ["started"],
    "api/core/v1.ConfigMapVolumeSource": ["defaultMode", "optional"],
    "api/core/v1.SecretVolumeSource": ["defaultMode", "optional"],
    "api/core/v1.ConfigMapKeySelector": ["optional"],
    "api/core/v1.SecretKeySelector": ["optional"],
    "api/storage/v1.StorageClass": ["allowVolumeExpansion"],
    "apiextensions_apiserver/pkg/apis/apiextensions/v1.JsonSchemaProps": [
        "maximum", "minimum", "multipleOf", "maxLength", "minLength", "maxItems", "minItems",
        "maxProperties", "minProperties", "x-kubernetes-preserve-unknown-fields"],
}

SCALAR = {"string": "Str", "bytes": "Bytes", "int32": "Int", "int64": "Int", "bool": "Bool", "double": "Double"}


def norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def parse_pb(module):
    """{message: [(tag, rust name, wire kind, repeated, map value kind, type path)]}"""
    text = open(os.path.join(PB, module, "mod.rs")).read()
    out = {}
    for m in re.finditer(r"pub struct (\w+) \{(\}|.*?\n\})", text, re.S):
        fields = []
        for f in re.finditer(r"#\[prost\(([^\]]*)\)\]\s*pub (?:r#)?(\w+):\s*(.*?),\n(?=\s*(?:///|#\[|\}))", m.group(2), re.S):
            attrs, name, ty = f.group(1), f.group(2), re.sub(r"\s+", "", f.group(3)).replace(",>", ">")
            tag = int(re.search(r'tag = "(\d+)"', attrs).group(1))
            mp = re.match(r'btree_map = "string, (\w+)"', attrs)
            if mp:
                kind = mp.group(1)
                path = ty.rsplit(",", 1)[1].rstrip(">") if kind == "message" else None
                fields.append((tag, name, kind, False, True, path))
                continue
            kind = re.match(r"(\w+)", attrs).group(1)
            repeated = "repeated" in attrs
            path = None
            if kind == "message":
                inner = re.sub(r"^::core::option::Option<|^::prost::alloc::vec::Vec<", "", ty)
                inner = re.sub(r"^::prost::alloc::boxed::Box<", "", inner).rstrip(">")
                path = inner
            fields.append((tag, name, kind, repeated, False, path))
        if len(fields) != m.group(2).count("#[prost("):
            sys.exit(f"{module}.{m.group(1)}: parsed {len(fields)} of its fields")
        out[m.group(1)] = fields
    return out


def resolve(module, path):
    """A k8s-pb type path (relative with super::) to (module, message)."""
    parts = path.split("::")
    mod = module.split("/")
    while parts and parts[0] == "super":
        parts.pop(0)
        mod.pop()
    return "/".join(mod + parts[:-1]), parts[-1]


def openapi_fields(module, message):
    """{normalized name: (json name, required)} from k8s-openapi, or None."""
    d = os.path.join(OA, module)
    for fn in glob.glob(os.path.join(d, "*.rs")):
        text = open(fn).read()
        m = re.search(r"pub struct (\w+) \{(.*?)\n\}", text, re.S)
        if not m or norm(m.group(1)) != norm(message):
            continue
        rust_required = {}
        for f in re.finditer(r"pub (\w+): ([^\n]*),\n", m.group(2)):
            rust_required[f.group(1)] = not f.group(2).startswith("Option<")
        out = {}
        for j, r in re.findall(r'"([^"]+)" => Field::Key_(\w+),', text):
            out[norm(j)] = (j, rust_required.get(r, False))
        return out
    return None


def main():
    pb_cache = {}
    todo = [(m, n, None) for m, n in ROOTS]
    done = {}
    skipped = []
    while todo:
        module, msg, oa_of = todo.pop()
        key = f"{module}.{msg}"
        if key in done or key in SPECIAL:
            continue
        if module not in pb_cache:
            pb_cache[module] = parse_pb(module)
        fields = pb_cache[module][msg]
        # An embedded struct's JSON names are its parent's (it has no OpenAPI type of its own).
        oa = openapi_fields(*(oa_of or (module, msg))) if fields else {}
        if oa is None:
            sys.exit(f"no k8s-openapi struct for {key}")
        rows = []
        for tag, name, kind, repeated, is_map, path in sorted(fields):
            j = oa.get(norm(name))
            if j is None and kind == "message" and not repeated:
                # An embedded Go struct (`Volume.VolumeSource`, `Probe.ProbeHandler`): its
                # fields sit in the parent's JSON object.
                j = ("", False)
                inline = True
            elif j is None:
                skipped.append(f"{key}.{name}")
                continue
            else:
                inline = False
            if kind == "message":
                tm, tmsg = resolve(module, path)
                tkey = f"{tm}.{tmsg}"
                ty = SPECIAL.get(tkey) or f"Sub(&{ident(tm, tmsg)})"
                if tkey not in SPECIAL:
                    todo.append((tm, tmsg, (oa_of or (module, msg)) if inline else None))
            else:
                ty = SCALAR[kind]
            flags = ["REPEATED"] if repeated else ["MAP"] if is_map else ["INLINE"] if inline else []
            if j[1]:
                flags.append("REQUIRED")
            if j[0] in POINTER.get(key, []):
                flags.append("POINTER")
            rows.append((tag, j[0], ty, "|".join(flags) or "0"))
        done[key] = (module, msg, rows)
    with open(OUT, "w") as f:
        f.write("//! Protobuf field numbers and JSON names of the built-in kinds `proto_codec` encodes\n")
        f.write("//! and decodes. Generated by `xtask/scripts/gen_proto_tables.py` from k8s-pb 0.8.0 (field\n")
        f.write("//! numbers, from the upstream `generated.proto`) and k8s-openapi 0.29 / v1_33 (JSON names,\n")
        f.write("//! required fields); do not edit by hand.\n\n")
        f.write("use super::proto_codec::{F, INLINE, MAP, Msg, POINTER, REPEATED, REQUIRED, Ty::*};\n\n")
        for key in sorted(done):
            module, msg, rows = done[key]
            f.write(f"pub static {ident(module, msg)}: Msg = Msg(&[\n")
            for tag, j, ty, flags in rows:
                f.write(f'    F({tag}, "{j}", {ty}, {flags}),\n')
            f.write("]);\n")
    unused = [f"{m}.{f}" for m, fs in POINTER.items() for f in fs
              if m not in done or not any(r[1] == f for r in done[m][2])]
    if unused:
        sys.exit(f"POINTER names fields the tables lack: {unused}")
    print(f"{len(done)} messages; fields not in k8s-openapi v1_33 left out: {skipped}")


def ident(module, msg):
    short = module.split("/")
    group = short[-2] if short[-1].startswith("v") else short[-1]
    return re.sub(r"[^A-Z0-9_]", "_", f"{group}_{short[-1]}_{camel_to_snake(msg)}".upper())


def camel_to_snake(s):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", s)


if __name__ == "__main__":
    main()
