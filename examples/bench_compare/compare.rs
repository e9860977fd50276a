//! A bench's latest figures beside the recorded ones, and the report.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};

use crate::record::{KNOWN_UNITS, Recorded, unit};
use crate::results::Figure;

/// The latest figure of each name in a results file, in the order the names
/// first appear (the order of the bench's tables).
pub fn latest_figures(text: &str) -> anyhow::Result<Vec<Figure>> {
    let mut figures: Vec<Figure> = Vec::new();
    let mut places: HashMap<String, usize> = HashMap::new();
    for (at, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let figure: Figure = serde_json::from_str(line).with_context(|| format!("line {} is not a figure", at + 1))?;
        if unit(&figure.unit).is_none() {
            bail!("line {}: unknown unit `{}` ({KNOWN_UNITS})", at + 1, figure.unit);
        }
        match places.get(&figure.name) {
            Some(&place) => figures[place] = figure,
            None => {
                places.insert(figure.name.clone(), figures.len());
                figures.push(figure);
            }
        }
    }
    if figures.is_empty() {
        bail!("no figures");
    }
    Ok(figures)
}

/// One measured figure beside its record.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    name: String,
    recorded: String,
    now: String,
    /// From the record's worse end, in percent.
    change: f64,
    worse: bool,
    /// A count that is not the recorded one.
    differs: bool,
}

/// A bench's latest figures beside its recorded ones.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Every recorded figure measured, in the order measured.
    rows: Vec<Row>,
    not_measured: Vec<String>,
    not_recorded: Vec<String>,
    /// The start of the oldest and the newest run the figures come from.
    runs: Option<(u64, u64)>,
}

/// Compares measured figures with recorded ones.
///
/// # Errors
/// A figure is measured in a unit of another kind than its record's.
pub fn compare(
    recorded: &BTreeMap<String, Recorded>,
    measured: &[Figure],
    threshold: f64,
) -> anyhow::Result<Comparison> {
    let mut comparison = Comparison::default();
    for figure in measured {
        let (oldest, newest) = comparison.runs.unwrap_or((figure.run, figure.run));
        comparison.runs = Some((oldest.min(figure.run), newest.max(figure.run)));
        let Some(record) = recorded.get(&figure.name) else {
            comparison.not_recorded.push(figure.name.clone());
            continue;
        };
        // `latest_figures` checked every unit.
        let measured_unit = unit(&figure.unit).context("a unit checked on reading")?;
        if measured_unit.kind != record.unit.kind {
            bail!("\"{}\" is recorded in {} but measured in {}", figure.name, record.unit_name, figure.unit);
        }
        let value = figure.value * measured_unit.scale / record.unit.scale;
        let (change, worse, differs) = match record.unit.kind.higher_is_worse() {
            Some(true) => {
                let change = percent_change(value, record.high);
                (change, change > threshold, false)
            }
            Some(false) => {
                let change = percent_change(value, record.low);
                (change, change < -threshold, false)
            }
            None => (percent_change(value, record.high), false, value < record.low || value > record.high),
        };
        comparison.rows.push(Row {
            name: figure.name.clone(),
            recorded: record.text.clone(),
            now: format!("{value:.decimals$} {}", record.unit_name, decimals = record.decimals),
            change,
            worse,
            differs,
        });
    }
    comparison.not_measured =
        recorded.keys().filter(|name| !measured.iter().any(|figure| &figure.name == *name)).cloned().collect();
    Ok(comparison)
}

/// `value` against `reference`, in percent.
fn percent_change(value: f64, reference: f64) -> f64 {
    if reference == 0.0 {
        if value == 0.0 { 0.0 } else { f64::INFINITY.copysign(value) }
    } else {
        (value - reference) / reference * 100.0
    }
}

impl Comparison {
    /// The figures worse than their record by more than the threshold.
    pub fn worse(&self) -> Vec<&Row> {
        self.rows.iter().filter(|row| row.worse).collect()
    }

