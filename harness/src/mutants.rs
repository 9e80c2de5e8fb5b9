//! Proof that the suite has teeth: the whole suite runs against the embedded reference server,
//! faithful and then with each deliberate defect ("mutant") in turn. The faithful server must
//! pass and every mutant must be killed — fail at least one scenario — and the table says which
//! finding killed it.

use std::fmt::Write as _;

use reference_server::Mutant;

use crate::check::Finding;
use crate::outcome::Counts;
use crate::run::{self, Options, RunError};
use crate::scenario::ScenarioFile;

/// One row of the kill table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The mutant; `None` is the faithful server.
    pub mutant: Option<Mutant>,
    pub counts: Counts,
    /// Every finding of the failed scenarios, in run order; the first one is the table's.
    pub findings: Vec<Finding>,
}

impl Row {
    /// Whether the row is as it must be: the faithful server passes, a mutant is killed.
    pub fn as_required(&self) -> bool {
        self.mutant.is_some() == self.killed()
    }

    /// Whether a scenario failed.
    pub fn killed(&self) -> bool {
        !self.findings.is_empty()
    }

    /// The mutant's name, or `(faithful)`.
    pub fn name(&self) -> &'static str {
        self.mutant.map_or("(faithful)", Mutant::name)
    }
}

/// Runs the suite against the faithful server and every mutant, calling `each` with each row.
pub async fn kill_table(
    files: &[ScenarioFile],
    options: &Options,
    each: &mut dyn FnMut(&Row),
) -> Result<Vec<Row>, RunError> {
    let schemas = run::schemas(files, options)?;
    let mut rows = Vec::new();
    let servers = std::iter::once(None).chain(Mutant::ALL.iter().copied().map(Some));
    for mutant in servers {
        let judged = run::reach(options, mutant).await?;
        let report = run::run_all(files, &schemas, &judged.target, options, &mut |_| {}).await;
        if let Some(embedded) = judged.embedded {
            embedded.stop().await;
        }
        let row = Row {
            mutant,
            counts: report.counts,
            findings: report.failures().cloned().collect(),
        };
        each(&row);
        rows.push(row);
    }
    Ok(rows)
}

/// The column heads of the table.
pub fn heading() -> String {
    format!(
        "{:<30} {:<9} first failing finding (scenario / step / check / rule)\n",
        "mutant", "result"
    )
}

/// One line of the table.
pub fn line(row: &Row) -> String {
    let result = match (row.mutant, row.killed()) {
        (None, false) => "passed",
        (None, true) => "FAILED",
        (Some(_), true) => "killed",
        (Some(_), false) => "SURVIVED",
    };
    let evidence = row.findings.first().map_or_else(
        || "-".to_string(),
        |f| {
            format!(
                "{} / step {} / {} / {}",
                f.scenario, f.step, f.check, f.rule
            )
        },
    );
    format!("{:<30} {result:<9} {evidence}\n", row.name())
}

/// The closing line.
pub fn summary(rows: &[Row]) -> String {
    let mutants: Vec<&Row> = rows.iter().filter(|r| r.mutant.is_some()).collect();
    let killed = mutants.iter().filter(|r| r.as_required()).count();
    let faithful = rows
        .iter()
        .find(|r| r.mutant.is_none())
        .is_some_and(Row::as_required);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{killed} of {} mutants killed; the faithful server {}",
        mutants.len(),
        if faithful { "passes" } else { "FAILS" }
    );
    out
}
