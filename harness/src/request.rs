//! A scenario's request as it is sent: variables expanded, query values percent-encoded, the
//! JSON body serialised, credentials chosen.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::scenario::model::{Auth, Request};
use crate::target::{Accounts, Credentials, Outgoing};
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

/// The credentials a request's `auth` means; `None` sends no `Authorization` header.
pub fn credentials(accounts: &Accounts, auth: Auth) -> Option<Credentials> {
    let admin = &accounts.admin;
    match auth {
        Auth::Admin => Some(admin.clone()),
        Auth::Basic => accounts.basic.clone(),
        Auth::None => None,
        Auth::Wrong => Some(Credentials {
            user: admin.user.clone(),
            password: format!("{}-wrong", admin.password),
        }),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
