//! Response representations chosen by the Accept header: the object itself, a server-side Table,
//! or PartialObjectMetadata.

use hyper::{HeaderMap, header};
use serde_json::{Value, json};

use super::table::{self, Include};
use crate::resources::ResourceDef;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Object,
    Table(Include),
    Metadata,
}

impl Format {
    pub fn from_request(headers: &HeaderMap, include_object: Option<&str>) -> Format {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        for media in accept.split(',') {
            let params: Vec<&str> = media.split(';').map(str::trim).collect();
            let has = |p: &str| params.contains(&p);
            if has("as=Table")
                && (has("g=meta.k8s.io") || !params.iter().any(|p| p.starts_with("g=")))
            {
                return Format::Table(Include::parse(include_object));
            }
            if has("as=PartialObjectMetadataList") || has("as=PartialObjectMetadata") {
                return Format::Metadata;
            }
            if matches!(
                params.first(),
                Some(&"application/json" | &"*/*" | &"application/*")
            ) {
                return Format::Object;
            }
        }
        Format::Object
    }
}

/// One object in `format` (for get, create, update and watch events).
pub fn render_one(res: &ResourceDef, obj: &Value, format: Format, rv: u64) -> Value {
    match format {
        Format::Object => obj.clone(),
        Format::Metadata => table::partial_metadata(obj),
        Format::Table(include) => table::table(
            res,
            vec![table::row(res, obj, include, crate::time::Timestamp::now())],
            json!({"resourceVersion": rv.to_string()}),
        ),
    }
}

/// A list body written straight into one buffer, items serialized in place.
pub fn render_list(
    res: &ResourceDef,
    items: &[&Value],
    format: Format,
    rv: u64,
    cont: Option<&str>,
    remaining: Option<usize>,
) -> Vec<u8> {
    let mut meta = serde_json::Map::new();
    meta.insert("resourceVersion".into(), json!(rv.to_string()));
    if let Some(c) = cont {
        meta.insert("continue".into(), json!(c));
        if let Some(n) = remaining {
            meta.insert("remainingItemCount".into(), json!(n));
        }
    }
    let meta = Value::Object(meta);
    if let Format::Table(include) = format {
        let now = crate::time::Timestamp::now();
        let rows = items
            .iter()
            .map(|o| table::row(res, o, include, now))
            .collect();
        return serde_json::to_vec(&table::table(res, rows, meta)).unwrap_or_default();
    }
    let (kind, api_version) = match format {
        Format::Metadata => (
            "PartialObjectMetadataList".to_string(),
            "meta.k8s.io/v1".to_string(),
        ),
        _ => (format!("{}List", res.kind), res.api_version()),
    };
    let mut buf = Vec::with_capacity(256 + items.len() * 1024);
    buf.extend_from_slice(b"{\"kind\":");
    let _ = serde_json::to_writer(&mut buf, &kind);
    buf.extend_from_slice(b",\"apiVersion\":");
    let _ = serde_json::to_writer(&mut buf, &api_version);
    buf.extend_from_slice(b",\"metadata\":");
    let _ = serde_json::to_writer(&mut buf, &meta);
    buf.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let _ = match format {
            Format::Metadata => serde_json::to_writer(&mut buf, &table::partial_metadata(item)),
            _ => serde_json::to_writer(&mut buf, *item),
        };
    }
    buf.extend_from_slice(b"]}");
    buf
}
