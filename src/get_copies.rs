//! `shiftdeck get copies`: the cluster's DataVolumes plus the config file's Azure blob copies
//! (each polled once), as a table with the pane's headers or JSON/YAML keyed by header.

use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::{Api, Client};

use crate::copies::azure::{BlobClient, BlobCopyWatch};
use crate::copies::azure_copy::AzureCopy;
use crate::copies::datavolume::DataVolumeCopy;
use crate::copies::dv_resource::DataVolume;
use crate::copies::rows;
use crate::copies::sas::BlobTarget;
use crate::copies::{CopyBook, CopyItem, CopyState};
use crate::get::GetError;
use crate::output::OutputError;
use crate::output::OutputFormat;

/// DataVolumes as copy items; an absent CDI API yields none.
pub async fn datavolume_items(client: &Client, now: Timestamp) -> Result<Vec<CopyItem>, GetError> {
    let api: Api<DataVolume> = Api::all(client.clone());
    match api.list(&ListParams::default()).await {
        Ok(list) => Ok(list
            .items
            .iter()
            .filter_map(|d| DataVolumeCopy::from_json(&d.to_json()).ok())
            .map(|d| d.to_item(None, now))
            .collect()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
        Err(source) => Err(GetError::ListAll {
            what: "DataVolumes",
            source,
        }),
    }
}

/// One poll of each configured blob copy; errors are the row's state and message.
pub async fn azure_items(copies: &[AzureCopy], now: Timestamp) -> Vec<CopyItem> {
    let client = BlobClient::new(std::time::Duration::from_secs(10));
    let mut out = Vec::new();
    for c in copies {
        let sas = Some(c.sas.as_str()).filter(|s| !s.is_empty());
        let target = match BlobTarget::parse(&c.url, sas) {
            Ok(t) => t,
            Err(e) => {
                let mut item = CopyItem::new(
                    crate::copies::SourceKind::AzureBlob,
                    crate::redact::in_text(&c.url),
                    crate::redact::in_text(&c.url),
                );
                item.state = CopyState::Failed;
                item.message = Some(e.to_string());
                out.push(item);
                continue;
            }
        };
        let mut w = BlobCopyWatch::new(target);
        let r = match &client {
            Ok(cl) => cl.get_properties(&w.target).await,
            Err(e) => Err(e.clone()),
        };
        let failed = r.is_err();
        w.apply(r, now);
        if failed {
            w.item.state = CopyState::Failed;
        }
        out.push(w.item);
    }
    out
}

/// Render items as `get` output.
pub fn render(
    items: Vec<CopyItem>,
    format: OutputFormat,
    now: Timestamp,
) -> Result<String, OutputError> {
    let mut book = CopyBook::new(usize::MAX);
    for i in items {
        book.upsert(i);
    }
    let all = book.all();
    match format {
        OutputFormat::Table => Ok(rows::render_table(&rows::rows(all, now))),
        OutputFormat::Json | OutputFormat::Yaml => {
            crate::output::serialize(&rows::rows_json(all, now), format)
        }
    }
}

/// Everything `get copies` prints.
pub async fn copies(
    client: &Client,
    azure: &[AzureCopy],
    format: OutputFormat,
) -> Result<String, GetError> {
    let now = Timestamp::now();
    let mut items = datavolume_items(client, now).await?;
    items.extend(azure_items(azure, now).await);
    Ok(render(items, format, now)?)
}
