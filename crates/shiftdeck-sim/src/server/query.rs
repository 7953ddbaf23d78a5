//! Query parameters of a Kubernetes request.

use std::collections::HashMap;

use crate::error::ApiError;

#[derive(Debug, Default)]
pub struct Query {
    last: HashMap<String, String>,
    /// Every pair in order: `dryRun` may be repeated.
    all: Vec<(String, String)>,
}

impl Query {
    pub fn parse(q: Option<&str>) -> Self {
        let all: Vec<(String, String)> = url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Query {
            last: all.iter().cloned().collect(),
            all,
        }
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.last
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Every value of a repeatable parameter, in order.
    pub fn values(&self, k: &str) -> Vec<&str> {
        self.all
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }

    pub fn watch(&self) -> bool {
        self.flag("watch")
    }

    pub fn u64(&self, k: &str) -> Result<Option<u64>, ApiError> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("invalid {k} parameter: {v:?}"))),
        }
    }
}
