//! The console's summary of a load run: one line per operation (requests, rate, errors,
//! percentiles, statuses), what was checked, the violations with their first examples, the
//! thresholds, and the verdict.

use std::fmt::Write as _;

use super::super::histogram::format_ms;
use super::super::op::Operation;
use super::{LoadReport, OpReport};

/// How many examples the console shows.
const SHOWN_EXAMPLES: usize = 5;

/// The whole summary.
pub fn summary(report: &LoadReport) -> String {
    let mut out = String::new();
    table(report, &mut out);
    let _ = writeln!(out);
    population(report, &mut out);
    checks(report, &mut out);
    violations(report, &mut out);
    thresholds(report, &mut out);
    let failed = report.thresholds.iter().filter(|t| !t.passed).count();
    let broken: u64 = report.violations.values().sum();
    let verdict = if report.passed() { "PASS" } else { "FAIL" };
    let thresholds = match report.thresholds.len() {
        0 => "no thresholds".to_string(),
        n => format!("{failed} of {n} thresholds failed"),
    };
    let _ = writeln!(out, "result: {verdict} ({thresholds}, {broken} violations)");
    out
}

fn table(report: &LoadReport, out: &mut String) {
    let _ = writeln!(
        out,
        "{:<10} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}  statuses",
        "operation", "requests", "rate/s", "errors", "p50", "p90", "p99", "p99.9", "max"
    );
    for op in Operation::ALL {
        if let Some(numbers) = report.operations.get(op.name()) {
            row(op.name(), numbers, out);
        }
    }
    let (requests, failed, latency) = report.totals();
    let mut total = OpReport {
        requests,
        failed,
        latency,
        ..OpReport::default()
    };
    for op in report.operations.values() {
        total.transport_errors += op.transport_errors;
        for (status, n) in &op.statuses {
            *total.statuses.entry(status.clone()).or_default() += n;
        }
    }
    total.summarise(report.elapsed_s);
    row("total", &total, out);
}

fn row(name: &str, op: &OpReport, out: &mut String) {
    let s = &op.summary;
    let mut statuses: Vec<String> = op
        .statuses
        .iter()
        .map(|(status, n)| format!("{status}×{n}"))
        .collect();
    if op.transport_errors > 0 {
        statuses.push(format!("no answer×{}", op.transport_errors));
    }
    let _ = writeln!(
        out,
        "{name:<10} {:>9} {:>9.1} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}  {}",
        op.requests,
        s.rate,
        op.failed,
        format_ms(s.p50_ms),
        format_ms(s.p90_ms),
        format_ms(s.p99_ms),
        format_ms(s.p99_9_ms),
        format_ms(s.max_ms),
        statuses.join(" ")
    );
}

fn population(report: &LoadReport, out: &mut String) {
    let p = &report.population;
    let runs = if report.runs > 1 {
        format!(", {} runs merged", report.runs)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "load: {} for {:.1} s (planned {} s){runs}",
        report.model, report.elapsed_s, report.duration_s
    );
    let source = if p.control {
        "through the session source"
    } else {
        "no session source opens sessions: the ones that existed"
    };
    let _ = writeln!(
        out,
        "population: {} sessions asked, {} existing, {} created ({source})",
        p.requested, p.existing, p.created
    );
    if p.exhausted > 0 {
        let _ = writeln!(
            out,
            "population: {} operations not sent, no live session left to act on",
            p.exhausted
        );
    }
    let c = &report.churn;
    if c.available {
        let _ = writeln!(
            out,
            "churn: {}/s: {} arrived, {} left, {} created to replace killed sessions, {} source errors",
            c.rate, c.arrived, c.left, c.replaced, c.errors
        );
    } else if c.rate > 0.0 {
        let _ = writeln!(
            out,
            "churn: unavailable (no session source of the target opens sessions)"
        );
    }
}

fn checks(report: &LoadReport, out: &mut String) {
    let c = &report.checks;
    let _ = writeln!(
        out,
        "checks: the status of every answer; the schema of every other body ({}) and of {} of {} \
         get-all bodies (1 in {}); killed ids looked for in {} of {} get-all bodies; {} requests \
         on killed sessions (each must be 404)",
        c.bodies_validated,
        c.lists_validated,
        c.lists,
        c.list_sample,
        c.lists_id_checked,
        c.lists,
        c.killed_probes
    );
}

fn violations(report: &LoadReport, out: &mut String) {
    let broken: Vec<String> = report
        .violations
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    if broken.is_empty() {
        let _ = writeln!(out, "violations: none");
        return;
    }
    let _ = writeln!(out, "violations: {}", broken.join(", "));
    for example in report.examples.iter().take(SHOWN_EXAMPLES) {
        for line in example.to_string().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
}

fn thresholds(report: &LoadReport, out: &mut String) {
    if report.thresholds.is_empty() {
        return;
    }
    let _ = writeln!(out, "thresholds:");
    let width = report
        .thresholds
        .iter()
        .map(|t| t.threshold.len())
        .max()
        .unwrap_or(0);
    for t in &report.thresholds {
        let mark = if t.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "  {mark}  {:<width$}  {}", t.threshold, t.actual);
    }
}