    /// How long ago the runs the figures come from started.
    pub fn age(&self, now: u64) -> String {
        let ago = |run: u64| {
            let seconds = now.saturating_sub(run);
            match seconds {
                0..120 => format!("{seconds} s"),
                120..7_200 => format!("{} min", seconds / 60),
                7_200..172_800 => format!("{} h", seconds / 3_600),
                _ => format!("{} days", seconds / 86_400),
            }
        };
        match self.runs {
            Some((oldest, newest)) if ago(oldest) != ago(newest) => {
                format!("from runs started {} to {} ago", ago(newest), ago(oldest))
            }
            Some((_, newest)) => format!("from a run started {} ago", ago(newest)),
            None => "nothing measured".to_string(),
        }
    }

    /// The report, under the bench's heading.
    pub fn text(&self, threshold: f64, verbose: bool) -> String {
        let mut out = String::new();
        let worse = self.worse();
        if self.rows.is_empty() {
            out.push_str("  no recorded figure was measured\n");
        } else if worse.is_empty() {
            out.push_str(&format!(
                "  none of {} recorded figures measured is more than {threshold}% worse\n",
                self.rows.len()
            ));
        } else {
            out.push_str(&format!(
                "  {} of {} recorded figures measured are more than {threshold}% worse:\n",
                worse.len(),
                self.rows.len()
            ));
            out.push_str(&table(&worse, false));
        }
        let differ: Vec<&Row> = self.rows.iter().filter(|row| row.differs).collect();
        if !differ.is_empty() {
            out.push_str("  counts unlike the record's (the run measured other work):\n");
            out.push_str(&table(&differ, false));
        }
        if verbose {
            out.push_str("  every recorded figure measured:\n");
            out.push_str(&table(&self.rows.iter().collect::<Vec<_>>(), true));
            for (what, names) in
                [("recorded, not measured", &self.not_measured), ("measured, not recorded", &self.not_recorded)]
            {
                out.push_str(&format!("  {what}:{}\n", if names.is_empty() { " none" } else { "" }));
                for name in names {
                    out.push_str(&format!("    {name}\n"));
                }
            }
        } else if !self.not_measured.is_empty() || !self.not_recorded.is_empty() {
            out.push_str(&format!(
                "  also {} recorded figures not measured, {} measured figures not recorded (--verbose lists them)\n",
                self.not_measured.len(),
                self.not_recorded.len()
            ));
        }
        out
    }
}

