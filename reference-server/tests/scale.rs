//! Many sessions: a large list must not hold up other requests while it is rendered.

mod support;

use std::time::{Duration, Instant};

use support::{RawResponse, TestServer};

/// GET one requests answered while one list is in flight that show the list does not hold up
/// other requests. The first may have been served before the list's rendering began; three leave
/// no doubt.
const EVIDENCE: usize = 3;

/// How long to keep trying before concluding that lists hold up other requests.
const DEADLINE: Duration = Duration::from_secs(120);

/// A GET of 10,000 sessions takes a while; GET one keeps being answered meanwhile because the
/// list copies one routing worker at a time and renders on the blocking pool. A server that held
/// one lock for the whole list would answer no GET one while the list is rendered.
///
/// How many GET one fit into one list depends on the machine, so the test asserts no count: it
/// lists again until one list has overlapped with `EVIDENCE` answered GET one, and fails only if
/// that never happens before the deadline. Every list must be complete and every GET one a 200.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_ten_thousand_sessions_does_not_block_get_one() {
    let server = TestServer::with(|c| c.sessions = 10_000).await;
    let started = Instant::now();
    let mut most_meanwhile = 0;
    while most_meanwhile < EVIDENCE {
        assert!(
            started.elapsed() < DEADLINE,
            "no list of 10,000 sessions overlapped {EVIDENCE} GET one in {DEADLINE:?}; \
             at most {most_meanwhile} did"
        );
        let (listing, meanwhile) = list_while_getting_one(&server).await;
        assert_eq!(listing.status, 200);
        assert_eq!(listing.json()["data"].as_array().unwrap().len(), 10_000);
        most_meanwhile = most_meanwhile.max(meanwhile);
    }
}

/// Lists every session and, until the list is answered, GETs one session over and over; returns
/// the list and how many GET one were answered before it.
async fn list_while_getting_one(server: &TestServer) -> (RawResponse, usize) {
    let request = format!(
        "GET /v1/sessions HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        server.host(),
        support::admin_auth()
    );
    let list = server.send_raw(request.as_bytes());
    tokio::pin!(list);
    let mut answered_meanwhile = 0;
    loop {
        tokio::select! {
            biased;
            listing = &mut list => return (listing, answered_meanwhile),
            one = server.get("/v1/sessions/5000") => {
                assert_eq!(one.status, 200);
                answered_meanwhile += 1;
            }
        }
    }
}
