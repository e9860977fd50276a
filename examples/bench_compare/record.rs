//! The recorded figures, `benches/recorded.toml`, and the units figures are in.

use std::collections::BTreeMap;

use anyhow::bail;

use crate::BENCHES;

/// What a unit measures, which says what worse is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A duration: latencies, builds, CPU per reply.
    Time,
    /// Memory or bytes on disk.
    Size,
    /// Something per second.
    Rate,
    /// One figure over another, e.g. the engine's p99 over a bare search's.
    Ratio,
    /// What was measured, e.g. how many messages.
    Count,
}

impl Kind {
    /// Whether a higher value is worse; `None` for a count, neither better nor worse.
    pub fn higher_is_worse(self) -> Option<bool> {
        match self {
            Kind::Time | Kind::Size | Kind::Ratio => Some(true),
            Kind::Rate => Some(false),
            Kind::Count => None,
        }
    }
}

/// A unit: what it measures, and its size in seconds, MiB or ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    /// What it measures.
    pub kind: Kind,
    /// Its size in seconds, MiB or ones.
    pub scale: f64,
}

/// The units figures are saved and recorded in.
pub fn unit(name: &str) -> Option<Unit> {
    let (kind, scale) = match name {
        "ns" => (Kind::Time, 1e-9),
        "µs" | "us" => (Kind::Time, 1e-6),
        "ms" => (Kind::Time, 1e-3),
        "s" => (Kind::Time, 1.0),
        "KiB" => (Kind::Size, 1.0 / 1024.0),
        "MiB" => (Kind::Size, 1.0),
        "GiB" => (Kind::Size, 1024.0),
        "replies/s" => (Kind::Rate, 1.0),
        "x" => (Kind::Ratio, 1.0),
        "messages" => (Kind::Count, 1.0),
        _ => return None,
    };
    Some(Unit { kind, scale })
}

/// The names [`unit`] knows, for error messages.
pub const KNOWN_UNITS: &str = "ns, µs, ms, s, KiB, MiB, GiB, replies/s, x, messages";

/// A recorded figure: one value, or the range over several runs, and its unit, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The lowest value recorded (the only one, for a single value).
    pub low: f64,
    /// The highest value recorded.
    pub high: f64,
    /// The unit of `low` and `high`.
    pub unit: Unit,
    /// The unit as written, e.g. `µs`.
    pub unit_name: String,
    /// Decimals of the recorded value, to print the new one alike.
    pub decimals: usize,
    /// The record as written, e.g. `20.3 – 20.4 µs`.
    pub text: String,
}

/// Parses `36.3 µs`, `20.3 – 20.4 µs`, `9.8–11.5 ms` or `8,534 – 9,847 replies/s`.
pub fn parse_recorded(text: &str) -> Result<Recorded, String> {
    let text = text.trim();
    let end = text.rfind(|c: char| c.is_ascii_digit()).ok_or_else(|| format!("`{text}` has no number"))? + 1;
    let unit_name = text[end..].trim();
    let unit = unit(unit_name).ok_or_else(|| format!("`{text}`: unknown unit `{unit_name}` ({KNOWN_UNITS})"))?;
    let parts: Vec<&str> = text[..end].split(['–', '-']).map(str::trim).collect();
    let values = parts
        .iter()
        .map(|part| part.replace(',', "").parse::<f64>().map_err(|_| format!("`{text}`: `{part}` is not a number")))
        .collect::<Result<Vec<f64>, String>>()?;
    let (low, high) = match values[..] {
        [value] => (value, value),
        [low, high] if low <= high => (low, high),
        _ => return Err(format!("`{text}` is neither a value nor a range `low – high`")),
    };
    let decimals = parts.last().and_then(|part| part.split_once('.')).map_or(0, |(_, decimals)| decimals.len());
    Ok(Recorded { low, high, unit, unit_name: unit_name.to_string(), decimals, text: text.to_string() })
}

