//! `harness report merge`: the JSON reports of runs made at the same time on several machines,
//! added up into one — histograms (whole run and second by second) and counts add, the run
//! lasts as long as the longest, so rates are the machines' rates together. Thresholds are
//! judged again on the sum (those of the parts do not carry over).

use std::collections::BTreeMap;

use super::histogram::add_timelines;
use super::report::{LoadReport, OpReport};
use crate::check::Finding;

/// Most examples a merged report keeps.
const EXAMPLES: usize = 10;

/// Adds reports; the first gives what cannot be added (model, mix, seed, profile).
pub fn merge(reports: Vec<LoadReport>) -> Result<LoadReport, String> {
    let mut reports = reports.into_iter();
    let mut sum = reports.next().ok_or("nothing to merge")?;
    sum.thresholds.clear();
    for report in reports {
        add(&mut sum, report)?;
    }
    for op in sum.operations.values_mut() {
        op.summarise(sum.elapsed_s);
    }
    Ok(sum)
}

fn add(sum: &mut LoadReport, part: LoadReport) -> Result<(), String> {
    if !sum.target.split(", ").any(|t| t == part.target) {
        sum.target = format!("{}, {}", sum.target, part.target);
    }
    sum.runs += part.runs;
    sum.duration_s = sum.duration_s.max(part.duration_s);
    sum.elapsed_s = sum.elapsed_s.max(part.elapsed_s);
    let p = &mut sum.population;
    p.requested += part.population.requested;
    p.existing = p.existing.max(part.population.existing);
    p.created += part.population.created;
    p.control &= part.population.control;
    p.exhausted += part.population.exhausted;
    let c = &mut sum.churn;
    c.rate += part.churn.rate;
    c.available &= part.churn.available;
    c.arrived += part.churn.arrived;
    c.left += part.churn.left;
    c.replaced += part.churn.replaced;
    c.errors += part.churn.errors;
    let k = &mut sum.checks;
    k.lists += part.checks.lists;
    k.lists_validated += part.checks.lists_validated;
    k.lists_id_checked += part.checks.lists_id_checked;
    k.bodies_validated += part.checks.bodies_validated;
    k.killed_probes += part.checks.killed_probes;
    for (name, op) in part.operations {
        let into = sum.operations.entry(name).or_default();
        add_operation(into, op)?;
    }
    add_counts(&mut sum.violations, part.violations);
    let room = EXAMPLES.saturating_sub(sum.examples.len());
    sum.examples.extend(
        part.examples
            .into_iter()
            .take(room)
            .collect::<Vec<Finding>>(),
    );
    Ok(())
}

fn add_operation(sum: &mut OpReport, part: OpReport) -> Result<(), String> {
    sum.requests += part.requests;
    sum.failed += part.failed;
    sum.transport_errors += part.transport_errors;
    add_counts(&mut sum.statuses, part.statuses);
    sum.latency.add(&part.latency);
    sum.timeline = add_timelines(&sum.timeline, &part.timeline)?;
    Ok(())
}

fn add_counts(sum: &mut BTreeMap<String, u64>, part: BTreeMap<String, u64>) {
    for (key, n) in part {
        *sum.entry(key).or_default() += n;
    }
}
