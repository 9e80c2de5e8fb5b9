//! Read-only views of sessions, computed at one instant, for the API layer to render.

use super::session::{LogFlags, SessionState};

/// Buffer sizes of one connection (spec §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferMemory {
    pub writeq: u64,
    pub readq: u64,
    pub misc: u64,
}

impl BufferMemory {
    /// `writeq + readq + misc`.
    pub fn total(&self) -> u64 {
        self.writeq + self.readq + self.misc
    }
}

/// The `memory` attribute (spec §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memory {
    pub client: BufferMemory,
    /// Keyed by server name: two connections to one server collapse, as in MaxScale.
    pub backends: Vec<(String, BufferMemory)>,
    pub last_queries: u64,
    pub variables: u64,
    pub sescmd_history: u64,
    pub exec_metadata: u64,
}

impl Memory {
    /// `connection_buffers.total`: the client's buffers plus every backend connection's.
    pub fn connection_buffers_total(&self) -> u64 {
        self.client.total() + self.backends.iter().map(|(_, b)| b.total()).sum::<u64>()
    }

    /// The overall `total`.
    pub fn total(&self) -> u64 {
        self.connection_buffers_total()
            + self.last_queries
            + self.variables
            + self.sescmd_history
            + self.exec_metadata
    }
}

/// One backend connection as shown in `connections` (spec §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionView {
    pub connection_id: u64,
    pub server: String,
    pub cipher: String,
}

/// Session-command history counters, shown only for history-capable routers (spec §5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryView {
    pub len: u64,
    pub stored_responses: u64,
    pub stored_metadata: u64,
}

/// The `client` attribute (spec §5.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientView {
    pub cipher: String,
    pub connection_attributes: Option<Vec<(String, String)>>,
    pub history: Option<HistoryView>,
}

/// One retained statement (spec §5.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryView {
    pub statement: String,
    pub received_ms: u64,
    pub completed_ms: Option<u64>,
    pub responses: Vec<(String, u64)>,
}

/// Everything a session document shows, computed at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub id: u64,
    pub state: SessionState,
    /// `None` while authenticating or for an empty user name.
    pub user: Option<String>,
    pub remote: String,
    pub port: i32,
    pub connected_secs: u64,
    pub seconds_alive: f64,
    /// `None` when the client connection is not polling (never, in the simulation).
    pub idle: Option<f64>,
    pub memory: Memory,
    pub io_activity: u64,
    pub connections: Vec<ConnectionView>,
    pub client: ClientView,
    pub thread: usize,
    pub queries: Vec<QueryView>,
    pub log: Vec<String>,
    /// Effective flags: the session's OR its service's.
    pub parameters: LogFlags,
    pub service: String,
    /// Session-level filters in use, in chain order; empty when none.
    pub filters: Vec<String>,
}
