//! HS256 JSON Web Tokens as `/v1/auth` issues them (spec §10.2).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::account::AccountType;

/// The issuer MaxScale writes by default (`admin_jwt_issuer`).
pub const ISSUER: &str = "maxscale";

/// The claims of a token: exactly MaxScale's (spec §10.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub account: AccountType,
    pub aud: String,
    pub exp: u64,
    pub iat: u64,
    pub iss: String,
    pub sub: String,
}

/// The signing key. It is derived from the simulation seed so that the same seed gives the same
/// tokens: the reference server's tokens are not secrets.
#[derive(Debug, Clone)]
pub struct TokenKey([u8; 32]);

impl TokenKey {
    /// The key for a seed.
    pub fn from_seed(seed: u64) -> TokenKey {
        let digest = Sha256::new()
            .chain_update(b"reference-server token key")
            .chain_update(seed.to_le_bytes())
            .finalize();
        TokenKey(digest.into())
    }

    /// A signed token for `user` of `account`, valid `lifetime` seconds from `now`.
    pub fn issue(&self, user: &str, account: AccountType, now: u64, lifetime: u64) -> String {
        let claims = Claims {
            account,
            aud: user.to_string(),
            exp: now + lifetime,
            iat: now,
            iss: ISSUER.to_string(),
            sub: user.to_string(),
        };
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
        let payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialise"));
        let signed = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(self.mac(&signed).finalize().into_bytes());
        format!("{signed}.{signature}")
    }

    /// The claims of a token signed with this key and not expired at `now`.
    pub fn verify(&self, token: &str, now: u64) -> Option<Claims> {
        let (signed, signature) = token.rsplit_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.mac(signed).verify_slice(&signature).ok()?;
        let (_, payload) = signed.split_once('.')?;
        let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        (claims.exp > now && claims.iss == ISSUER).then_some(claims)
    }

    fn mac(&self, data: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length works");
        mac.update(data.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let key = TokenKey::from_seed(7);
        let token = key.issue("admin", AccountType::Admin, 1000, 60);
        let claims = key.verify(&token, 1059).expect("valid");
        assert_eq!(claims.sub, "admin");
        assert_eq!(claims.account, AccountType::Admin);
        assert_eq!(claims.exp - claims.iat, 60);
        assert_eq!(key.verify(&token, 1060), None, "expired");
        assert_eq!(
            TokenKey::from_seed(8).verify(&token, 1000),
            None,
            "other key"
        );
        let mut tampered = token.clone();
        tampered.insert(tampered.find('.').unwrap() + 2, 'x');
        assert_eq!(key.verify(&tampered, 1000), None);
        assert_eq!(key.verify("garbage", 1000), None);
    }
}
