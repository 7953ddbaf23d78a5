//! Rows for the Copies pane and `shiftdeck get copies`: pure functions of the items and `now`.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Map, Value};

use super::progress::CopyItem;

/// Column headers, in order.
pub const HEADERS: [&str; 10] = [
    "KIND", "NAME", "STATE", "PROGRESS", "BYTES", "RATE", "ETA", "ELAPSED", "DETAIL", "MESSAGE",
];

/// The cells of one row, in [`HEADERS`] order. Unknown values are `-`.
pub fn cells(item: &CopyItem, now: Timestamp) -> Vec<String> {
    let dash = || "-".to_string();
    let progress = item
        .fraction
        .map(|f| format!("{:.1}%", f * 100.0))
        .unwrap_or_else(dash);
    let bytes = match (item.bytes_done, item.bytes_total) {
        (Some(d), Some(t)) => format!("{}/{}", human_bytes(d), human_bytes(t)),
        (Some(d), None) => human_bytes(d),
        (None, Some(t)) => format!("?/{}", human_bytes(t)),
        (None, None) => dash(),
    };
    let rate = if item.state.is_final() {
        dash()
    } else {
        match (item.rate_bytes, item.rate_fraction) {
            (Some(b), _) => format!("{}/s", human_bytes(b.max(0.0).round() as u64)),
            (None, Some(f)) => format!("{:.2}%/min", f * 6000.0),
            (None, None) => dash(),
        }
    };
    let eta = item
        .eta
        .map(crate::age::human_duration)
        .unwrap_or_else(dash);
    // A running copy's elapsed time counts up with the clock; a finished one holds.
    let elapsed = item
        .elapsed(now)
        .map(if item.finished.is_none() {
            crate::age::growing
        } else {
            crate::age::human_duration
        })
        .unwrap_or_else(dash);
    let detail = if item.detail.is_empty() {
        dash()
    } else {
        clean(&item.detail)
    };
    let message = item.message.as_deref().map(clean).unwrap_or_else(dash);
    vec![
        item.kind.label().to_string(),
        clean(&item.name),
        item.state.label().to_string(),
        progress,
        bytes,
        rate,
        eta,
        elapsed,
        detail,
        message,
    ]
}

/// All rows, in the order given.
pub fn rows<'a>(items: impl IntoIterator<Item = &'a CopyItem>, now: Timestamp) -> Vec<Vec<String>> {
    items.into_iter().map(|i| cells(i, now)).collect()
}

/// `get copies -o json`: one object per row keyed by header.
pub fn rows_json<'a>(items: impl IntoIterator<Item = &'a CopyItem>, now: Timestamp) -> Value {
    Value::Array(
        rows(items, now)
            .into_iter()
            .map(|row| {
                let obj: Map<String, Value> = HEADERS
                    .iter()
                    .zip(row)
                    .map(|(h, c)| ((*h).to_string(), Value::String(c)))
                    .collect();
                Value::Object(obj)
            })
            .collect(),
    )
}

/// Plain-text table with columns padded to the widest cell (for `get copies`).
pub fn render_table(rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}   "));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(HEADERS.to_vec());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// `1536` -> `1.5 KiB`; bytes below 1 KiB stay exact.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Control characters (from cluster data or tool output) become spaces, so a cell stays one line.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if crate::text::is_unsafe(c) { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copies::progress::{CopyState, SourceKind};

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).expect("valid time")
    }

    #[test]
    fn formats() {
        assert_eq!(human_bytes(17_179_869_696), "16.0 GiB");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }

    #[test]
    fn running_blob_row_and_json() {
        let mut c = CopyItem::new(SourceKind::AzureBlob, "k", "rhcos.vhd");
        c.state = CopyState::Running;
        c.started = Some(t(0));
        c.detail = "vhds".into();
        c.observe(t(0), None, Some(0), Some(4 * 1024 * 1024));
        c.observe(t(2), None, Some(1024 * 1024), None);
        let row = cells(&c, t(2));
        assert_eq!(
            row,
            [
                "blob",
                "rhcos.vhd",
                "Running",
                "25.0%",
                "1.0 MiB/4.0 MiB",
                "512.0 KiB/s",
                "6s",
                "2s",
                "vhds",
                "-"
            ]
        );
        let j = rows_json([&c], t(2));
        assert_eq!(j[0]["PROGRESS"], "25.0%");
        assert_eq!(j[0]["KIND"], "blob");
        let table = render_table(&rows([&c], t(2)));
        assert!(table.starts_with("KIND   NAME"), "{table}");
        assert_eq!(table.lines().count(), 2);
    }

    #[test]
    fn one_book_for_all_three_kinds() {
        use crate::copies::azure::{BlobCopyWatch, BlobProperties, CopyProperties, CopyStatus};
        use crate::copies::datavolume::DataVolumeCopy;
        use crate::copies::progress::CopyBook;

        let mut book = CopyBook::new(10);
        let dv = serde_json::json!({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
            "metadata": {"name": "kv-boot-image-cache-x1", "namespace": "clusters-a"},
            "status": {"phase": "ImportInProgress", "progress": "45.30%"}});
        let dv = DataVolumeCopy::from_json(&dv).expect("dv");
        book.upsert(dv.to_item(book.get(SourceKind::DataVolume, &dv.key()), t(0)));

        let target = crate::copies::sas::BlobTarget::parse(
            "https://acct.blob.core.windows.net/vhds/rhcos.vhd",
            Some("sv=2021-08-06&se=2030-01-01&sr=c&sp=rwdl&sig=U0VDUkVUU0lH"),
        )
        .expect("url");
        let mut w = BlobCopyWatch::new(target);
        w.apply(
            Ok(BlobProperties {
                content_length: Some(100),
                copy: CopyProperties {
                    status: Some(CopyStatus::Success),
                    progress: Some((100, 100)),
                    ..CopyProperties::default()
                },
            }),
            t(5),
        );
        book.upsert(w.item.clone());
        book.upsert(CopyItem::new(SourceKind::Image, "dir:/m/a", "a"));

        let rows = rows(book.all(), t(10));
        let kinds: Vec<_> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            kinds,
            ["datavolume", "image", "blob"],
            "live first, then history"
        );
        assert_eq!(rows[0][3], "45.3%");
        assert_eq!(rows[0][8], "boot image cache");
        assert_eq!(rows[2][2], "Succeeded");
        let json = rows_json(book.all(), t(10)).to_string();
        assert!(!json.contains("U0VDUkVUU0lH"), "{json}");
        assert_eq!(book.history().count(), 1);
    }

    #[test]
    fn finished_row_has_no_rate_and_one_line_message() {
        let mut c = CopyItem::new(SourceKind::Image, "q/x", "q/x");
        c.state = CopyState::Failed;
        c.message = Some("manifest unknown\nline two".into());
        c.observe(t(0), Some(0.0), None, None);
        c.observe(t(1), Some(0.5), None, None);
        let row = cells(&c, t(5));
        assert_eq!(row[5], "-");
        assert_eq!(row[9], "manifest unknown line two");
        assert_eq!(row[4], "-");
    }
}
