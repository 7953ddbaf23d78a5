//! KubeVirt's VirtualMachine (kubevirt.io/v1), as its CRD declares `spec`: `template` required,
//! `running` a boolean, `runStrategy` and `updateVolumesStrategy` strings, `dataVolumeTemplates`
//! a list whose items need a `spec` that is CDI's DataVolumeSpec (checked as one). The
//! VirtualMachineInstance template and the instancetype and preference matchers are opaque
//! objects (type-checked, kept as sent). The run strategy's values and `running` /
//! `runStrategy` exclusivity are KubeVirt's admission webhook's, not the CRD's: not checked.

use super::cdi::DATAVOLUME_SPEC;
use super::node::{KindSchema, Node, array, boolean, object, opaque, prop, string};

static DATAVOLUME_TEMPLATE: Node = object(&[
    prop("apiVersion", string()),
    prop("kind", string()),
    prop("metadata", opaque()),
    prop("spec", object(&DATAVOLUME_SPEC)),
    prop("status", opaque()),
])
.req(&["spec"]);

pub static VIRTUALMACHINE: KindSchema = KindSchema {
    kind: "VirtualMachine",
    spec_required: true,
    rules: &[],
    defaults: &[],
    spec: object(&[
        prop("dataVolumeTemplates", array(&DATAVOLUME_TEMPLATE)),
        prop("instancetype", opaque()),
        prop("preference", opaque()),
        prop("runStrategy", string()),
        prop("running", boolean()),
        prop("template", opaque()),
        prop("updateVolumesStrategy", string()),
    ])
    .req(&["template"]),
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sim::schema::check::{Findings, check};

    #[test]
    fn template_required_and_data_volume_templates_checked() {
        let mut f = Findings::default();
        let mut spec = json!({"running": "yes",
            "dataVolumeTemplates": [{"metadata": {"name": "d"}, "spec": {"source": {"http": {}}}}, {}]});
        check(&VIRTUALMACHINE.spec, &mut spec, None, "spec", &mut f);
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "spec.template",
            "spec.running",
            "spec.dataVolumeTemplates[0].spec.source.http.url",
            "spec.dataVolumeTemplates[1].spec",
        ] {
            assert!(fields.contains(&want), "{want} not in {f:?}");
        }
    }
}
