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
    pub payload: Payload,
    /// Headers beyond the standard ones (ETag, Last-Modified, Accept, Set-Cookie, …).
    pub headers: Vec<(HeaderName, String)>,
}

/// The body of a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    None,
    /// A document, rendered as the `pretty` option asks.
    Json(Value),
    /// A document turned into text ahead of the reply, with its ETag: a large list is rendered
    /// straight from its typed form, without a tree of values.
    Rendered {
        etag: String,
        text: String,
    },
    /// A fixed error text sent in MaxScale's raw form, outside the resource layer.
    Raw(String),
}

impl Reply {
    /// A reply without a body.
    pub fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            payload: Payload::None,
            headers: Vec::new(),
        }
    }

    /// A reply with a document rendered ahead.
    pub fn rendered(status: StatusCode, etag: String, text: String) -> Reply {
        Reply {
            payload: Payload::Rendered { etag, text },
            ..Reply::empty(status)
        }
    }

    /// A reply with a JSON document.
    pub fn json(status: StatusCode, body: Value) -> Reply {
        Reply {
            payload: Payload::Json(body),
            ..Reply::empty(status)
        }
    }

    /// The JSON document of the reply, when it holds one as a value.
    pub fn json_mut(&mut self) -> Option<&mut Value> {
        match &mut self.payload {
            Payload::Json(body) => Some(body),
            _ => None,
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
            payload: Payload::Raw(format!(r#"{{"errors": [ {{ "detail": {escaped} }} ] }}"#)),
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
        let text = match self.payload {
            Payload::Raw(raw) => {
                builder = builder.header(DATE, http_date(now_secs));
                return finish(builder, raw, head);
            }
            Payload::None => None,
            Payload::Json(body) => Some(json_text::render(&body, pretty)),
            Payload::Rendered { text, .. } => Some(text),
        };
        if text.is_some() {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        builder = builder
            .header(DATE, http_date_short_year(now_secs))
            .header("x-frame-options", "Deny")
            .header("x-xss-protection", "1")
            .header("referrer-policy", "same-origin")
            .header("cache-control", "no-cache");
        finish(builder, text.unwrap_or_default(), head)
    }
}

/// Adds `Content-Length` and the body (none for HEAD).
fn finish(builder: hyper::http::response::Builder, text: String, head: bool) -> Response<Body> {
    let bytes = if head {
        Bytes::new()
    } else {
        Bytes::from(text)
    };
    builder
        .header(CONTENT_LENGTH, bytes.len())
        .body(Full::new(bytes))
        .expect("status and headers are valid")
}

/// Header values come from the server itself or echo request text; anything that is not a
/// valid header value is replaced rather than panicking.
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}
