//! Output of every `shiftdeck get`: the format flag, the kubectl-style table and the JSON / YAML
//! encodings, in one place so all kinds print alike. A leaf: no other module of the crate used.

use serde::Serialize;
use serde_json::{Map, Value};

/// `-o table|json|yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
}

/// kubectl-style table: columns padded to their widest cell, three spaces apart.
pub fn table<H: AsRef<str>>(headers: &[H], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([h.as_ref().chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:<w$}   ", w = widths[i]));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(headers.iter().map(AsRef::as_ref).collect());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

/// Table rows as JSON objects keyed by the headers, in column order.
pub fn rows_json<H: AsRef<str>>(headers: &[H], rows: &[Vec<String>]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let m: Map<String, Value> = headers
                    .iter()
                    .zip(r)
                    .map(|(h, v)| (h.as_ref().to_string(), Value::String(v.clone())))
                    .collect();
                Value::Object(m)
            })
            .collect(),
    )
}

/// Why output could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot encode YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("table output is not serialized")]
    TableNotSerialized,
}

/// `v` as pretty JSON (with a final newline) or YAML; a table is not a serialization, so
/// `Table` is an error the caller should never reach.
pub fn serialize<T: Serialize + ?Sized>(
    v: &T,
    format: OutputFormat,
) -> Result<String, OutputError> {
    match format {
        OutputFormat::Json => Ok(serde_json::to_string_pretty(v)? + "\n"),
        OutputFormat::Yaml => Ok(serde_yaml::to_string(v)?),
        OutputFormat::Table => Err(OutputError::TableNotSerialized),
    }
}

/// Rows in `format`: the table, or the rows keyed by their headers as JSON / YAML.
pub fn render_rows<H: AsRef<str>>(
    headers: &[H],
    rows: &[Vec<String>],
    format: OutputFormat,
) -> Result<String, OutputError> {
    match format {
        OutputFormat::Table => Ok(table(headers, rows)),
        OutputFormat::Json | OutputFormat::Yaml => serialize(&rows_json(headers, rows), format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Vec<String>> {
        vec![
            vec!["worker-0".into(), "Ready".into(), "".into()],
            vec!["w".into(), "NotReady".into(), "tail".into()],
        ]
    }

    #[test]
    fn table_pads_all_but_the_last_column_and_trims_lines() {
        let t = table(&["NAME", "STATUS", "NOTE"], &rows());
        assert_eq!(
            t,
            "NAME       STATUS     NOTE\nworker-0   Ready\nw          NotReady   tail\n"
        );
    }

    #[test]
    fn json_and_yaml_keep_header_order() {
        let json = render_rows(&["NAME", "STATUS", "NOTE"], &rows(), OutputFormat::Json).unwrap();
        assert!(json.ends_with("]\n"), "{json}");
        let parsed: Vec<Map<String, Value>> = serde_json::from_str(&json).unwrap();
        let keys: Vec<&String> = parsed[0].keys().collect();
        assert_eq!(keys, ["NAME", "STATUS", "NOTE"]);
        let yaml = render_rows(&["NAME", "STATUS", "NOTE"], &rows(), OutputFormat::Yaml).unwrap();
        let parsed: Vec<Map<String, Value>> = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(parsed[1]["STATUS"], "NotReady");
        assert!(serialize(&1, OutputFormat::Table).is_err());
    }
}
