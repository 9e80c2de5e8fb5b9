//! The simulated proxy's configuration, read from a maxscale.cnf-style INI file.
//!
//! The file holds MaxScale's sections — `[maxscale]` for the global settings and one section per
//! object with `type=server|service|listener|filter|monitor` — plus the simulator's own
//! `[simulation]` section. Parsing runs in three steps:
//!
//! 1. the text into raw sections (syntax, duplicate sections and keys),
//! 2. each raw section into a typed object (`type`, required keys, numbers, booleans, durations),
//! 3. the cross-references between objects (a service's servers and filters, a listener's
//!    service, a monitor's servers).
//!
//! The first problem found stops parsing; every error names the 1-based line it is about. Keys the
//! simulator does not interpret are kept, like all others, in each object's `params`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;

/// `maxscale.cnf` of the captures (spec §16), the file itself: the default topology cannot drift
/// from the setup the captures ran with.
const CAPTURES_CNF: &str = include_str!("../../../fixtures/maxscale-24.02.4/maxscale.cnf");

/// Name of MaxScale's global section.
const GLOBAL_SECTION: &str = "maxscale";

/// Name of the simulator's own section.
const SIMULATION_SECTION: &str = "simulation";

/// Largest accepted `threads` value.
const MAX_THREADS: usize = 256;

/// `expected` text for port numbers.
const PORT: &str = "a port number from 0 to 65535";

/// A whole configuration: MaxScale's objects plus the simulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    pub(crate) maxscale: Global,
    pub(crate) servers: Vec<Server>,
    pub(crate) services: Vec<Service>,
    pub(crate) listeners: Vec<Listener>,
    pub(crate) filters: Vec<Filter>,
    pub(crate) monitors: Vec<Monitor>,
    pub(crate) simulation: SimulationSettings,
}

/// The `[maxscale]` section (spec §12).
#[derive(Debug, Clone, PartialEq)]
pub struct Global {
    /// Number of routing workers; default 2 (the captures' setting).
    pub threads: usize,
    /// Statements retained per session unless the service overrides it; default 0.
    pub retain_last_statements: i64,
    /// Log lines kept per session for `log`; default 0.
    pub session_trace: usize,
    /// When true, the `rdns` option is ignored (spec §11); default false.
    pub skip_name_resolve: bool,
    /// REST API address; default 127.0.0.1.
    pub admin_host: String,
    /// REST API port; default 8989.
    pub admin_port: u16,
    /// Every key=value of the section as written, in file order.
    pub params: Vec<(String, String)>,
}

/// A `type=server` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub name: String,
    /// `address=`; empty for a server reached through `socket=` only.
    pub address: String,
    /// `port=`; default 3306.
    pub port: u16,
    /// Every key=value of the section as written, in file order.
    pub params: Vec<(String, String)>,
}

/// A `type=service` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    /// Router module, e.g. `readwritesplit`.
    pub router: String,
    /// `servers=` or `targets=`, comma-separated.
    pub servers: Vec<String>,
    /// The service's own filter chain, `filters=a|b`; never shown as session filters (spec §5.1).
    pub filters: Vec<String>,
    /// Statements retained per session; -1 inherits the global value (spec §5.6).
    pub retain_last_statements: i64,
    pub log_debug: bool,
    pub log_info: bool,
    pub log_notice: bool,
    pub log_warning: bool,
    /// `idle_session_pool_time` in milliseconds; -1 = disabled (spec §7.1).
    pub idle_session_pool_time_ms: i64,
    /// Every key=value of the section as written, in file order.
    pub params: Vec<(String, String)>,
}

/// A `type=listener` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub name: String,
    /// The service the listener feeds.
    pub service: String,
    /// `protocol=`; default `MariaDBClient`.
    pub protocol: String,
    /// `address=`; default `::` (all interfaces), as in MaxScale.
    pub address: String,
    /// `port=`, if the listener listens on TCP.
    pub port: Option<u16>,
    /// `socket=`, if the listener listens on a Unix socket.
    pub socket: Option<String>,
    /// Every key=value of the section as written, in file order.
    pub params: Vec<(String, String)>,
}

/// A `type=filter` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    /// Filter module, e.g. `qlafilter`.
    pub module: String,
    /// Every key=value of the section as written, in file order.
    pub params: Vec<(String, String)>,
}

/// A `type=monitor` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitor {
    pub name: String,
    /// Monitor module, e.g. `mariadbmon`.
    pub module: String,
    /// `servers=`, comma-separated.
    pub servers: Vec<String>,
    /// Every key=value of the section as written, in file order.
    pub params: Vec<(String, String)>,
}

/// The simulator's own section `[simulation]` (not a MaxScale section; it has no `type=`).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationSettings {
    /// `reverse_dns=127.0.0.1=localhost,192.0.2.10=app-1.example`: what an `rdns` lookup of a
    /// client address finds (spec §11); default `127.0.0.1=localhost`.
    pub reverse_dns: Vec<(String, String)>,
    /// `users=name:password,name`: the accounts clients log in with, synthetic ones by name and
    /// real MariaDB clients on the listeners by name and password; a bare `name` has the password
    /// [`DEFAULT_PASSWORD`]. Default `maxuser:maxpwd`, the captures' account.
    pub users: Vec<User>,
    /// `client_hosts=`: IP addresses synthetic clients connect from; default `127.0.0.1`.
    pub client_hosts: Vec<String>,
}

/// One account of `[simulation] users=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub password: String,
}

/// The password of a `users=` entry written without one: the captures' `maxpwd`.
pub const DEFAULT_PASSWORD: &str = "maxpwd";

/// The user of the default `users=`: the captures' `maxuser`.
pub const DEFAULT_USER: &str = "maxuser";

impl User {
    fn new(name: &str, password: &str) -> User {
        User {
            name: name.to_owned(),
            password: password.to_owned(),
        }
    }
}

