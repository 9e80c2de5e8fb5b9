//! The JSON load report: the whole [`LoadReport`], histograms included (V2 + base64), so that
//! `harness report merge` can add the reports of runs made on several machines.

use std::path::Path;

use super::{LoadReport, FORMAT};

/// The report as indented JSON.
pub fn render(report: &LoadReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("a load report serialises");
    text.push('\n');
    text
}

/// Reads a JSON load report; the message names the file.
pub fn read(path: &Path) -> Result<LoadReport, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("failed to read {shown}: {e}"))?;
    let report: LoadReport = serde_json::from_str(&text)
        .map_err(|e| format!("{shown} is not a JSON load report: {e}"))?;
    if report.format != FORMAT {
        return Err(format!(
            "{shown} is a '{}' report, not '{FORMAT}'",
            report.format
        ));
    }
    Ok(report)
}
