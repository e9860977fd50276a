//! `{name}` placeholders in curated patterns, replaced by word lists. This
//! file is also compiled into `build.rs`, which expands the embedded sign
//! patterns the same way; it depends on nothing of the crate.

use std::collections::BTreeMap;

/// Replaces every `{name}` by the alternation of its words; `Err(name)` for an
/// unknown name. Regex repetitions like `{0,4}` are left alone.
pub(crate) fn expand(pattern: &str, words: &BTreeMap<String, Vec<String>>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &after[..close];
        if name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') && !name.is_empty() {
            let list = words.get(name).ok_or_else(|| name.to_string())?;
            out.push_str("(?:");
            out.push_str(&list.join("|"));
            out.push(')');
        } else {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand_and_repetitions_stay() {
        let words = BTreeMap::from([("who".to_string(), vec!["he".to_string(), "she".to_string()])]);
        assert_eq!(expand(r"\b{who}( [a-z]+){0,3} fell\b", &words).unwrap(), r"\b(?:he|she)( [a-z]+){0,3} fell\b");
        assert_eq!(expand("{nobody}", &words), Err("nobody".to_string()));
    }
}