/// Why a configuration text was rejected; every variant names a 1-based line.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TopologyError {
    /// A line that is neither blank, a comment, a `[section]` header nor `key=value`.
    #[error("line {line}: expected '[section]' or 'key=value', found '{text}'")]
    Syntax {
        /// The line, counted from 1.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// A `key=value` line before the first section header.
    #[error("line {line}: key '{key}' appears before any [section]")]
    KeyOutsideSection {
        /// The line of the key.
        line: usize,
        /// The key, as written.
        key: String,
    },
    /// A section name used a second time.
    #[error("line {line}: duplicate section [{section}], first defined on line {first_line}")]
    DuplicateSection {
        /// The line of the second header.
        line: usize,
        /// The section's name.
        section: String,
        /// The line of the first header.
        first_line: usize,
    },
    /// A key given twice in one section.
    #[error("line {line}: duplicate key '{key}' in section [{section}]")]
    DuplicateKey {
        /// The line of the second occurrence.
        line: usize,
        /// The section the key is in.
        section: String,
        /// The repeated key.
        key: String,
    },
    /// An object section without `type=` (the line is the section header's).
    #[error("line {line}: section [{section}] has no 'type'")]
    MissingType {
        /// The line of the section header.
        line: usize,
        /// The section's name.
        section: String,
    },
    /// A `type=` that is not server, service, listener, filter or monitor.
    #[error("line {line}: unknown type '{value}' in section [{section}]")]
    UnknownType {
        /// The line of the `type=`.
        line: usize,
        /// The section's name.
        section: String,
        /// The type as written.
        value: String,
    },
    /// A required key is absent (the line is the section header's).
    #[error("line {line}: section [{section}] is missing '{key}'")]
    MissingKey {
        /// The line of the section header.
        line: usize,
        /// The section's name.
        section: String,
        /// The absent key.
        key: &'static str,
    },
    /// Two keys that exclude each other are both set.
    #[error("line {line}: '{key}' cannot be used together with '{other}' in section [{section}]")]
    ConflictingKeys {
        /// The line of the later of the two keys.
        line: usize,
        /// The section's name.
        section: String,
        /// The later of the two keys.
        key: String,
        /// The earlier one.
        other: String,
    },
    /// A value that does not parse as what its key needs.
    #[error("line {line}: invalid value '{value}' for '{key}': expected {expected}")]
    InvalidValue {
        /// The line of the key.
        line: usize,
        /// The key whose value it is.
        key: String,
        /// The value as written.
        value: String,
        /// What the key needs, such as `a non-negative integer`.
        expected: &'static str,
    },
    /// A key the simulator's own section does not know.
    #[error("line {line}: unknown key '{key}' in section [{section}]")]
    UnknownKey {
        /// The line of the key.
        line: usize,
        /// The section's name.
        section: String,
        /// The key the section does not know.
        key: String,
    },
    /// A reference to an object that is not defined (the line is the referring key's).
    #[error("line {line}: section [{section}] refers to unknown {kind} '{name}'")]
    UnknownReference {
        /// The line of the referring key.
        line: usize,
        /// The section that refers.
        section: String,
        /// What kind of object: `server`, `service` or `filter`.
        kind: &'static str,
        /// The name no section defines.
        name: String,
    },
    /// No `type=service` section at all (the line is the last line of the text).
    #[error("line {line}: no service defined; at least one section needs 'type=service'")]
    NoService {
        /// The last line of the text.
        line: usize,
    },
}

impl Default for Global {
    fn default() -> Self {
        Global {
            threads: 2,
            retain_last_statements: 0,
            session_trace: 0,
            skip_name_resolve: false,
            admin_host: "127.0.0.1".to_owned(),
            admin_port: 8989,
            params: Vec::new(),
        }
    }
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings {
            reverse_dns: vec![("127.0.0.1".to_owned(), "localhost".to_owned())],
            users: vec![User::new(DEFAULT_USER, DEFAULT_PASSWORD)],
            client_hosts: vec!["127.0.0.1".to_owned()],
        }
    }
}

impl Service {
    /// Whether the router keeps a session command history, which adds the `sescmd_history_*`
    /// members to a session's `client` object (spec §5.5).
    pub fn has_session_command_history(&self) -> bool {
        ["readwritesplit", "schemarouter", "xrouter"]
            .iter()
            .any(|router| self.router.eq_ignore_ascii_case(router))
    }
}

impl Topology {
    /// Parses a maxscale.cnf-style text with an optional `[simulation]` section.
    pub fn parse(text: &str) -> Result<Topology, TopologyError> {
        // Like inih, which MaxScale uses, skip a UTF-8 byte order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut builder = Builder::new();
        for section in read_sections(text)? {
            builder.add(&section)?;
        }
        builder.finish(text.lines().count().max(1))
    }

    /// The setup of the captures (their maxscale.cnf) with the default `[simulation]` settings.
    pub fn default_captures() -> Topology {
        Topology::parse(CAPTURES_CNF).expect("the embedded captures configuration is valid")
    }

    /// The service called `name`.
    pub(crate) fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The filter called `name`.
    pub(crate) fn filter(&self, name: &str) -> Option<&Filter> {
        self.filters.iter().find(|f| f.name == name)
    }

    /// The server called `name`.
    pub(crate) fn server(&self, name: &str) -> Option<&Server> {
        self.servers.iter().find(|s| s.name == name)
    }

    /// The host name a reverse lookup of `ip` finds, if any; `None` for text that is not an IP
    /// address such as `localhost` (spec §11).
    pub(crate) fn reverse_dns(&self, ip: &str) -> Option<&str> {
        let ip: IpAddr = ip.parse().ok()?;
        self.simulation
            .reverse_dns
            .iter()
            .find(|(known, _)| known.parse() == Ok(ip))
            .map(|(_, name)| name.as_str())
    }
}

/// One `key=value` line.
struct Entry<'a> {
    key: &'a str,
    value: &'a str,
    line: usize,
}

/// One `[name]` section with its entries in file order.
struct RawSection<'a> {
    name: &'a str,
    line: usize,
    entries: Vec<Entry<'a>>,
}

