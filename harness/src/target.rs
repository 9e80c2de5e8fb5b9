//! The target: an HTTP client for a base URL with its accounts, the requests it sends (and each
//! as a curl command line, the evidence a finding carries) and the responses it reads. How sessions come to exist there is the [session source](crate::source).

use std::time::Duration;

use reqwest::{Client, Method, Url};
use serde_json::Value;

/// A user name and password for HTTP Basic authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account's user name.
    pub user: String,
    /// The account's password.
    pub password: String,
}

/// The accounts the harness may use on the target.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// The read-write account (`--user`, `--password`).
    pub admin: Credentials,
    /// The read-only account (`--basic-user`, `--basic-password`), if there is one.
    pub basic: Option<Credentials>,
}

/// A target's base URL as `--target` gives it: `http://host:port` with an optional base path
/// (`http://host:port/prefix`, every request goes under it). What cannot be honoured — another
/// scheme, credentials in the URL, a query or a fragment — is refused when the argument is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl {
    /// `http://host:port` followed by the base path, without a trailing slash.
    base: String,
    /// `host:port`.
    host: String,
}

impl TargetUrl {
    /// Reads a base URL; the error says what cannot be honoured.
    pub fn parse(text: &str) -> Result<TargetUrl, String> {
        let url = Url::parse(text).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
        if url.scheme() != "http" {
            return Err(format!(
                "'{text}': only http:// targets are supported, not {}://",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "'{text}': credentials in the URL are not used; give --user and --password"
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "'{text}': a base URL has no query or fragment; scenarios add their own"
            ));
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(format!("'{text}' names no host"));
        };
        // An IPv6 host comes in brackets, so this is always `host:port`.
        let host = format!("{host}:{port}");
        let path = url.path().trim_end_matches('/');
        Ok(TargetUrl {
            base: format!("http://{host}{path}"),
            host,
        })
    }

    /// `http://host:port` and the base path, no trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl std::str::FromStr for TargetUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<TargetUrl, String> {
        TargetUrl::parse(text)
    }
}

impl std::fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// A request as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The method token, sent as written.
    pub method: String,
    /// The path with its query string, as sent.
    pub path: String,
    /// Header names and values, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body's bytes; `None` sends no body.
    pub body: Option<Vec<u8>>,
    /// The Basic credentials to send; `None` sends no `Authorization` header.
    pub credentials: Option<Credentials>,
}

impl Outgoing {
    /// A request with an optional JSON body (sent with `Content-Type: application/json`).
    pub fn json(
        method: &str,
        path: String,
        body: Option<&Value>,
        credentials: Option<Credentials>,
    ) -> Outgoing {
        let headers = match body {
            Some(_) => vec![("Content-Type".into(), "application/json".into())],
            None => Vec::new(),
        };
        Outgoing {
            method: method.into(),
            path,
            headers,
            body: body.map(|b| b.to_string().into_bytes()),
            credentials,
        }
    }
}

/// A response: status, headers (names in lower case, in order), body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The status line's code.
    pub status: u16,
    /// Header names (lower case) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The whole body, as bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value (several are joined with `, `), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The start of the body as text, for messages.
    pub fn body_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        if text.chars().count() <= 200 {
            return text.into_owned();
        }
        let cut: String = text.chars().take(200).collect();
        format!("{cut}…")
    }
}

/// A target to judge: an HTTP client for its base URL, with its accounts.
#[derive(Debug, Clone)]
pub struct Target {
    url: TargetUrl,
    client: Client,
    timeout: Duration,
    accounts: Accounts,
}

impl Target {
    /// A client for the target; nothing is sent yet.
    pub fn new(url: TargetUrl, accounts: Accounts, timeout: Duration) -> Target {
        Target {
            url,
            // A redirect is an answer to judge, not to follow.
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client without TLS always builds"),
            timeout,
            accounts,
        }
    }

    /// `host:port`, the `{{host}}` variable.
    pub fn host(&self) -> &str {
        &self.url.host
    }

    /// `http://host:port` and the base path.
    pub fn base(&self) -> &str {
        &self.url.base
    }