/// The recorded figures per bench: `[bench]` tables of `"name" = "value unit"`.
pub fn parse_recorded_file(text: &str) -> anyhow::Result<BTreeMap<String, BTreeMap<String, Recorded>>> {
    let tables: BTreeMap<String, BTreeMap<String, String>> = toml::from_str(text)?;
    let mut recorded = BTreeMap::new();
    for (bench, figures) in tables {
        if !BENCHES.contains(&bench.as_str()) {
            bail!("[{bench}] is not a bench ({})", BENCHES.join(", "));
        }
        let mut parsed = BTreeMap::new();
        for (name, value) in figures {
            let value = parse_recorded(&value).map_err(|error| anyhow::anyhow!("[{bench}] \"{name}\": {error}"))?;
            parsed.insert(name, value);
        }
        recorded.insert(bench, parsed);
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_value_and_its_unit() {
        let recorded = parse_recorded("36.3 µs").unwrap();
        assert_eq!((recorded.low, recorded.high, recorded.decimals), (36.3, 36.3, 1));
        assert_eq!(recorded.unit, Unit { kind: Kind::Time, scale: 1e-6 });
        assert_eq!(recorded.text, "36.3 µs");
    }

    #[test]
    fn ranges_as_benchmarks_md_writes_them() {
        let spaced = parse_recorded("20.3 – 20.4 µs").unwrap();
        assert_eq!((spaced.low, spaced.high), (20.3, 20.4));
        let tight = parse_recorded("9.8–11.5 ms").unwrap();
        assert_eq!((tight.low, tight.high, tight.unit_name.as_str()), (9.8, 11.5, "ms"));
        let grouped = parse_recorded("8,534 – 9,847 replies/s").unwrap();
        assert_eq!((grouped.low, grouped.high, grouped.decimals), (8534.0, 9847.0, 0));
        assert_eq!(grouped.unit.kind, Kind::Rate);
        assert_eq!(parse_recorded("12 - 14 MiB").unwrap().high, 14.0);
    }

    #[test]
    fn what_is_not_a_record_is_refused_with_the_reason() {
        assert!(parse_recorded("fast").unwrap_err().contains("no number"));
        assert!(parse_recorded("36.3 furlongs").unwrap_err().contains("unknown unit `furlongs`"));
        assert!(parse_recorded("36.3").unwrap_err().contains("unknown unit ``"));
        assert!(parse_recorded("2.0 – 1.0 s").unwrap_err().contains("neither a value nor a range"));
        assert!(parse_recorded("1 – 2 – 3 s").unwrap_err().contains("neither a value nor a range"));
        assert!(parse_recorded("1.2.3 s").unwrap_err().contains("is not a number"));
    }

    #[test]
    fn a_file_names_its_bench_and_figure_in_errors() {
        let file = parse_recorded_file("[engine]\n\"tidy: engine answer p99\" = \"121.0 µs\"\n").unwrap();
        assert_eq!(file["engine"]["tidy: engine answer p99"].high, 121.0);
        let unknown = parse_recorded_file("[engines]\n\"a\" = \"1 s\"\n").unwrap_err();
        assert!(format!("{unknown:#}").contains("[engines] is not a bench"), "{unknown:#}");
        let bad = parse_recorded_file("[load]\n\"polling: replies/s\" = \"many\"\n").unwrap_err();
        assert!(format!("{bad:#}").contains("[load] \"polling: replies/s\""), "{bad:#}");
        assert!(parse_recorded_file("[load]\n\"a\" = 1.0\n").is_err(), "a value is a string with its unit");
        assert!(parse_recorded_file("not toml").is_err());
    }

    #[test]
    fn the_committed_record_reads() {
        let file = parse_recorded_file(include_str!("../../benches/recorded.toml")).unwrap();
        for bench in ["engine", "ask_process", "load", "index_scale"] {
            assert!(!file.get(bench).is_none_or(BTreeMap::is_empty), "{bench} has recorded figures");
        }
    }
}
