//! Many sessions: a large list must not hold up other requests while it is rendered.

mod support;

use support::TestServer;

/// A GET of 10,000 sessions takes a while (long in a debug build); GET one keeps being answered
/// meanwhile because the list copies one routing worker at a time and renders on the blocking
/// pool. A server that held one lock for the whole list would answer at most one GET one before
/// the list completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_ten_thousand_sessions_does_not_block_get_one() {
    let server = TestServer::with(|c| c.sessions = 10_000).await;
    let list = {
        let server_addr = server.host();
        let request = format!(
            "GET /v1/sessions HTTP/1.1\r\nHost: {server_addr}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
            support::admin_auth()
        );
        let server = &server;
        async move { server.send_raw(request.as_bytes()).await }
    };
    tokio::pin!(list);
    let mut answered_meanwhile = 0;
    let listing = loop {
        tokio::select! {
            biased;
            listing = &mut list => break listing,
            one = server.get("/v1/sessions/5000") => {
                assert_eq!(one.status, 200);
                answered_meanwhile += 1;
            }
        }
    };
    assert_eq!(listing.status, 200);
    assert_eq!(listing.json()["data"].as_array().unwrap().len(), 10_000);
    assert!(
        answered_meanwhile >= 3,
        "only {answered_meanwhile} GET one answered while the list was rendered"
    );
}
