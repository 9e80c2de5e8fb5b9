//! Proof that the suite has teeth: the whole suite runs against the embedded reference server,
//! faithful and then with each deliberate defect ("mutant") in turn. The faithful server must
//! pass and every mutant must be killed by a finding that names the rule it breaks — the rule
//! `harness/mutants.yaml` gives it, written from the spec, not taken from the server — and the
//! table says which finding killed it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use crate::check::Finding;
use crate::embedded::Mutant;
use crate::error::Error;
use crate::outcome::Counts;
use crate::run::{self, Options};
use crate::scenario::ScenarioFile;
use crate::setup::Setup;

/// `harness/mutants.yaml`: each mutant's name and the rule it breaks.
static RULES: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    serde_saphyr::from_str(include_str!("../mutants.yaml")).expect("mutants.yaml is a map")
});

/// The rule a mutant breaks (`spec §8.3`), from `harness/mutants.yaml`; `None` for a mutant
/// the file does not know, which the kill table reports as not killed by its rule.
pub fn expected_rule(mutant: Mutant) -> Option<&'static str> {
    RULES.get(mutant.name()).map(String::as_str)
}

/// Whether a rule text cites a section or one of its subsections: `spec §6.3` is in `spec §6.3,
/// spec §7` and in `spec §6.3.2`, not in `spec §6.31`; `spec §6.3.3` is not in `spec §6.3`.
pub fn cites(rule: &str, section: &str) -> bool {
    rule.match_indices(section)
        .any(|(at, _)| !rule[at + section.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// One row of the kill table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The mutant; `None` is the faithful server.
    pub mutant: Option<Mutant>,
    /// How the suite's scenarios ended against this server.
    pub counts: Counts,
    /// Every finding of the failed scenarios, in run order; the first one is the table's.
    pub findings: Vec<Finding>,
}

impl Row {
    /// Whether the row is as it must be: the faithful server passes, a mutant is killed by a
    /// finding that names its rule.
    pub fn as_required(&self) -> bool {
        match self.mutant {
            None => !self.killed(),
            Some(_) => self.by_rule().is_some(),
        }
    }

    /// Whether a scenario failed.
    pub fn killed(&self) -> bool {
        !self.findings.is_empty()
    }

    /// The first finding that names the mutant's rule.
    pub fn by_rule(&self) -> Option<&Finding> {
        let section = expected_rule(self.mutant?)?;
        let rule = section.trim_start_matches("spec ");
        self.findings.iter().find(|f| cites(&f.rule, rule))
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
) -> Result<Vec<Row>, Error> {
    let schemas = run::schemas(files, options)?;
    let mut rows = Vec::new();
    let servers = std::iter::once(None).chain(Mutant::ALL.iter().copied().map(Some));
    for mutant in servers {
        let setup = Setup {
            target: None,
            mutant,
            ..options.setup.clone()
        };
        let connection = setup.connect().await?;
        let report = run::run_all(files, &schemas, &connection, options, &mut |_| {}).await;
        connection.close().await;
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
        "{:<30} {:<9} the finding that killed it, else the first (place / step / check / rule)\n",
        "mutant", "result"
    )
}

/// One line of the table: `killed` only by a finding that names the mutant's rule; `OFF-RULE`
/// when the findings name other rules only.
pub fn line(row: &Row) -> String {
    let by_rule = row.by_rule();
    let result = match (row.mutant, row.killed(), by_rule.is_some()) {
        (None, false, _) => "passed",
        (None, true, _) => "FAILED",
        (Some(_), true, true) => "killed",
        (Some(_), true, false) => "OFF-RULE",
        (Some(_), false, _) => "SURVIVED",
    };
    let evidence = by_rule.or(row.findings.first()).map_or_else(
        || "-".to_string(),
        |f| format!("{} / step {} / {} / {}", f.place, f.step, f.check, f.rule),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutant_of_the_server_has_a_rule_and_no_other_is_named() {
        for mutant in Mutant::ALL {
            let rule = expected_rule(*mutant)
                .unwrap_or_else(|| panic!("mutants.yaml names no rule for {}", mutant.name()));
            assert!(rule.starts_with("spec §"), "{}: {rule}", mutant.name());
        }
        let known: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        for name in RULES.keys() {
            assert!(
                known.contains(&name.as_str()),
                "mutants.yaml: no mutant {name}"
            );
        }
    }

    #[test]
    fn a_rule_is_cited_with_its_subsections_only() {
        assert!(cites("spec §6.3, spec §7", "§6.3"));
        assert!(cites("spec §6.3.2", "§6.3"));
        assert!(!cites("spec §6.31", "§6.3"));
        assert!(!cites("spec §6.3", "§6.3.3"));
    }
}
