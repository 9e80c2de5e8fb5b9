//! The target: an HTTP client for a base URL with its accounts, and its *session source* — how
//! sessions come to exist there and how its time moves. A target with the simulator's control
//! API (`GET /_sim` answers 200 JSON) creates sessions on request and may have a virtual clock;
//! any other target offers the sessions it already has, on a real clock.

use std::time::Duration;

use reqwest::{Client, Method, Url};
use serde_json::{json, Value};

use crate::scenario::model::Auth;

/// The longest single wait `advance` makes on a real clock.
pub const MAX_REAL_WAIT: Duration = Duration::from_secs(120);

/// A user name and password for HTTP Basic authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
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

/// How time moves on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Only when told, through `POST /_sim/clock/advance`.
    Virtual,
    /// As on the wall; the harness waits.
    Real,
}

/// Where sessions come from and how time moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSource {
    /// The control API (`/_sim/`) exists: sessions are created, made busy, closed on request.
    pub control: bool,
    pub clock: Clock,
}

/// Why the target cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("'{0}' is not an http:// base URL")]
    BadUrl(String),
    #[error("target {url} is unreachable or does not speak HTTP: {message}")]
    Unreachable { url: String, message: String },
}

/// A request as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub method: String,
    /// The path with its query string, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
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
    pub status: u16,
    pub headers: Vec<(String, String)>,
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

/// A target to judge.
#[derive(Debug, Clone)]
pub struct Target {
    /// `scheme://host:port`, no trailing slash.
    base: String,
    host: String,
    client: Client,
    timeout: Duration,
    accounts: Accounts,
    source: SessionSource,
}

impl Target {
    /// Connects to a base URL and finds out its session source; a target that refuses the
    /// connection or does not answer in HTTP is an error.
    pub async fn connect(
        base: &str,
        accounts: Accounts,
        timeout: Duration,
    ) -> Result<Target, TargetError> {
        let url = Url::parse(base).map_err(|_| TargetError::BadUrl(base.to_string()))?;
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(TargetError::BadUrl(base.to_string()));
        };
        if url.scheme() != "http" {
            return Err(TargetError::BadUrl(base.to_string()));
        }
        // An IPv6 host comes in brackets, so this is always `host:port`.
        let host = format!("{host}:{port}");
        let mut target = Target {
            base: format!("http://{host}"),
            host,
            // A redirect is an answer to judge, not to follow.
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client without TLS always builds"),
            timeout,
            accounts,
            source: SessionSource {
                control: false,
                clock: Clock::Real,
            },
        };
        let probe = Outgoing {
            method: "GET".into(),
            path: "/_sim".into(),
            headers: Vec::new(),
            body: None,
            credentials: None,
        };
        let answer = target
            .send(&probe)
            .await
            .map_err(|message| TargetError::Unreachable {
                url: target.base.clone(),
                message,
            })?;
        let info: Option<Value> = (answer.status == 200)
            .then(|| serde_json::from_slice(&answer.body).ok())
            .flatten();
        if let Some(info) = info {
            target.source = SessionSource {
                control: true,
                clock: match info.get("clock").and_then(Value::as_str) {
                    Some("virtual") => Clock::Virtual,
                    _ => Clock::Real,
                },
            };
        }
        Ok(target)
    }

    /// `host:port`, the `{{host}}` variable.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `http://host:port`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// How sessions come to exist and time moves.
    pub fn source(&self) -> SessionSource {
        self.source
    }

    /// The accounts in use.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The credentials a request's `auth` means; `None` sends no `Authorization` header.
    pub fn credentials(&self, auth: Auth) -> Option<Credentials> {
        let admin = &self.accounts.admin;
        match auth {
            Auth::Admin => Some(admin.clone()),
            Auth::Basic => self.accounts.basic.clone(),
            Auth::None => None,
            Auth::Wrong => Some(Credentials {
                user: admin.user.clone(),
                password: format!("{}-wrong", admin.password),
            }),
        }
    }

    /// The full URL of a path; an error if the HTTP client would not send the path as written
    /// (it removes `.` and `..` segments and escapes spaces and quotes).
    pub fn url(&self, path: &str) -> Result<Url, String> {
        let text = format!("{}{path}", self.base);
        let url = Url::parse(&text).map_err(|e| format!("'{path}' is not a valid path: {e}"))?;
        if url.as_str() != text {
            return Err(format!(
                "the HTTP client would send '{}' instead of '{path}'; write the path in its sent form",
                &url.as_str()[self.base.len()..]
            ));
        }
        Ok(url)
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

    /// Moves the target's time on: through the control API on a virtual clock, by waiting (at
    /// most [`MAX_REAL_WAIT`]) on a real one.
    pub async fn advance(&self, seconds: f64) -> Result<(), String> {
        match self.source.clock {
            Clock::Virtual => {
                self.control("/_sim/clock/advance", json!({ "seconds": seconds }))
                    .await
            }
            Clock::Real => {
                let wait = Duration::try_from_secs_f64(seconds)
                    .ok()
                    .filter(|wait| *wait <= MAX_REAL_WAIT)
                    .ok_or_else(|| {
                        format!(
                            "cannot wait {seconds} s on a real clock (at most {} s)",
                            MAX_REAL_WAIT.as_secs()
                        )
                    })?;
                tokio::time::sleep(wait).await;
                Ok(())
            }
        }
    }

    /// Puts the simulation back into its initial state (`POST /_sim/reset`).
    pub async fn reset(&self) -> Result<(), String> {
        self.control("/_sim/reset", json!({})).await
    }

    /// A control call that must succeed.
    async fn control(&self, path: &str, body: Value) -> Result<(), String> {
        let out = Outgoing {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(body.to_string().into_bytes()),
            credentials: None,
        };
        let answer = self.send(&out).await?;
        if (200..300).contains(&answer.status) {
            Ok(())
        } else {
            Err(format!(
                "POST {path} answered {}: {}",
                answer.status,
                answer.body_excerpt()
            ))
        }
    }
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