impl<'a> RawSection<'a> {
    /// The entry for `key`, if present.
    fn entry(&self, key: &str) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The entry for `key`, or an error naming the section header; its value must not be empty.
    fn required(&self, key: &'static str) -> Result<&Entry<'a>, TopologyError> {
        let entry = self.entry(key).ok_or_else(|| self.missing(key))?;
        if entry.value.is_empty() {
            return Err(invalid(entry, "a non-empty value"));
        }
        Ok(entry)
    }

    /// The error for a missing required key.
    fn missing(&self, key: &'static str) -> TopologyError {
        TopologyError::MissingKey {
            line: self.line,
            section: self.name.to_owned(),
            key,
        }
    }

    /// Fails when both `first` and `second` are set, naming the later line.
    fn exclusive(&self, first: &str, second: &str) -> Result<(), TopologyError> {
        match (self.entry(first), self.entry(second)) {
            (Some(a), Some(b)) => {
                let (earlier, later) = if a.line < b.line { (a, b) } else { (b, a) };
                Err(TopologyError::ConflictingKeys {
                    line: later.line,
                    section: self.name.to_owned(),
                    key: later.key.to_owned(),
                    other: earlier.key.to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Every key=value as written, in file order.
    fn params(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|e| (e.key.to_owned(), e.value.to_owned()))
            .collect()
    }
}

/// Splits `text` into sections, rejecting malformed lines and duplicates.
fn read_sections(text: &str) -> Result<Vec<RawSection<'_>>, TopologyError> {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut first_lines: HashMap<&str, usize> = HashMap::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw_line.trim();
        // Only whole-line comments are comments: MaxScale keeps a trailing ` # x` in the value.
        if content.is_empty() || content.starts_with(['#', ';']) {
            continue;
        }
        if content.starts_with('[') {
            let name = section_name(content).ok_or_else(|| syntax(line, content))?;
            if let Some(&first_line) = first_lines.get(name) {
                return Err(TopologyError::DuplicateSection {
                    line,
                    section: name.to_owned(),
                    first_line,
                });
            }
            first_lines.insert(name, line);
            sections.push(RawSection {
                name,
                line,
                entries: Vec::new(),
            });
        } else if let Some((key, value)) = content.split_once('=') {
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() {
                return Err(syntax(line, content));
            }
            let section = sections
                .last_mut()
                .ok_or_else(|| TopologyError::KeyOutsideSection {
                    line,
                    key: key.to_owned(),
                })?;
            if section.entry(key).is_some() {
                return Err(TopologyError::DuplicateKey {
                    line,
                    section: section.name.to_owned(),
                    key: key.to_owned(),
                });
            }
            section.entries.push(Entry { key, value, line });
        } else {
            return Err(syntax(line, content));
        }
    }
    Ok(sections)
}

/// The name inside `[name]`, if the header is well formed and the name not empty.
fn section_name(header: &str) -> Option<&str> {
    let name = header.strip_prefix('[')?.strip_suffix(']')?.trim();
    (!name.is_empty()).then_some(name)
}

/// The error for a line that cannot be understood.
fn syntax(line: usize, content: &str) -> TopologyError {
    TopologyError::Syntax {
        line,
        text: content.to_owned(),
    }
}

/// The kind of object a `type=` names.
#[derive(Debug, Clone, Copy)]
enum ObjectType {
    Server,
    Service,
    Listener,
    Filter,
    Monitor,
}

/// The object types one section can refer to.
#[derive(Debug, Clone, Copy)]
enum Target {
    Server,
    Service,
    Filter,
}

impl Target {
    /// The word used in error messages.
    fn word(self) -> &'static str {
        match self {
            Target::Server => "server",
            Target::Service => "service",
            Target::Filter => "filter",
        }
    }
}

/// A name one section uses for another object, checked once all sections are known.
struct Reference {
    line: usize,
    section: String,
    target: Target,
    name: String,
}

/// Records that the entry at `entry` of `section` names each of `names` as a `target`.
fn refer(
    refs: &mut Vec<Reference>,
    section: &RawSection,
    entry: &Entry,
    target: Target,
    names: &[String],
) {
    refs.extend(names.iter().map(|name| Reference {
        line: entry.line,
        section: section.name.to_owned(),
        target,
        name: name.clone(),
    }));
}

/// The topology under construction, and the references still to be checked.
struct Builder {
    topology: Topology,
    references: Vec<Reference>,
}

impl Builder {
    /// An empty topology with default global and simulation settings.
    fn new() -> Self {
        Builder {
            topology: Topology {
                maxscale: Global::default(),
                servers: Vec::new(),
                services: Vec::new(),
                listeners: Vec::new(),
                filters: Vec::new(),
                monitors: Vec::new(),
                simulation: SimulationSettings::default(),
            },
            references: Vec::new(),
        }
    }

    /// Adds one section as the typed object it describes.
    fn add(&mut self, section: &RawSection) -> Result<(), TopologyError> {
        let t = &mut self.topology;
        let refs = &mut self.references;
        match section.name {
            GLOBAL_SECTION => t.maxscale = parse_global(section)?,
            SIMULATION_SECTION => t.simulation = parse_simulation(section)?,
            _ => match object_type(section)? {
                ObjectType::Server => t.servers.push(parse_server(section)?),
                ObjectType::Service => t.services.push(parse_service(section, refs)?),
                ObjectType::Listener => t.listeners.push(parse_listener(section, refs)?),
                ObjectType::Filter => t.filters.push(parse_filter(section)?),
                ObjectType::Monitor => t.monitors.push(parse_monitor(section, refs)?),
            },
        }
        Ok(())
    }

    /// Checks the references and the presence of a service; `last_line` is the text's last line.
    fn finish(self, last_line: usize) -> Result<Topology, TopologyError> {
        let t = &self.topology;
        for r in &self.references {
            let known = match r.target {
                Target::Server => t.server(&r.name).is_some(),
                Target::Service => t.service(&r.name).is_some(),
                Target::Filter => t.filter(&r.name).is_some(),
            };
            if !known {
                return Err(TopologyError::UnknownReference {
                    line: r.line,
                    section: r.section.clone(),
                    kind: r.target.word(),
                    name: r.name.clone(),
                });
            }
        }
        if t.services.is_empty() {
            return Err(TopologyError::NoService { line: last_line });
        }
        Ok(self.topology)
    }
}

/// The `type=` of an object section.
fn object_type(section: &RawSection) -> Result<ObjectType, TopologyError> {
    let entry = section
        .entry("type")
        .ok_or_else(|| TopologyError::MissingType {
            line: section.line,
            section: section.name.to_owned(),
        })?;
    match entry.value {
        "server" => Ok(ObjectType::Server),
        "service" => Ok(ObjectType::Service),
        "listener" => Ok(ObjectType::Listener),
        "filter" => Ok(ObjectType::Filter),
        "monitor" => Ok(ObjectType::Monitor),
        other => Err(TopologyError::UnknownType {
            line: entry.line,
            section: section.name.to_owned(),
            value: other.to_owned(),
        }),
    }
}

/// Reads `[maxscale]` (spec §12).
fn parse_global(section: &RawSection) -> Result<Global, TopologyError> {
    let mut global = Global {
        params: section.params(),
        ..Global::default()
    };
    for entry in &section.entries {
        match entry.key {
            "threads" => global.threads = parse_threads(entry)?,
            "retain_last_statements" => {
                global.retain_last_statements = parse_at_least(entry, 0, "a non-negative integer")?;
            }
            "session_trace" => {
                global.session_trace = parse_number(entry, "a non-negative integer")?;
            }
            "skip_name_resolve" => global.skip_name_resolve = parse_bool(entry)?,
            "admin_host" => global.admin_host = entry.value.to_owned(),
            "admin_port" => global.admin_port = parse_number(entry, PORT)?,
            _ => {}
        }
    }
    Ok(global)
}

/// Reads a `type=server` section; it needs `address` or `socket`, as in MaxScale.
fn parse_server(section: &RawSection) -> Result<Server, TopologyError> {
    if section.entry("address").is_none() && section.entry("socket").is_none() {
        return Err(section.missing("address' or 'socket"));
    }
    let mut server = Server {
        name: section.name.to_owned(),
        address: String::new(),
        port: 3306,
        params: section.params(),
    };
    for entry in &section.entries {
        match entry.key {
            "address" => server.address = entry.value.to_owned(),
            "port" => server.port = parse_number(entry, PORT)?,
            _ => {}
        }
    }
    Ok(server)
}

/// Reads a `type=service` section; it needs `router`.
fn parse_service(
    section: &RawSection,
    refs: &mut Vec<Reference>,
) -> Result<Service, TopologyError> {
    let router = section.required("router")?;
    section.exclusive("servers", "targets")?;
    let mut service = Service {
        name: section.name.to_owned(),
        router: router.value.to_owned(),
        servers: Vec::new(),
        filters: Vec::new(),
        retain_last_statements: -1,
        log_debug: false,
        log_info: false,
        log_notice: false,
        log_warning: false,
        idle_session_pool_time_ms: -1,
        params: section.params(),
    };
    for entry in &section.entries {
        match entry.key {
            "servers" | "targets" => {
                service.servers = split_list(entry.value, ',');
                refer(refs, section, entry, Target::Server, &service.servers);
            }
            "filters" => {
                // MaxScale separates the filters of a service with `|`.
                service.filters = split_list(entry.value, '|');
                refer(refs, section, entry, Target::Filter, &service.filters);
            }
            "retain_last_statements" => {
                // spec §5.6: -1 means "use the [maxscale] value".
                service.retain_last_statements =
                    parse_at_least(entry, -1, "an integer of at least -1")?;
            }
            "log_debug" => service.log_debug = parse_bool(entry)?,
            "log_info" => service.log_info = parse_bool(entry)?,
            "log_notice" => service.log_notice = parse_bool(entry)?,
            "log_warning" => service.log_warning = parse_bool(entry)?,
            "idle_session_pool_time" => {
                service.idle_session_pool_time_ms = parse_duration_ms(entry)?;
            }
            _ => {}
        }
    }
    Ok(service)
}

/// Reads a `type=listener` section; it needs `service` and `port` or `socket`.
fn parse_listener(
    section: &RawSection,
    refs: &mut Vec<Reference>,
) -> Result<Listener, TopologyError> {
    let service = section.required("service")?;
    if section.entry("port").is_none() && section.entry("socket").is_none() {
        return Err(section.missing("port' or 'socket"));
    }
    let mut listener = Listener {
        name: section.name.to_owned(),
        service: service.value.to_owned(),
        protocol: "MariaDBClient".to_owned(),
        address: "::".to_owned(),
        port: None,
        socket: None,
        params: section.params(),
    };
    for entry in &section.entries {
        match entry.key {
            "protocol" => listener.protocol = entry.value.to_owned(),
            "address" => listener.address = entry.value.to_owned(),
            "port" => listener.port = Some(parse_number(entry, PORT)?),
            "socket" => listener.socket = Some(entry.value.to_owned()),
            _ => {}
        }
    }
    let service_name = std::slice::from_ref(&listener.service);
    refer(refs, section, service, Target::Service, service_name);
    Ok(listener)
}

/// Reads a `type=filter` section; it needs `module`.
fn parse_filter(section: &RawSection) -> Result<Filter, TopologyError> {
    Ok(Filter {
        name: section.name.to_owned(),
        module: section.required("module")?.value.to_owned(),
        params: section.params(),
    })
}

/// Reads a `type=monitor` section; it needs `module`.
fn parse_monitor(
    section: &RawSection,
    refs: &mut Vec<Reference>,
) -> Result<Monitor, TopologyError> {
    let module = section.required("module")?;
    let mut monitor = Monitor {
        name: section.name.to_owned(),
        module: module.value.to_owned(),
        servers: Vec::new(),
        params: section.params(),
    };
    if let Some(entry) = section.entry("servers") {
        monitor.servers = split_list(entry.value, ',');
        refer(refs, section, entry, Target::Server, &monitor.servers);
    }
    Ok(monitor)
}

/// Reads `[simulation]`; unlike MaxScale's sections it rejects keys it does not know, since
/// nothing would ever read them.
fn parse_simulation(section: &RawSection) -> Result<SimulationSettings, TopologyError> {
    let mut settings = SimulationSettings::default();
    for entry in &section.entries {
        match entry.key {
            "reverse_dns" => settings.reverse_dns = parse_reverse_dns(entry)?,
            "users" => settings.users = parse_users(entry)?,
            "client_hosts" => settings.client_hosts = parse_ip_list(entry)?,
            _ => {
                return Err(TopologyError::UnknownKey {
                    line: entry.line,
                    section: section.name.to_owned(),
                    key: entry.key.to_owned(),
                })
            }
        }
    }
    Ok(settings)
}

/// Parses `name:password,name` (a bare name has [`DEFAULT_PASSWORD`]); at least one user, no
/// empty name. The password is everything after the first `:`, so it may itself hold colons.
fn parse_users(entry: &Entry) -> Result<Vec<User>, TopologyError> {
    const EXPECTED: &str = "a non-empty comma-separated list of 'name' or 'name:password'";
    let users: Vec<User> = split_list(entry.value, ',')
        .iter()
        .map(|item| match item.split_once(':') {
            Some((name, password)) => User::new(name.trim(), password),
            None => User::new(item, DEFAULT_PASSWORD),
        })
        .collect();
    if users.is_empty() || users.iter().any(|u| u.name.is_empty()) {
        return Err(invalid(entry, EXPECTED));
    }
    Ok(users)
}

/// Parses `ip=name,ip=name` (possibly empty: no address resolves).
fn parse_reverse_dns(entry: &Entry) -> Result<Vec<(String, String)>, TopologyError> {
    const EXPECTED: &str = "a comma-separated list of ip=name pairs";
    split_list(entry.value, ',')
        .iter()
        .map(|pair| {
            let (ip, name) = pair
                .split_once('=')
                .ok_or_else(|| invalid(entry, EXPECTED))?;
            let (ip, name) = (ip.trim(), name.trim());
            if ip.parse::<IpAddr>().is_err() || name.is_empty() {
                return Err(invalid(entry, EXPECTED));
            }
            Ok((ip.to_owned(), name.to_owned()))
        })
        .collect()
}

/// Parses a non-empty comma-separated list of IP addresses.
fn parse_ip_list(entry: &Entry) -> Result<Vec<String>, TopologyError> {
    let hosts = split_list(entry.value, ',');
    if hosts.is_empty() || hosts.iter().any(|h| h.parse::<IpAddr>().is_err()) {
        return Err(invalid(
            entry,
            "a non-empty comma-separated list of IP addresses",
        ));
    }
    Ok(hosts)
}

/// Splits `value` at `separator`, trimming the items and dropping empty ones.
fn split_list(value: &str, separator: char) -> Vec<String> {
    value
        .split(separator)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The error for a value that does not parse.
fn invalid(entry: &Entry, expected: &'static str) -> TopologyError {
    TopologyError::InvalidValue {
        line: entry.line,
        key: entry.key.to_owned(),
        value: entry.value.to_owned(),
        expected,
    }
}

/// Parses a number of type `T`.
fn parse_number<T: FromStr>(entry: &Entry, expected: &'static str) -> Result<T, TopologyError> {
    entry.value.parse().map_err(|_| invalid(entry, expected))
}

/// Parses an integer not below `minimum`.
fn parse_at_least(
    entry: &Entry,
    minimum: i64,
    expected: &'static str,
) -> Result<i64, TopologyError> {
    let value: i64 = parse_number(entry, expected)?;
    if value < minimum {
        return Err(invalid(entry, expected));
    }
    Ok(value)
}

/// Parses `threads`: 1 to 256 (`auto` is not supported: the simulation must be deterministic).
fn parse_threads(entry: &Entry) -> Result<usize, TopologyError> {
    const EXPECTED: &str = "an integer from 1 to 256";
    let threads: usize = parse_number(entry, EXPECTED)?;
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(invalid(entry, EXPECTED));
    }
    Ok(threads)
}

/// Parses MaxScale's booleans, case-insensitively.
fn parse_bool(entry: &Entry) -> Result<bool, TopologyError> {
    match entry.value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(invalid(entry, "true, false, yes, no, on, off, 1 or 0")),
    }
}

/// Parses a duration (`10s`, `500ms`, `2m`, `1h`; a bare number is seconds) into milliseconds.
/// Any negative duration means "disabled" and becomes -1.
fn parse_duration_ms(entry: &Entry) -> Result<i64, TopologyError> {
    const EXPECTED: &str = "a duration such as 10s, 500ms, 2m or 1h";
    let text = entry.value.to_ascii_lowercase();
    let (number, unit_ms) = [("ms", 1), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        .iter()
        .find_map(|&(suffix, ms)| text.strip_suffix(suffix).map(|n| (n, ms)))
        .unwrap_or((text.as_str(), 1_000));
    let amount: i64 = number.parse().map_err(|_| invalid(entry, EXPECTED))?;
    let ms = amount
        .checked_mul(unit_ms)
        .ok_or_else(|| invalid(entry, EXPECTED))?;
    Ok(ms.max(-1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// A valid text with `extra` appended, for error cases that need a working base.
    fn with_base(extra: &str) -> String {
        format!("[svc]\ntype=service\nrouter=readwritesplit\n{extra}")
    }

    fn error(text: &str) -> TopologyError {
        Topology::parse(text).expect_err("the text should be rejected")
    }

    #[test]
    fn default_captures_is_the_capture_setup() {
        let t = Topology::default_captures();
        assert_eq!(t.maxscale.threads, 2);
        assert_eq!(t.maxscale.retain_last_statements, 0);
        assert_eq!(t.maxscale.session_trace, 0);
        assert!(!t.maxscale.skip_name_resolve);
        assert_eq!(t.maxscale.admin_host, "127.0.0.1");
        assert_eq!(t.maxscale.admin_port, 8989);
        assert_eq!(
            t.maxscale.params,
            pairs(&[
                ("threads", "2"),
                ("admin_host", "127.0.0.1"),
                ("admin_port", "8989"),
                ("admin_secure_gui", "false"),
                ("admin_gui", "false"),
                ("log_info", "false"),
            ])
        );
        assert_eq!(
            t.servers,
            vec![Server {
                name: "server1".into(),
                address: "127.0.0.1".into(),
                port: 3306,
                params: pairs(&[
                    ("type", "server"),
                    ("address", "127.0.0.1"),
                    ("port", "3306")
                ]),
            }]
        );
        assert_eq!(t.monitors.len(), 1);
        assert_eq!(t.monitors[0].name, "MariaDB-Monitor");
        assert_eq!(t.monitors[0].module, "mariadbmon");
        assert_eq!(t.monitors[0].servers, strings(&["server1"]));

        let service = t.service("RW-Split-Router").unwrap();
        assert_eq!(service.router, "readwritesplit");
        assert_eq!(service.servers, strings(&["server1"]));
        assert!(service.filters.is_empty());
        assert_eq!(service.retain_last_statements, -1);
        assert_eq!(service.idle_session_pool_time_ms, -1);
        assert!(
            !service.log_info && !service.log_debug && !service.log_notice && !service.log_warning
        );
        assert!(service.has_session_command_history());
        assert_eq!(t.services.len(), 1);

        assert_eq!(
            t.listeners,
            vec![Listener {
                name: "RW-Split-Listener".into(),
                service: "RW-Split-Router".into(),
                protocol: "MariaDBClient".into(),
                address: "127.0.0.1".into(),
                port: Some(4006),
                socket: None,
                params: pairs(&[
                    ("type", "listener"),
                    ("service", "RW-Split-Router"),
                    ("protocol", "MariaDBClient"),
                    ("address", "127.0.0.1"),
                    ("port", "4006"),
                ]),
            }]
        );
        let names: Vec<_> = t
            .filters
            .iter()
            .map(|f| (f.name.as_str(), f.module.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("my-log-filter", "qlafilter"),
                ("my-regex-filter", "regexfilter")
            ]
        );
        assert_eq!(
            t.filter("my-regex-filter").unwrap().params,
            pairs(&[
                ("type", "filter"),
                ("module", "regexfilter"),
                ("match", "/fetch/"),
                ("replace", "select")
            ])
        );
        assert_eq!(t.simulation, SimulationSettings::default());
        assert_eq!(t.reverse_dns("127.0.0.1"), Some("localhost"));
    }

    const RICH: &str = "\
; a richer setup
[maxscale]
threads = 4
retain_last_statements=5
session_trace=10
skip_name_resolve=YES
admin_port=9999
admin_host=0.0.0.0

[db-a]
type=server
address=192.0.2.1

[db-b]
type=server
address=192.0.2.2
port=3307

[db-c]
type=server
socket=/run/mysqld/mysqld.sock

[Splitter]
type=service
router=readwritesplit
servers=db-a, db-b ,db-c
filters=log | regex
retain_last_statements=2
log_info=on
log_warning=1
idle_session_pool_time=10s
user=maxscale

[Reader]
type=service
router=readconnroute
targets=db-b
log_notice=true
idle_session_pool_time=500ms

[Sock-Listener]
type=listener
service=Reader
socket=/tmp/maxscale.sock

[TCP-Listener]
type=listener
service=Splitter
port=4006

[log]
type=filter
module=qlafilter

[regex]
type=filter
module=regexfilter
match=/a/ # not a comment

[Mon]
type=monitor
module=mariadbmon
servers=db-a,db-b

[simulation]
reverse_dns=127.0.0.1=localhost, 192.0.2.10=app-1.example,2001:db8::1=v6.example
users=alice,bob:s3cret:x
client_hosts=192.0.2.10,192.0.2.11
";

    #[test]
    fn rich_topology_parses() {
        let t = Topology::parse(RICH).unwrap();
        assert_eq!(t.maxscale.threads, 4);
        assert_eq!(t.maxscale.retain_last_statements, 5);
        assert_eq!(t.maxscale.session_trace, 10);
        assert!(t.maxscale.skip_name_resolve);
        assert_eq!(t.maxscale.admin_port, 9999);
        assert_eq!(t.maxscale.admin_host, "0.0.0.0");

        let servers: Vec<_> = t
            .servers
            .iter()
            .map(|s| (s.name.as_str(), s.address.as_str(), s.port))
            .collect();
        assert_eq!(
            servers,
            [
                ("db-a", "192.0.2.1", 3306),
                ("db-b", "192.0.2.2", 3307),
                ("db-c", "", 3306)
            ]
        );

        let splitter = t.service("Splitter").unwrap();
        assert_eq!(splitter.servers, strings(&["db-a", "db-b", "db-c"]));
        assert_eq!(splitter.filters, strings(&["log", "regex"]));
        assert_eq!(splitter.retain_last_statements, 2);
        assert!(splitter.log_info && splitter.log_warning);
        assert!(!splitter.log_notice && !splitter.log_debug);
        assert_eq!(splitter.idle_session_pool_time_ms, 10_000);
        assert!(splitter
            .params
            .contains(&("user".to_string(), "maxscale".to_string())));

        let reader = t.service("Reader").unwrap();
        assert_eq!(reader.servers, strings(&["db-b"]));
        assert!(reader.filters.is_empty());
        assert_eq!(reader.retain_last_statements, -1);
        assert!(reader.log_notice);
        assert_eq!(reader.idle_session_pool_time_ms, 500);
        assert!(!reader.has_session_command_history());

        let sock = &t.listeners[0];
        assert_eq!(sock.name, "Sock-Listener");
        assert_eq!(sock.service, "Reader");
        assert_eq!(sock.port, None);
        assert_eq!(sock.socket.as_deref(), Some("/tmp/maxscale.sock"));
        assert_eq!(sock.address, "::");
        assert_eq!(sock.protocol, "MariaDBClient");
        assert_eq!(t.listeners[1].port, Some(4006));

        assert_eq!(
            t.filter("regex").unwrap().params.last(),
            Some(&("match".to_string(), "/a/ # not a comment".to_string()))
        );
        assert_eq!(t.monitors[0].servers, strings(&["db-a", "db-b"]));

        assert_eq!(
            t.simulation,
            SimulationSettings {
                reverse_dns: pairs(&[
                    ("127.0.0.1", "localhost"),
                    ("192.0.2.10", "app-1.example"),
                    ("2001:db8::1", "v6.example"),
                ]),
                users: vec![
                    User::new("alice", DEFAULT_PASSWORD),
                    User::new("bob", "s3cret:x"),
                ],
                client_hosts: strings(&["192.0.2.10", "192.0.2.11"]),
            }
        );
        assert_eq!(t.reverse_dns("192.0.2.10"), Some("app-1.example"));
        assert_eq!(t.reverse_dns("2001:0db8:0::1"), Some("v6.example"));
        assert_eq!(t.reverse_dns("192.0.2.11"), None);
        assert_eq!(t.reverse_dns("localhost"), None);
        assert!(t.server("db-c").is_some() && t.server("nope").is_none());
    }

    #[test]
    fn empty_reverse_dns_resolves_nothing() {
        let t = Topology::parse(&with_base("[simulation]\nreverse_dns=\n")).unwrap();
        assert!(t.simulation.reverse_dns.is_empty());
        assert_eq!(t.reverse_dns("127.0.0.1"), None);
    }

    #[test]
    fn bom_crlf_blank_lines_and_comments_are_accepted() {
        let text = "\u{feff}# c\r\n\r\n[svc]\r\n  ; indented comment\r\n type = service \r\nrouter=schemarouter\r\n";
        let t = Topology::parse(text).unwrap();
        assert_eq!(t.services[0].router, "schemarouter");
        assert!(t.services[0].has_session_command_history());
        assert_eq!(t.maxscale, Global::default());
    }

    #[test]
    fn session_command_history_routers() {
        let mut service = Topology::default_captures().services[0].clone();
        for (router, expected) in [
            ("readwritesplit", true),
            ("schemarouter", true),
            ("xrouter", true),
            ("XRouter", true),
            ("readconnroute", false),
            ("smartrouter", false),
        ] {
            service.router = router.to_string();
            assert_eq!(service.has_session_command_history(), expected, "{router}");
        }
    }

    #[test]
    fn booleans_and_durations() {
        for (text, expected) in [
            ("true", true),
            ("Yes", true),
            ("ON", true),
            ("1", true),
            ("false", false),
            ("no", false),
            ("Off", false),
            ("0", false),
        ] {
            let t = Topology::parse(&with_base(&format!("log_debug={text}\n"))).unwrap();
            assert_eq!(t.services[0].log_debug, expected, "{text}");
        }
        for (text, expected) in [
            ("10s", 10_000),
            ("500ms", 500),
            ("2m", 120_000),
            ("1h", 3_600_000),
            ("7", 7_000),
            ("0ms", 0),
            ("-1ms", -1),
            ("-1", -1),
            ("-5s", -1),
            ("3MS", 3),
        ] {
            let t =
                Topology::parse(&with_base(&format!("idle_session_pool_time={text}\n"))).unwrap();
            assert_eq!(t.services[0].idle_session_pool_time_ms, expected, "{text}");
        }
    }

    #[test]
    fn syntax_errors_name_their_line() {
        assert_eq!(
            error("[svc]\ntype=service\nrouter=x\njust words\n"),
            TopologyError::Syntax {
                line: 4,
                text: "just words".into()
            }
        );
        assert_eq!(
            error("[svc\n"),
            TopologyError::Syntax {
                line: 1,
                text: "[svc".into()
            }
        );
        assert_eq!(
            error("\n[ ]\n"),
            TopologyError::Syntax {
                line: 2,
                text: "[ ]".into()
            }
        );
        assert_eq!(
            error("[svc]\n=value\n"),
            TopologyError::Syntax {
                line: 2,
                text: "=value".into()
            }
        );
        assert_eq!(
            error("# header\nthreads=2\n[maxscale]\n"),
            TopologyError::KeyOutsideSection {
                line: 2,
                key: "threads".into()
            }
        );
    }

    #[test]
    fn duplicates_are_rejected() {
        assert_eq!(
            error(&with_base("\n[svc]\ntype=service\n")),
            TopologyError::DuplicateSection {
                line: 5,
                section: "svc".into(),
                first_line: 1
            }
        );
        assert_eq!(
            error(&with_base("router=again\n")),
            TopologyError::DuplicateKey {
                line: 4,
                section: "svc".into(),
                key: "router".into()
            }
        );
    }

    #[test]
    fn types_are_checked() {
        assert_eq!(
            error(&with_base("[x]\naddress=1.2.3.4\n")),
            TopologyError::MissingType {
                line: 4,
                section: "x".into()
            }
        );
        let err = error(&with_base("\n\n\n\n\n\n\n[x]\ntype=sevrice\n"));
        assert_eq!(
            err,
            TopologyError::UnknownType {
                line: 12,
                section: "x".into(),
                value: "sevrice".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "line 12: unknown type 'sevrice' in section [x]"
        );
    }

    #[test]
    fn required_keys_are_checked() {
        let missing = |line, section: &str, key| TopologyError::MissingKey {
            line,
            section: section.into(),
            key,
        };
        assert_eq!(error("[svc]\ntype=service\n"), missing(1, "svc", "router"));
        assert_eq!(
            error(&with_base("[l]\ntype=listener\nport=4006\n")),
            missing(4, "l", "service")
        );
        assert_eq!(
            error(&with_base("[l]\ntype=listener\nservice=svc\n")),
            missing(4, "l", "port' or 'socket")
        );
        assert_eq!(
            error(&with_base("[f]\ntype=filter\n")),
            missing(4, "f", "module")
        );
        assert_eq!(
            error(&with_base("[m]\ntype=monitor\n")),
            missing(4, "m", "module")
        );
        assert_eq!(
            error(&with_base("[s]\ntype=server\nport=3306\n")),
            missing(4, "s", "address' or 'socket")
        );
        assert_eq!(
            error("[svc]\ntype=service\nrouter=\n"),
            TopologyError::InvalidValue {
                line: 3,
                key: "router".into(),
                value: String::new(),
                expected: "a non-empty value",
            }
        );
        assert_eq!(
            missing(4, "l", "port' or 'socket").to_string(),
            "line 4: section [l] is missing 'port' or 'socket'"
        );
    }

    #[test]
    fn servers_and_targets_exclude_each_other() {
        let text =
            "[a]\ntype=server\naddress=x\n[svc]\ntype=service\nrouter=r\ntargets=a\nservers=a\n";
        assert_eq!(
            error(text),
            TopologyError::ConflictingKeys {
                line: 8,
                section: "svc".into(),
                key: "servers".into(),
                other: "targets".into(),
            }
        );
    }

    #[test]
    fn bad_values_name_their_line() {
        let bad = |line, key: &str, value: &str| (line, key.to_string(), value.to_string());
        let cases = [
            ("[maxscale]\nthreads=0\n", bad(2, "threads", "0")),
            ("[maxscale]\nthreads=257\n", bad(2, "threads", "257")),
            ("[maxscale]\nthreads=auto\n", bad(2, "threads", "auto")),
            (
                "[maxscale]\nretain_last_statements=-1\n",
                bad(2, "retain_last_statements", "-1"),
            ),
            (
                "[maxscale]\nsession_trace=many\n",
                bad(2, "session_trace", "many"),
            ),
            (
                "[maxscale]\nskip_name_resolve=maybe\n",
                bad(2, "skip_name_resolve", "maybe"),
            ),
            (
                "[maxscale]\nadmin_port=65536\n",
                bad(2, "admin_port", "65536"),
            ),
            (
                "[s]\ntype=server\naddress=a\nport=-1\n",
                bad(4, "port", "-1"),
            ),
            (
                "[svc]\ntype=service\nrouter=r\nretain_last_statements=-2\n",
                bad(4, "retain_last_statements", "-2"),
            ),
            (
                "[svc]\ntype=service\nrouter=r\nlog_info=2\n",
                bad(4, "log_info", "2"),
            ),
            (
                "[svc]\ntype=service\nrouter=r\nidle_session_pool_time=10 s\n",
                bad(4, "idle_session_pool_time", "10 s"),
            ),
            (
                "[svc]\ntype=service\nrouter=r\nidle_session_pool_time=1.5s\n",
                bad(4, "idle_session_pool_time", "1.5s"),
            ),
            (
                "[svc]\ntype=service\nrouter=r\nidle_session_pool_time=9999999999999999h\n",
                bad(4, "idle_session_pool_time", "9999999999999999h"),
            ),
            (
                "[svc]\ntype=service\nrouter=r\nidle_session_pool_time=s\n",
                bad(4, "idle_session_pool_time", "s"),
            ),
            (
                "[l]\ntype=listener\nservice=svc\nport=http\n",
                bad(4, "port", "http"),
            ),
            (
                "[simulation]\nreverse_dns=localhost=127.0.0.1\n",
                bad(2, "reverse_dns", "localhost=127.0.0.1"),
            ),
            (
                "[simulation]\nreverse_dns=127.0.0.1\n",
                bad(2, "reverse_dns", "127.0.0.1"),
            ),
            (
                "[simulation]\nreverse_dns=127.0.0.1=\n",
                bad(2, "reverse_dns", "127.0.0.1="),
            ),
            ("[simulation]\nusers= , \n", bad(2, "users", ",")),
            ("[simulation]\nusers=a,:pw\n", bad(2, "users", "a,:pw")),
            (
                "[simulation]\nclient_hosts=10.0.0.1,host\n",
                bad(2, "client_hosts", "10.0.0.1,host"),
            ),
            ("[simulation]\nclient_hosts=\n", bad(2, "client_hosts", "")),
        ];
        for (text, (line, key, value)) in cases {
            match error(&format!("{text}{}", "[z]\ntype=service\nrouter=r\n")) {
                TopologyError::InvalidValue {
                    line: l,
                    key: k,
                    value: v,
                    ..
                } => {
                    assert_eq!((l, k, v), (line, key, value), "{text}");
                }
                other => panic!("{text}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn invalid_value_message() {
        assert_eq!(
            error("[maxscale]\nthreads=zero\n").to_string(),
            "line 2: invalid value 'zero' for 'threads': expected an integer from 1 to 256"
        );
    }

    #[test]
    fn simulation_rejects_unknown_keys() {
        assert_eq!(
            error(&with_base("[simulation]\nuser=alice\n")),
            TopologyError::UnknownKey {
                line: 5,
                section: "simulation".into(),
                key: "user".into()
            }
        );
    }

    #[test]
    fn references_are_checked_after_parsing() {
        let reference = |line, section: &str, kind, name: &str| TopologyError::UnknownReference {
            line,
            section: section.into(),
            kind,
            name: name.into(),
        };
        // Forward references are fine.
        let forward = "[svc]\ntype=service\nrouter=r\nservers=a\nfilters=f\n[a]\ntype=server\naddress=x\n[f]\ntype=filter\nmodule=m\n";
        assert!(Topology::parse(forward).is_ok());

        assert_eq!(
            error("[svc]\ntype=service\nrouter=r\nservers=a, b\n[a]\ntype=server\naddress=x\n"),
            reference(4, "svc", "server", "b")
        );
        assert_eq!(
            error("[svc]\ntype=service\nrouter=r\n\nfilters=f1|f2\n[f1]\ntype=filter\nmodule=m\n"),
            reference(5, "svc", "filter", "f2")
        );
        assert_eq!(
            error(&with_base("[l]\ntype=listener\nport=1\nservice=other\n")),
            reference(7, "l", "service", "other")
        );
        assert_eq!(
            error(&with_base(
                "[m]\ntype=monitor\nmodule=mariadbmon\nservers=ghost\n"
            )),
            reference(7, "m", "server", "ghost")
        );
        // A server name that exists as another kind of object is still unknown.
        assert_eq!(
            error("[svc]\ntype=service\nrouter=r\nfilters=svc\n"),
            reference(4, "svc", "filter", "svc")
        );
        assert_eq!(
            reference(4, "svc", "filter", "svc").to_string(),
            "line 4: section [svc] refers to unknown filter 'svc'"
        );
    }

    #[test]
    fn a_service_is_required() {
        assert_eq!(error(""), TopologyError::NoService { line: 1 });
        assert_eq!(
            error("[maxscale]\nthreads=2\n\n[a]\ntype=server\naddress=x\n"),
            TopologyError::NoService { line: 6 }
        );
    }

    #[test]
    fn arbitrary_text_does_not_panic() {
        for text in [
            "\u{0}",
            "[",
            "]",
            "=",
            "[a]\n=",
            "[maxscale]\nthreads=",
            "\u{feff}",
            "[a]]\n",
        ] {
            assert!(Topology::parse(text).is_err(), "{text:?}");
        }
    }
}
