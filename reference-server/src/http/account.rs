//! The REST API's user accounts and their rights (spec §10.1): what both Basic credentials and
//! tokens name, so it depends on neither.

use serde::{Deserialize, Serialize};

/// An account's rights: `admin` reads and writes, `basic` only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    Admin,
    Basic,
}

/// A user name and password pair as given on the command line (`USER:PASS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account's user name.
    pub user: String,
    /// The account's password.
    pub password: String,
}

impl std::str::FromStr for Credentials {
    type Err = String;

    fn from_str(s: &str) -> Result<Credentials, String> {
        match s.split_once(':') {
            Some((user, password)) if !user.is_empty() => Ok(Credentials {
                user: user.to_string(),
                password: password.to_string(),
            }),
            _ => Err(format!("expected USER:PASS, got '{s}'")),
        }
    }
}

/// The REST API's user accounts.
#[derive(Debug, Clone)]
pub struct Accounts(Vec<(Credentials, AccountType)>);

impl Accounts {
    /// An admin account and optionally a read-only one.
    pub fn new(admin: Credentials, basic: Option<Credentials>) -> Accounts {
        let mut accounts = vec![(admin, AccountType::Admin)];
        accounts.extend(basic.map(|c| (c, AccountType::Basic)));
        Accounts(accounts)
    }

    /// The rights of the account with this user name and password, if there is one.
    pub(super) fn check(&self, user: &str, password: &str) -> Option<AccountType> {
        self.0
            .iter()
            .find(|(c, _)| c.user == user && c.password == password)
            .map(|(_, kind)| *kind)
    }
}
