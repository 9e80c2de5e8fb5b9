//! The MariaDB listeners: every `type=listener` section with a `port` accepts real MariaDB/MySQL
//! clients over the MariaDB protocol, and each connection is a session of the simulation, driven
//! exactly as the control API drives synthetic ones (`crate::control`).
//!
//! What a client sees follows the captures' `client-protocol.md`: the greeting's connection id
//! is the session id, a wrong password is error 1045, a kill closes the TCP connection without an
//! error packet (spec §8.2, §8.3).

mod client;
mod io;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use opensrv_mysql::AsyncMysqlIntermediary;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

use crate::sim::topology::Topology;
use crate::sim::Simulation;
use client::Client;
use io::{CountingReader, DenialWriter};

/// Where the MariaDB listeners listen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MysqlListen {
    /// No MariaDB listener: the default of an embedded server, so that servers started side by
    /// side never compete for the topology's fixed ports.
    #[default]
    Off,
    /// Each listener at its topology `address` and `port`, as MaxScale does (the binary's
    /// default).
    Topology,
    /// The first listener at this address (port 0 picks a free port); the others on free ports
    /// of the same IP.
    First(SocketAddr),
}

/// One bound listener: its name, its service and its socket.
pub(crate) struct Bound {
    pub name: String,
    pub service: String,
    pub listener: TcpListener,
}

/// Binds the listeners of the topology that have a TCP port.
pub(crate) async fn bind(topology: &Topology, mode: MysqlListen) -> std::io::Result<Vec<Bound>> {
    let mut bound = Vec::new();
    if mode == MysqlListen::Off {
        return Ok(bound);
    }
    let tcp = topology.listeners.iter().filter_map(|l| Some((l, l.port?)));
    for (index, (listener, port)) in tcp.enumerate() {
        let socket = match mode {
            MysqlListen::First(addr) if index == 0 => TcpListener::bind(addr).await?,
            MysqlListen::First(addr) => TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?,
            _ => TcpListener::bind((listener.address.as_str(), port)).await?,
        };
        bound.push(Bound {
            name: listener.name.clone(),
            service: listener.service.clone(),
            listener: socket,
        });
    }
    Ok(bound)
}

/// Accepts clients until `stopped` turns true; their connections end with it.
pub(crate) async fn serve(bound: Bound, sim: Arc<Simulation>, mut stopped: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = bound.listener.accept() => accepted,
            _ = stopped.wait_for(|&stop| stop) => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let sim = Arc::clone(&sim);
                let service = bound.service.clone();
                tokio::spawn(connection(sim, service, stream, peer, stopped.clone()));
            }
            Err(error) => tracing::warn!(listener = bound.name, %error, "accept failed"),
        }
    }
}

/// One client connection, from its session's creation to its removal.
async fn connection(
    sim: Arc<Simulation>,
    service: String,
    stream: TcpStream,
    peer: SocketAddr,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let host = peer.ip().to_canonical().to_string();
    // spec §3.5: listed as "Session created" while the client authenticates.
    let Ok((id, mut hung_up)) = sim.accept_client(&service, host.clone(), i32::from(peer.port()))
    else {
        return;
    };
    let (read, write) = stream.into_split();
    let denial = Arc::new(Mutex::new(None));
    let hang_up = Arc::new(Notify::new());
    let reader = CountingReader::new(read);
    let client = Client::new(
        Arc::clone(&sim),
        id,
        host,
        reader.counter(),
        Arc::clone(&denial),
        Arc::clone(&hang_up),
    );
    let writer = DenialWriter::new(write, denial);
    // Biased: a reply the protocol task is writing goes out before a hang-up it asked for.
    tokio::select! {
        biased;
        _ = AsyncMysqlIntermediary::run_on(client, reader, writer) => {}
        _ = hang_up.notified() => {}
        // spec §8.2, §8.3: a kill or a ttl closes the connection without an error packet, cutting
        // off a running query; dropping the protocol task drops the socket.
        _ = hung_up.wait_for(|&gone| gone) => {}
        _ = stopped.wait_for(|&stop| stop) => {}
    }
    // spec §8.2: COM_QUIT or a dropped connection removes the session at once. A session the
    // proxy ended is gone already, and after a reset its id may belong to another client.
    if !*hung_up.borrow() {
        let _ = sim.close(id, false);
    }
}