    /// The accounts in use.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The full URL of a path; an error if the HTTP client would not send the path as written
    /// (it removes `.` and `..` segments and escapes spaces and quotes).
    pub fn url(&self, path: &str) -> Result<Url, String> {
        let text = format!("{}{path}", self.url.base);
        let url = Url::parse(&text).map_err(|e| format!("'{path}' is not a valid path: {e}"))?;
        if url.as_str() != text {
            return Err(format!(
                "the HTTP client would send '{}' instead of '{path}'; write the path in its sent form",
                &url.as_str()[self.url.base.len()..]
            ));
        }
        Ok(url)
    }

    /// `GET path` with the admin account: the ids of the collection it answers (`data[].id`).
    pub async fn list(&self, path: &str) -> Result<Vec<String>, String> {
        let out = Outgoing::json("GET", path.into(), None, Some(self.accounts.admin.clone()));
        let answer = self.send(&out).await?;
        if answer.status != 200 {
            return Err(format!(
                "GET {path} answered {}: {}",
                answer.status,
                answer.body_excerpt()
            ));
        }
        collection_ids(&answer.body)
    }

    /// Sends a request and reads the whole response; an error describes a transport failure
    /// (refused, reset, timed out, not HTTP).
    pub async fn send(&self, out: &Outgoing) -> Result<Response, String> {
        let method = Method::from_bytes(out.method.as_bytes())
            .map_err(|_| format!("'{}' is not an HTTP method", out.method))?;
        let mut request = self
            .client
            .request(method, self.url(&out.path)?)
            .timeout(self.timeout);
        if let Some(c) = &out.credentials {
            request = request.basic_auth(&c.user, Some(&c.password));
        }
        for (name, value) in &out.headers {
            request = request.header(name, value);
        }
        if let Some(body) = &out.body {
            request = request.body(body.clone());
        }
        let response = request.send().await.map_err(|e| chain(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await.map_err(|e| chain(&e))?.to_vec();
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// The request as a curl command line that repeats it.
pub fn curl(out: &Outgoing, base: &str) -> String {
    let mut words = vec!["curl".to_string()];
    if let Some(c) = &out.credentials {
        words.push("-u".into());
        words.push(quote(&format!("{}:{}", c.user, c.password)));
    }
    match out.method.as_str() {
        "HEAD" => words.push("--head".into()),
        "GET" if out.body.is_none() => {}
        method => {
            words.push("-X".into());
            words.push(quote(method));
        }
    }
    for (name, value) in &out.headers {
        words.push("-H".into());
        words.push(quote(&format!("{name}: {value}")));
    }
    if let Some(body) = &out.body {
        words.push("--data-binary".into());
        words.push(quote(&String::from_utf8_lossy(body)));
    }
    words.push(quote(&format!("{base}{}", out.path)));
    words.join(" ")
}

/// A shell word: as it is when it is plain, else in single quotes.
pub(crate) fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The ids of a collection document (`data[].id`), without building the rest of it.
pub fn collection_ids(body: &[u8]) -> Result<Vec<String>, String> {
    #[derive(serde::Deserialize)]
    struct List {
        data: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        id: String,
    }
    let list: List =
        serde_json::from_slice(body).map_err(|e| format!("not a collection document: {e}"))?;
    Ok(list.data.into_iter().map(|e| e.id).collect())
}

/// An error with its causes, `a: b: c`: reqwest's own message rarely says what went wrong.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_repeats_the_request() {
        let out = Outgoing {
            method: "PATCH".into(),
            path: "/v1/sessions/3?fields%5Bsessions%5D=id".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(
                br#"{"data":{"attributes":{"parameters":{"log_info":true}}},"x":"it's"}"#.to_vec(),
            ),
            credentials: Some(Credentials {
                user: "admin".into(),
                password: "mariadb".into(),
            }),
        };
        assert_eq!(
            curl(&out, "http://127.0.0.1:8989"),
            r#"curl -u admin:mariadb -X PATCH -H 'Content-Type: application/json' --data-binary '{"data":{"attributes":{"parameters":{"log_info":true}}},"x":"it'\''s"}' 'http://127.0.0.1:8989/v1/sessions/3?fields%5Bsessions%5D=id'"#
        );
        let head = Outgoing {
            method: "HEAD".into(),
            path: "/v1/sessions".into(),
            headers: Vec::new(),
            body: None,
            credentials: None,
        };
        assert_eq!(
            curl(&head, "http://h:1"),
            "curl --head http://h:1/v1/sessions"
        );
    }
}
