//! Session state to JSON:API documents, and request bodies to simulation commands
//! (spec §4–§6). No HTTP here: the `http` layer decides statuses and headers.

pub(crate) mod patch;
pub(crate) mod resources;
pub(crate) mod session_doc;

/// Where the links of a document point: `http://<Host header>/` plus `v1/` when the request
/// path had the version prefix (spec §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkBase(String);

impl LinkBase {
    /// The base for a request with this `Host` header and version prefix.
    pub fn new(host: &str, versioned: bool) -> LinkBase {
        let prefix = if versioned { "v1/" } else { "" };
        LinkBase(format!("http://{host}/{prefix}"))
    }

    /// The link to a path below the base; links always end with `/`.
    pub fn to(&self, path: &str) -> String {
        format!("{}{path}/", self.0)
    }
}

/// The `{"errors":[{"detail": …}]}` document (spec §10.15).
pub fn error_document<S: AsRef<str>>(details: &[S]) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = details
        .iter()
        .map(|d| serde_json::json!({ "detail": d.as_ref() }))
        .collect();
    serde_json::json!({ "errors": errors })
}
