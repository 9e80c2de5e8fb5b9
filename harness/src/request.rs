//! A scenario's request as it is sent: variables expanded, query values percent-encoded, the
//! JSON body serialised, credentials chosen — and the same request as a curl command line, the
//! evidence a finding carries.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::scenario::model::Request;
use crate::target::{Credentials, Outgoing};
use crate::vars::{VarError, Vars};

/// What a query name or value escapes: whatever would end it (`&`, `=`, `#`) and what a URL
/// cannot hold (controls, space, quotes, angle brackets, backslash, caret, backtick, braces,
/// bar, non-ASCII). Everything else — `+`, `%`, brackets, slashes, parentheses — goes as
/// written (see [`encode`]).
pub(crate) const QUERY_PART: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'&')
    .add(b'\'')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A query name or value as a URL carries it: what a query cannot hold is percent-encoded,
/// while a `+` and an escape already written (`%20`) go as they are, so a scenario sends what a
/// client would type — a `+` that the server reads as a space (spec §10.5), `%2B` for a plus.
/// A `%` that starts no escape is sent as `%25`.
fn encode(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for (i, piece) in part.split('%').enumerate() {
        if i > 0 {
            let escape = piece
                .as_bytes()
                .get(..2)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
            out.push_str(if escape { "%" } else { "%25" });
        }
        out.extend(utf8_percent_encode(piece, QUERY_PART));
    }
    out
}

/// Builds the request to send, with the credentials its `auth` stands for.
pub fn prepare(
    request: &Request,
    vars: &Vars,
    credentials: Option<Credentials>,
) -> Result<Outgoing, VarError> {
    let mut path = vars.expand(&request.path)?;
    for (i, (name, value)) in request.query.iter().enumerate() {
        // A query written into the path is kept; the options follow it.
        let separator = if i == 0 && !path.contains('?') {
            '?'
        } else {
            '&'
        };
        let value = vars.expand(value)?;
        path.push(separator);
        path.push_str(&encode(name));
        path.push('=');
        path.push_str(&encode(&value));
    }
    let mut headers = request
        .headers
        .iter()
        .map(|(name, value)| Ok((name.clone(), vars.expand(value)?)))
        .collect::<Result<Vec<_>, VarError>>()?;
    let body = match (&request.body, &request.raw_body) {
        (Some(json), _) => {
            if !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            Some(vars.expand_json(json)?.to_string().into_bytes())
        }
        (None, Some(raw)) => Some(raw.clone().into_bytes()),
        (None, None) => None,
    };
    Ok(Outgoing {
        method: request.method.clone(),
        path,
        headers,
        body,
        credentials,
    })
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
fn quote(word: &str) -> String {
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

    #[test]
    fn query_values_are_percent_encoded_after_expansion() {
        let request: Request = serde_saphyr::from_str(
            "{method: DELETE, path: \"/v1/sessions/{{id}}\", query: [[ttl, \" +1\"], [filter, '/attributes/state=eq(\"a b\")']]}",
        )
        .unwrap();
        let mut vars = Vars::new("h:1");
        vars.set("id", serde_json::json!(4));
        let out = prepare(&request, &vars, None).unwrap();
        assert_eq!(
            out.path,
            "/v1/sessions/4?ttl=%20+1&filter=/attributes/state%3Deq(%22a%20b%22)"
        );
        assert_eq!(encode("a+b%2Bc%zz%"), "a+b%2Bc%25zz%25");
        assert_eq!(encode("filter[$['id']]"), "filter[$[%27id%27]]");
        assert_eq!(out.body, None);
        assert!(out.headers.is_empty());
    }
}
