//! DELETE with and without ttl, on the virtual clock (spec §8).

mod support;

use support::TestServer;

async fn status_of(server: &TestServer, id: u64) -> u16 {
    server.get(&format!("/v1/sessions/{id}")).await.status
}

#[tokio::test]
async fn delete_without_positive_ttl_kills_at_once() {
    let server = TestServer::start().await;
    // spec §8.1: no ttl, empty, 0, non-numeric and negative values all kill at once.
    for query in [
        "",
        "?ttl=",
        "?ttl=0",
        "?ttl=abc",
        "?ttl=-5",
        "?ttl=NaN",
        "?ttl=2147483648",
    ] {
        let id = server.create_sessions(1).await[0];
        let reply = server
            .admin("DELETE", &format!("/v1/sessions/{id}{query}"), None)
            .await;
        assert_eq!(reply.status, 200, "DELETE{query}");
        assert_eq!(reply.body, "", "DELETE{query} has an empty body");
        assert_eq!(
            status_of(&server, id).await,
            404,
            "gone at once after DELETE{query}"
        );
        // spec §8.2: a second DELETE finds nothing.
        let again = server
            .admin("DELETE", &format!("/v1/sessions/{id}"), None)
            .await;
        assert_eq!(again.status, 404);
    }
}

#[tokio::test]
async fn ttl_kills_after_more_than_n_whole_seconds() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    server.advance(0.5).await;
    let reply = server
        .admin("DELETE", &format!("/v1/sessions/{id}?ttl=2"), None)
        .await;
    assert_eq!(reply.status, 200);
    // Armed at 0.5 s: the 1 s ticks at 1, 2 and 3 s see at most 2.5 s elapsed.
    server.advance(2.5).await;
    assert_eq!(status_of(&server, id).await, 200, "alive 2.5 s after ttl=2");
    assert!(server.inspect(id).await["ttl"].is_object());
    // The tick at 4 s sees 3.5 s > 2 whole seconds.
    server.advance(1.0).await;
    assert_eq!(status_of(&server, id).await, 404, "gone by the tick bound");
}

#[tokio::test]
async fn a_second_delete_restarts_the_countdown() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    server
        .admin("DELETE", &format!("/v1/sessions/{id}?ttl=1"), None)
        .await;
    server.advance(1.5).await;
    server
        .admin("DELETE", &format!("/v1/sessions/{id}?ttl=3"), None)
        .await;
    // Without the re-arm the ttl=1 would have killed at the 2 s tick. Re-armed at 1.5 s, the
    // 5 s tick sees 3.5 s (3 whole seconds, not more than 3); the 6 s tick kills (spec §8.3:
    // "killed 4.5 s after the second DELETE").
    server.advance(4.0).await;
    assert_eq!(status_of(&server, id).await, 200, "alive at 5.5 s");
    server.advance(0.5).await;
    assert_eq!(status_of(&server, id).await, 404, "killed at the 6 s tick");
}

#[tokio::test]
async fn ttl_then_plain_delete_kills_at_once() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    server
        .admin("DELETE", &format!("/v1/sessions/{id}?ttl=5"), None)
        .await;
    server
        .admin("DELETE", &format!("/v1/sessions/{id}"), None)
        .await;
    assert_eq!(status_of(&server, id).await, 404);
}

/// The `data` of GET /v1/sessions as (id, state) pairs.
async fn listed(server: &TestServer) -> Vec<(String, String)> {
    let list = server
        .get("/v1/sessions?fields[sessions]=state")
        .await
        .json();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let state = s["attributes"]["state"].as_str().unwrap();
            (s["id"].as_str().unwrap().to_string(), state.to_string())
        })
        .collect()
}

#[tokio::test]
async fn killed_session_leaves_the_list_at_once() {
    // spec §8.2: absent from E1 in the first request after the DELETE answer.
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    server
        .admin("DELETE", &format!("/v1/sessions/{}", ids[0]), None)
        .await;
    assert_eq!(
        listed(&server).await,
        vec![(ids[1].to_string(), "Session started".to_string())]
    );
}

#[tokio::test]
async fn lingering_close_is_listed_as_stopping_until_the_next_tick() {
    // spec §5.3, §14 open question 4: a backend that is slow to close keeps the session listed
    // as "Stopping session"; single-session endpoints no longer find it (spec §3.5).
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    server.advance(0.3).await;
    let path = format!("/_sim/sessions/{id}");
    server
        .control("DELETE", &path, serde_json::json!({ "linger": true }))
        .await;
    assert_eq!(
        listed(&server).await,
        vec![(id.to_string(), "Stopping session".to_string())]
    );
    assert_eq!(status_of(&server, id).await, 404);
    server.advance(0.6).await;
    assert_eq!(
        listed(&server).await.len(),
        1,
        "still listed before the 1 s tick"
    );
    server.advance(0.1).await;
    assert!(listed(&server).await.is_empty(), "gone at the 1 s tick");
}

#[tokio::test]
async fn ttl_on_a_busy_session_kills_it_too() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    server
        .control(
            "POST",
            &format!("/_sim/sessions/{id}/busy"),
            serde_json::json!({}),
        )
        .await;
    server
        .admin("DELETE", &format!("/v1/sessions/{id}?ttl=1"), None)
        .await;
    server.advance(2.0).await;
    assert_eq!(status_of(&server, id).await, 404);
}
