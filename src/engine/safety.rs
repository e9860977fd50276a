//! Emergency detection: the curated patterns of `safety.toml`, compiled into one
//! regex set and run on every message before anything else.

use regex::RegexSet;

use crate::knowledge::SafetyRules;

/// Finds emergencies described in a message.
pub(crate) struct EmergencyDetector {
    patterns: RegexSet,
    reasons: Vec<String>,
}

impl EmergencyDetector {
    /// Compiles the rules into one set.
    ///
    /// # Panics
    /// Never: every pattern already compiled alone when the knowledge was loaded,
    /// and a set of valid patterns is valid.
    pub fn new(rules: &SafetyRules) -> EmergencyDetector {
        let patterns = RegexSet::new(rules.emergency.iter().map(|rule| rule.regex.as_str()))
            .expect("each pattern compiled alone while loading safety.toml");
        EmergencyDetector { patterns, reasons: rules.emergency.iter().map(|rule| rule.reason.clone()).collect() }
    }

    /// The reason of the first rule that matches the normalized message, if any.
    pub fn detect(&self, normalized: &str) -> Option<&str> {
        let first = self.patterns.matches(normalized).into_iter().next()?;
        Some(&self.reasons[first])
    }
}