/// Rows as aligned columns; `mark` marks the worse ones.
fn table(rows: &[&Row], mark: bool) -> String {
    let width = |column: fn(&Row) -> &str, title: &str| {
        rows.iter().map(|row| column(row).chars().count()).chain([title.len()]).max().unwrap_or(0)
    };
    let (name, recorded, now) =
        (width(|row| &row.name, "figure"), width(|row| &row.recorded, "recorded"), width(|row| &row.now, "now"));
    let mut out = format!("    {:<name$}  {:>recorded$}  {:>now$}  {:>8}\n", "figure", "recorded", "now", "change");
    for row in rows {
        let mark = if mark && row.worse { "  worse" } else { "" };
        out.push_str(&format!(
            "    {:<name$}  {:>recorded$}  {:>now$}  {:>+7.1}%{mark}\n",
            row.name, row.recorded, row.now, row.change
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_recorded_file;

    fn figure(name: &str, value: f64, unit: &str) -> Figure {
        Figure { run: 1_000, name: name.to_string(), value, unit: unit.to_string() }
    }

    fn record(entries: &str) -> BTreeMap<String, Recorded> {
        parse_recorded_file(&format!("[engine]\n{entries}")).unwrap().remove("engine").unwrap()
    }

    fn worse_names(comparison: &Comparison) -> Vec<&str> {
        comparison.worse().iter().map(|row| row.name.as_str()).collect()
    }

    #[test]
    fn the_last_line_of_a_name_wins_and_the_first_order_stays() {
        let text = "{\"run\":1,\"name\":\"a\",\"value\":1.0,\"unit\":\"s\"}\n\
                    {\"run\":1,\"name\":\"b\",\"value\":2.0,\"unit\":\"s\"}\n\
                    \n\
                    {\"run\":2,\"name\":\"a\",\"value\":3.0,\"unit\":\"s\"}\n";
        let figures = latest_figures(text).unwrap();
        assert_eq!(
            figures.iter().map(|f| (f.name.as_str(), f.value, f.run)).collect::<Vec<_>>(),
            [("a", 3.0, 2), ("b", 2.0, 1)]
        );
    }

    #[test]
    fn a_bad_results_line_is_named() {
        let text = "{\"run\":1,\"name\":\"a\",\"value\":1.0,\"unit\":\"s\"}\nnot json\n";
        assert!(format!("{:#}", latest_figures(text).unwrap_err()).contains("line 2 is not a figure"));
        let odd = "{\"run\":1,\"name\":\"a\",\"value\":1.0,\"unit\":\"parsecs\"}\n";
        assert!(format!("{:#}", latest_figures(odd).unwrap_err()).contains("line 1: unknown unit `parsecs`"));
        assert!(latest_figures("\n").is_err(), "an empty file has nothing to compare");
    }

    #[test]
    fn times_are_worse_when_higher_in_any_unit() {
        let recorded = record("\"p99\" = \"100.0 µs\"\n\"p50\" = \"50.0 µs\"\n\"build\" = \"170.9 ms\"\n");
        let measured = [figure("p99", 125e-6, "s"), figure("p50", 59e-6, "s"), figure("build", 0.1, "s")];
        let comparison = compare(&recorded, &measured, 20.0).unwrap();
        assert_eq!(worse_names(&comparison), ["p99"]);
        let p99 = &comparison.rows[0];
        assert_eq!((p99.recorded.as_str(), p99.now.as_str()), ("100.0 µs", "125.0 µs"));
        assert!((p99.change - 25.0).abs() < 1e-9, "{}", p99.change);
        assert!(comparison.rows[2].change < -40.0, "faster is a negative change, never worse");
    }

    #[test]
    fn rates_are_worse_when_lower() {
        let recorded = record("\"replies/s\" = \"8,534 – 9,847 replies/s\"\n\"other\" = \"5,000 replies/s\"\n");
        let measured = [figure("replies/s", 6_000.0, "replies/s"), figure("other", 9_000.0, "replies/s")];
        let comparison = compare(&recorded, &measured, 20.0).unwrap();
        assert_eq!(worse_names(&comparison), ["replies/s"]);
        assert!((comparison.rows[0].change - (6_000.0 - 8_534.0) / 8_534.0 * 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_range_counts_by_its_worse_end() {
        let recorded = record("\"p50\" = \"20.3 – 20.4 µs\"\n\"rate\" = \"4,880 – 7,504 replies/s\"\n");
        // 24.4 µs is 20.2% above the better end but 19.6% above the worse one;
        // 3,950/s is 47% below the better end but 19.1% below the worse one.
        let measured = [figure("p50", 24.4e-6, "s"), figure("rate", 3_950.0, "replies/s")];
        assert!(worse_names(&compare(&recorded, &measured, 20.0).unwrap()).is_empty());
        let measured = [figure("p50", 24.6e-6, "s"), figure("rate", 3_900.0, "replies/s")];
        assert_eq!(worse_names(&compare(&recorded, &measured, 20.0).unwrap()), ["p50", "rate"]);
    }

    #[test]
    fn sizes_convert_and_ratios_are_worse_when_higher() {
        let recorded = record("\"peak RSS\" = \"38.5 – 39.2 MiB\"\n\"ratio\" = \"1.90 – 2.21 x\"\n");
        let measured = [figure("peak RSS", 40_960.0, "KiB"), figure("ratio", 2.7, "x")];
        let comparison = compare(&recorded, &measured, 20.0).unwrap();
        assert_eq!(comparison.rows[0].now, "40.0 MiB");
        assert_eq!(worse_names(&comparison), ["ratio"]);
    }

    #[test]
    fn a_count_that_differs_is_noted_never_worse() {
        let recorded = record("\"realistic: messages\" = \"570 messages\"\n\"tidy: messages\" = \"167 messages\"\n");
        let measured = [figure("realistic: messages", 589.0, "messages"), figure("tidy: messages", 167.0, "messages")];
        let comparison = compare(&recorded, &measured, 0.0).unwrap();
        assert!(comparison.worse().is_empty());
        let differs: Vec<(&str, &str)> =
            comparison.rows.iter().filter(|row| row.differs).map(|row| (row.name.as_str(), row.now.as_str())).collect();
        assert_eq!(differs, [("realistic: messages", "589 messages")]);
    }

    #[test]
    fn figures_on_one_side_only_are_listed_apart() {
        let recorded = record("\"kept\" = \"1 s\"\n\"renamed\" = \"1 s\"\n");
        let measured = [figure("kept", 1.0, "s"), figure("new", 1.0, "s")];
        let comparison = compare(&recorded, &measured, 20.0).unwrap();
        assert_eq!(comparison.rows.len(), 1);
        assert_eq!(comparison.not_measured, ["renamed"]);
        assert_eq!(comparison.not_recorded, ["new"]);
        assert!(comparison.text(20.0, false).contains("also 1 recorded figures not measured, 1 measured"));
    }

    #[test]
    fn a_figure_in_a_unit_of_another_kind_is_refused() {
        let recorded = record("\"peak RSS\" = \"39.2 MiB\"\n");
        let error = compare(&recorded, &[figure("peak RSS", 1.0, "s")], 20.0).unwrap_err();
        assert!(error.to_string().contains("recorded in MiB but measured in s"), "{error}");
    }

    #[test]
    fn a_zero_record_is_worse_by_any_amount() {
        let recorded = record("\"lost\" = \"0 s\"\n");
        let comparison = compare(&recorded, &[figure("lost", 0.001, "s")], 20.0).unwrap();
        assert_eq!(comparison.rows[0].change, f64::INFINITY);
        assert_eq!(worse_names(&comparison), ["lost"]);
    }

    #[test]
    fn the_report_lists_the_worse_figures_with_their_change() {
        let recorded =
            record("\"tidy: engine answer p99\" = \"121.0 µs\"\n\"tidy: engine answer p50\" = \"36.3 µs\"\n");
        let measured =
            [figure("tidy: engine answer p99", 160.2e-6, "s"), figure("tidy: engine answer p50", 36.0e-6, "s")];
        let text = compare(&recorded, &measured, 20.0).unwrap().text(20.0, false);
        assert!(text.contains("1 of 2 recorded figures measured are more than 20% worse"), "{text}");
        let row = text.lines().find(|line| line.contains("p99")).unwrap();
        assert!(row.contains("121.0 µs") && row.contains("160.2 µs") && row.contains("+32.4%"), "{row}");
        assert!(!text.contains("p50"), "a figure within the threshold is listed only with --verbose: {text}");
        assert!(compare(&recorded, &measured, 20.0).unwrap().text(20.0, true).contains("p50"));
    }

    #[test]
    fn the_age_of_the_runs() {
        let comparison = Comparison { runs: Some((1_000, 1_000)), ..Comparison::default() };
        assert_eq!(comparison.age(1_090), "from a run started 90 s ago");
        let comparison = Comparison { runs: Some((1_000, 100_000)), ..Comparison::default() };
        assert_eq!(comparison.age(100_600), "from runs started 10 min to 27 h ago");
    }
}
