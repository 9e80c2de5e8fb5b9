//! Replies and their conversion to HTTP responses with MaxScale's headers (spec §10.11).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, DATE};
use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::api::error_document;
use crate::datetime::{http_date, http_date_short_year};
use crate::json_text;

/// The response body type of the server.
pub type Body = Full<Bytes>;

/// What a handler answers, before serialisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    /// Headers beyond the standard ones (ETag, Last-Modified, Accept, Set-Cookie, …).
    pub headers: Vec<(HeaderName, String)>,
    /// A fixed error text sent in MaxScale's raw form, outside the resource layer.
    raw: Option<String>,
}

impl Reply {
    /// A reply without a body.
    pub fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            body: None,
            headers: Vec::new(),
            raw: None,
        }
    }

    /// A reply with a JSON document.
    pub fn json(status: StatusCode, body: Value) -> Reply {
        Reply {
            body: Some(body),
            ..Reply::empty(status)
        }
    }

    /// An error document with one detail per message (spec §10.15).
    pub fn error<S: AsRef<str>>(status: StatusCode, details: &[S]) -> Reply {
        Reply::json(status, error_document(details))
    }

    /// A raw error (401, 403, invalid JSON): only `Date` with a four-digit year,
    /// `Content-Length` and the given headers; the body is the fixed spaced form (spec §2, §10.1).
    pub fn raw(status: StatusCode, detail: &str) -> Reply {
        let escaped = serde_json::to_string(detail).expect("strings serialise");
        Reply {
            raw: Some(format!(r#"{{"errors": [ {{ "detail": {escaped} }} ] }}"#)),
            ..Reply::empty(status)
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP response: `pretty` chooses indentation, `head` drops the body but keeps its
    /// `Content-Type`, `now_secs` dates it.
    pub fn into_response(self, pretty: bool, head: bool, now_secs: u64) -> Response<Body> {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name, header_value(value));
        }
        let bytes = if let Some(raw) = self.raw {
            builder = builder.header(DATE, http_date(now_secs));
            Bytes::from(raw)
        } else {
            let text = self
                .body
                .as_ref()
                .map(|v| json_text::render(v, pretty))
                .unwrap_or_default();
            if self.body.is_some() {
                builder = builder.header(CONTENT_TYPE, "application/json");
            }
            builder = builder
                .header(DATE, http_date_short_year(now_secs))
                .header("x-frame-options", "Deny")
                .header("x-xss-protection", "1")
                .header("referrer-policy", "same-origin")
                .header("cache-control", "no-cache");
            Bytes::from(text)
        };
        let bytes = if head { Bytes::new() } else { bytes };
        builder
            .header(CONTENT_LENGTH, bytes.len())
            .body(Full::new(bytes))
            .expect("status and headers are valid")
    }
}

/// Header values come from the server itself or echo request text; anything that is not a
/// valid header value is replaced rather than panicking.
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}
