//! Who may do what: a request's Basic credentials or token judged against the accounts
//! (spec §10.1–§10.3).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper::header::{AUTHORIZATION, COOKIE};
use hyper::HeaderMap;

use super::account::{AccountType, Accounts};
use super::jwt::TokenKey;

/// Who the request is from, or why it is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed {
        user: String,
        account: AccountType,
    },
    /// 401 `Access denied`; `challenge` adds `WWW-Authenticate`.
    Denied {
        challenge: bool,
    },
    /// 403 `Administrative access required` (a basic account's token on a write).
    Forbidden,
}

/// Judges a request: a token (cookie `token_sig` first, then `Authorization: Bearer`) wins over
/// Basic credentials; writes need an admin account.
pub fn judge(
    headers: &HeaderMap,
    accounts: &Accounts,
    key: &TokenKey,
    now_secs: u64,
    write: bool,
) -> Verdict {
    let authorization = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = cookie_token(headers).or_else(|| authorization.strip_prefix("Bearer "));
    if let Some(token) = token {
        return match key.verify(token.trim(), now_secs) {
            None => Verdict::Denied { challenge: false },
            Some(c) if write && c.account == AccountType::Basic => Verdict::Forbidden,
            Some(c) => Verdict::Allowed {
                user: c.sub,
                account: c.account,
            },
        };
    }
    // spec §10.1: a basic account writing with Basic credentials gets 401, not 403.
    match basic_credentials(authorization).and_then(|(u, p)| Some((accounts.check(&u, &p)?, u))) {
        Some((account, user)) if !write || account == AccountType::Admin => {
            Verdict::Allowed { user, account }
        }
        _ => Verdict::Denied { challenge: true },
    }
}

fn basic_credentials(authorization: &str) -> Option<(String, String)> {
    let encoded = authorization.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("token_sig="))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn accounts() -> Accounts {
        Accounts::new(
            "admin:mariadb".parse().unwrap(),
            Some("ro:ropw".parse().unwrap()),
        )
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    #[test]
    fn basic_credentials_and_account_types() {
        let key = TokenKey::from_seed(1);
        let judge = |h: &HeaderMap, write| judge(h, &accounts(), &key, 0, write);
        let admin = headers(&[("authorization", &basic("admin", "mariadb"))]);
        let ro = headers(&[("authorization", &basic("ro", "ropw"))]);
        let wrong = headers(&[("authorization", &basic("admin", "x"))]);
        assert!(matches!(
            judge(&admin, true),
            Verdict::Allowed {
                account: AccountType::Admin,
                ..
            }
        ));
        assert!(matches!(
            judge(&ro, false),
            Verdict::Allowed {
                account: AccountType::Basic,
                ..
            }
        ));
        assert_eq!(judge(&ro, true), Verdict::Denied { challenge: true });
        assert_eq!(judge(&wrong, false), Verdict::Denied { challenge: true });
        assert_eq!(
            judge(&HeaderMap::new(), false),
            Verdict::Denied { challenge: true }
        );
        assert_eq!(
            judge(&headers(&[("authorization", "Basic !!!!")]), false),
            Verdict::Denied { challenge: true }
        );
    }

    #[test]
    fn tokens_take_precedence() {
        let key = TokenKey::from_seed(1);
        let admin_token = key.issue("admin", AccountType::Admin, 0, 60);
        let ro_token = key.issue("ro", AccountType::Basic, 0, 60);
        let judge = |h: &HeaderMap, write| judge(h, &accounts(), &key, 10, write);
        let bearer = headers(&[("authorization", &format!("Bearer {admin_token}"))]);
        assert!(matches!(judge(&bearer, true), Verdict::Allowed { .. }));
        let ro_cookie = headers(&[
            ("cookie", &format!("a=b; token_sig={ro_token}")),
            ("authorization", &format!("Bearer {admin_token}")),
        ]);
        assert_eq!(judge(&ro_cookie, true), Verdict::Forbidden);
        assert!(matches!(judge(&ro_cookie, false), Verdict::Allowed { .. }));
        let bad = headers(&[("authorization", "Bearer nope")]);
        assert_eq!(judge(&bad, false), Verdict::Denied { challenge: false });
        // The scheme word is case-sensitive: `bearer` falls through to Basic.
        let lower = headers(&[("authorization", &format!("bearer {admin_token}"))]);
        assert_eq!(judge(&lower, false), Verdict::Denied { challenge: true });
    }
}
