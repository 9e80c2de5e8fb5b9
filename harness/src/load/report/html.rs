//! The HTML load report: one self-contained page (inline CSS and SVG, no script, no external
//! asset) with the summary table, latency over time (p50 and p99 of each second, per operation),
//! latency by percentile (per operation), the checks, violations and thresholds.

use std::fmt::Write as _;

use super::super::histogram::decode;
use super::super::histogram::format_ms;
use super::super::op::Operation;
use super::{console, LoadReport};

/// Plot size in SVG user units.
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
/// Margins: left (y labels), right, top, bottom (x labels).
const LEFT: f64 = 64.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// One colour per operation, in [`Operation::ALL`] order.
const COLOURS: [&str; 5] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

/// The percentile plot's x positions: 0 at p0, 1 at p90, 2 at p99, … 5 at p99.999.
const PERCENTILE_DECADES: f64 = 5.0;

/// The page.
pub fn render(report: &LoadReport) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Load run against {target}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Load run against {target}</h1>\n",
        target = escape(&report.target)
    );
    let _ = writeln!(
        page,
        "<p>{} — mix {} — profile {} — seed {}{}</p>",
        escape(&report.model.to_string()),
        escape(&mix(report)),
        escape(&report.profile),
        report.seed,
        if report.runs > 1 {
            format!(" — {} runs merged", report.runs)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        page,
        "<h2>Summary</h2>\n<pre>{}</pre>",
        escape(&console::summary(report))
    );
    let _ = writeln!(page, "<h2>Latency over time</h2>");
    let _ = writeln!(
        page,
        "<p>Each second of the run: p50 (thin) and p99 (thick) of the requests answered in it.</p>"
    );
    for (i, op) in Operation::ALL.into_iter().enumerate() {
        if let Some(svg) = over_time(report, op, COLOURS[i]) {
            let _ = writeln!(page, "<h3>{op}</h3>\n{svg}");
        }
    }
    let _ = writeln!(
        page,
        "<h2>Latency by percentile</h2>\n{}",
        by_percentile(report)
    );
    page.push_str("</body>\n</html>\n");
    page
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;font-size:13px}\
svg{display:block;margin:0.5em 0 1.5em}svg text{font-size:11px;fill:#333}\
.grid{stroke:#ddd;stroke-width:1}.axis{stroke:#555;stroke-width:1}";

fn mix(report: &LoadReport) -> String {
    let parts: Vec<String> = Operation::ALL
        .iter()
        .filter_map(|op| report.mix.get(op.name()).map(|w| format!("{op}={w}")))
        .collect();
    parts.join(",")
}

/// p50 and p99 of each second of one operation; `None` when it sent nothing.
fn over_time(report: &LoadReport, op: Operation, colour: &str) -> Option<String> {
    let numbers = report.operations.get(op.name())?;
    let mut p50 = Vec::new();
    let mut p99 = Vec::new();
    for (second, entry) in numbers.timeline.iter().enumerate() {
        let Some(histogram) = entry.as_deref().and_then(|text| decode(text).ok()) else {
            continue;
        };
        let x = second as f64 + 0.5;
        p50.push((x, histogram.value_at_quantile(0.5) as f64 / 1000.0));
        p99.push((x, histogram.value_at_quantile(0.99) as f64 / 1000.0));
    }
    if p50.is_empty() {
        return None;
    }
    let seconds = numbers.timeline.len().max(1) as f64;
    let x_ticks = ticks(seconds)
        .into_iter()
        .map(|t| (t, format!("{t}s")))
        .collect();
    let lines = vec![
        Line {
            label: format!("{op} p50"),
            colour: colour.to_string(),
            thick: false,
            points: p50,
        },
        Line {
            label: format!("{op} p99"),
            colour: colour.to_string(),
            thick: true,
            points: p99,
        },
    ];
    Some(chart((0.0, seconds), x_ticks, "time of the run", &lines))
}

/// Latency against percentile (0 to 99.999, each decade of nines equally wide), every
/// operation on one plot.
fn by_percentile(report: &LoadReport) -> String {
    let mut lines = Vec::new();
    for (i, op) in Operation::ALL.into_iter().enumerate() {
        let Some(numbers) = report.operations.get(op.name()) else {
            continue;
        };
        let h = &numbers.latency.0;
        if h.is_empty() {
            continue;
        }
        let points = h
            .iter_quantiles(4)
            .map(|v| {
                (
                    v.quantile_iterated_to(),
                    v.value_iterated_to() as f64 / 1000.0,
                )
            })
            .filter(|(q, _)| *q < 1.0)
            .map(|(q, ms)| (nines(q), ms))
            .filter(|(x, _)| *x <= PERCENTILE_DECADES)
            .collect();
        lines.push(Line {
            label: op.name().to_string(),
            colour: COLOURS[i].to_string(),
            thick: true,
            points,
        });
    }
    let labels = ["0", "90", "99", "99.9", "99.99", "99.999"];
    let x_ticks = labels
        .iter()
        .enumerate()
        .map(|(i, label)| (i as f64, format!("p{label}")))
        .collect();
    chart((0.0, PERCENTILE_DECADES), x_ticks, "percentile", &lines)
}

/// A quantile's x position: the decades of nines, `-log10(1 - q)`.
fn nines(quantile: f64) -> f64 {
    -(1.0 - quantile).log10()
}

struct Line {
    label: String,
    colour: String,
    thick: bool,
    points: Vec<(f64, f64)>,
}

/// A line chart of milliseconds (y from 0) against x in `x_range`, with a legend.
fn chart(
    x_range: (f64, f64),
    x_ticks: Vec<(f64, String)>,
    x_label: &str,
    lines: &[Line],
) -> String {
    let y_max = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let y_top = nice_ceiling(y_max.max(0.001));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let span = (x_range.1 - x_range.0).max(f64::MIN_POSITIVE);
    let x = |v: f64| LEFT + (v - x_range.0) / span * plot_w;
    let y = |v: f64| TOP + plot_h - v / y_top * plot_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\">"
    );
    let divisions = y_divisions(y_top);
    for i in 0..=divisions {
        let value = y_top * f64::from(i) / f64::from(divisions);
        let at = y(value);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{at:.1}\" x2=\"{:.1}\" y2=\"{at:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT + plot_w,
            LEFT - 6.0,
            at + 4.0,
            escape(&format_ms(value))
        );
    }
    for (value, label) in &x_ticks {
        let at = x(*value);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{at:.1}\" y1=\"{TOP}\" x2=\"{at:.1}\" y2=\"{:.1}\"/>\
             <text x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            TOP + plot_h,
            TOP + plot_h + 14.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{bottom:.1}\" x2=\"{right:.1}\" y2=\"{bottom:.1}\"/>\
         <line class=\"axis\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{bottom:.1}\"/>\
         <text x=\"{mid:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        HEIGHT - 4.0,
        escape(x_label),
        bottom = TOP + plot_h,
        right = LEFT + plot_w,
        mid = LEFT + plot_w / 2.0,
    );
    for (i, line) in lines.iter().enumerate() {
        let points: Vec<String> = line
            .points
            .iter()
            .map(|(px, py)| format!("{:.1},{:.1}", x(*px), y(*py)))
            .collect();
        let width = if line.thick { 2.0 } else { 1.0 };
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" points=\"{}\"/>\
             <line x1=\"{lx:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" \
             stroke-width=\"{width}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            points.join(" "),
            WIDTH - RIGHT + 34.0,
            WIDTH - RIGHT + 38.0,
            TOP + 10.0 + 16.0 * i as f64 + 4.0,
            escape(&line.label),
            colour = escape(&line.colour),
            lx = WIDTH - RIGHT + 14.0,
            ly = TOP + 10.0 + 16.0 * i as f64,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// About six round tick positions from 0 to `end`.
fn ticks(end: f64) -> Vec<f64> {
    let step = nice_ceiling(end / 6.0).max(1.0);
    (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= end)
        .collect()
}

/// How many grid steps divide `top` (a [`nice_ceiling`]) into round values.
fn y_divisions(top: f64) -> u32 {
    let mantissa = top / 10f64.powf(top.log10().floor());
    if (mantissa - 2.5).abs() < 1e-9 || (mantissa - 5.0).abs() < 1e-9 {
        5
    } else {
        4
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= v)
        .unwrap_or(10.0 * magnitude)
}

/// Text for HTML content and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_get_round_numbers() {
        assert_eq!(nice_ceiling(0.37), 0.5);
        assert_eq!(nice_ceiling(3.0), 5.0);
        assert_eq!(nice_ceiling(20.0), 20.0);
        assert_eq!(nice_ceiling(2100.0), 2500.0);
        assert_eq!(ticks(30.0), [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]);
        assert_eq!(
            (y_divisions(2.5), y_divisions(0.5), y_divisions(20.0)),
            (5, 5, 4)
        );
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
