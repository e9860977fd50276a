//! Cutting a reply into Telegram messages of at most [`MAX_MESSAGE_UNITS`].
//!
//! **What is counted.** Telegram limits a message to 4096 UTF-16 code units of its
//! text *after* parsing the HTML. We count the UTF-16 units of the *raw HTML*
//! instead. Tags and entities only ever add to the raw string (`&amp;` is five
//! units of HTML for one of text), so the raw length is an upper bound of what
//! Telegram counts: a part that passes our check always passes Telegram's,
//! without modelling Telegram's parser. The price is the headroom taken by
//! markup, a few percent of a message. UTF-16 rather than `char`s because an
//! emoji outside the BMP is one `char` but two units for Telegram.
//!
//! **Where it cuts.** At a paragraph break if one fits, else a line break, else
//! after a sentence, else between words, else between two characters; never
//! inside a tag or an entity, always on a `char` boundary. Tags open at a cut are
//! closed at the end of the part and opened again at the start of the next, so
//! every part is balanced HTML on its own.

use super::html::Html;

/// Telegram's limit on the length of one message, in UTF-16 code units.
pub const MAX_MESSAGE_UNITS: usize = 4096;

/// The length Telegram's limit is checked against here: UTF-16 units of the raw HTML.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits a reply into messages of at most `limit` units: the body is cut as
/// needed, and the tail (the disclaimer) ends the last message, whole, or is a
/// message of its own if it no longer fits there.
pub fn split_message(html: &Html, limit: usize) -> Vec<String> {
    // Nearly every reply fits in one message: then the cutting below would only
    // trim the body, so do just that.
    let body = html.body.trim();
    if !body.is_empty() && !html.tail.is_empty() && utf16_len(body) + 2 + utf16_len(&html.tail) <= limit {
        return vec![format!("{body}\n\n{}", html.tail)];
    }
    if html.tail.is_empty() {
        return split_html(&html.body, limit);
    }
    if html.body.trim().is_empty() {
        return split_html(&html.tail, limit);
    }
    let mut parts = split_html(&html.body, limit);
    match parts.last_mut() {
        Some(last) if utf16_len(last) + 2 + utf16_len(&html.tail) <= limit => {
            last.push_str("\n\n");
            last.push_str(&html.tail);
        }
        _ => parts.extend(split_html(&html.tail, limit)),
    }
    parts
}

/// Splits balanced HTML into balanced parts of at most `limit` UTF-16 units,
/// dropping the whitespace at each cut. Stray closing tags are dropped.
///
/// A part can only exceed `limit` if the tags open at a cut, with one more
/// character, already exceed it: never with the shallow markup of a reply.
pub fn split_html(html: &str, limit: usize) -> Vec<String> {
    let atoms = atoms(html);
    let mut parts = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut start = skip_space(&atoms, 0);
    while start < atoms.len() {
        let (end, stack) = find_cut(&atoms, start, &open, limit);
        if let Some(part) = assemble(&atoms, start, end, &open, &stack) {
            parts.push(part);
        }
        open = stack;
        start = skip_space(&atoms, end);
    }
    parts
}

/// Break priorities: a higher one is preferred wherever it falls in the part.
const CHARACTER: u8 = 0;
const WORD: u8 = 1;
const SENTENCE: u8 = 2;
const LINE: u8 = 3;
const PARAGRAPH: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text(char),
    Entity,
    Open,
    Close,
}

/// The smallest piece the splitter moves: one character, one entity or one tag.
#[derive(Debug, Clone, Copy)]
struct Atom<'a> {
    raw: &'a str,
    kind: Kind,
    /// The tag name, for tags.
    name: &'a str,
    units: usize,
}

impl Atom<'_> {
    /// Length of the closing tag `</name>` that ends this open tag.
    fn close_units(&self) -> usize {
        self.name.len() + 3
    }

    fn is_space(&self) -> bool {
        matches!(self.kind, Kind::Text(c) if c.is_whitespace())
    }
}

/// Cuts HTML into atoms. A `<` that does not start a well-formed tag and a `&`
/// that does not start an entity are plain characters.
fn atoms(html: &str) -> Vec<Atom<'_>> {
    let mut atoms = Vec::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let atom = match c {
            '<' => tag(rest),
            '&' => entity(rest),
            _ => None,
        }
        .unwrap_or_else(|| {
            let raw = &rest[..c.len_utf8()];
            Atom { raw, kind: Kind::Text(c), name: "", units: c.len_utf16() }
        });
        rest = &rest[atom.raw.len()..];
        atoms.push(atom);
    }
    atoms
}

/// `<name ...>` or `</name>` at the start of `text`.
fn tag(text: &str) -> Option<Atom<'_>> {
    let end = text.find('>')?;
    let raw = &text[..=end];
    let (kind, inner) = match raw[1..end].strip_prefix('/') {
        Some(inner) => (Kind::Close, inner),
        None => (Kind::Open, &raw[1..end]),
    };
    let name = inner.split(|c: char| c.is_whitespace()).next().unwrap_or("");
    let well_formed = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !inner.contains('<');
    well_formed.then(|| Atom { raw, kind, name, units: utf16_len(raw) })
}

/// `&name;` or `&#123;` at the start of `text`.
fn entity(text: &str) -> Option<Atom<'_>> {
    let end = text.char_indices().take(12).find(|&(_, c)| c == ';').map(|(i, _)| i)?;
    let body = &text[1..end];
    let valid = !body.is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '#');
    valid.then(|| Atom { raw: &text[..=end], kind: Kind::Entity, name: "", units: end + 1 })
}

/// Applies one atom to the stack of open tags (indices into `atoms`). Returns
/// whether the atom is emitted: a closing tag that matches nothing is not.
fn step(atoms: &[Atom<'_>], stack: &mut Vec<usize>, closers: &mut usize, index: usize) -> bool {
    let atom = &atoms[index];
    match atom.kind {
        Kind::Open => {
            stack.push(index);
            *closers += atom.close_units();
            true
        }
        Kind::Close => match stack.iter().rposition(|&open| atoms[open].name == atom.name) {
            Some(position) => {
                for open in stack.drain(position..) {
                    *closers -= atoms[open].close_units();
                }
                true
            }
            None => false,
        },
        Kind::Text(_) | Kind::Entity => true,
    }
}

/// How good a cut before `atoms[index]` is, or `None` if it must not be cut there.
fn priority(atoms: &[Atom<'_>], index: usize) -> Option<u8> {
    let before = atoms[index - 1];
    Some(match before.kind {
        // An empty element at the end of a part is useless: never cut after `<i>`.
        Kind::Open => return None,
        Kind::Text('\n') if index >= 2 && atoms[index - 2].kind == Kind::Text('\n') => PARAGRAPH,
        Kind::Text('\n') => LINE,
        Kind::Text(c) if c.is_whitespace() && ends_sentence(&atoms[..index - 1]) => SENTENCE,
        Kind::Text(c) if c.is_whitespace() => WORD,
        _ => CHARACTER,
    })
}

/// Whether the atoms end a sentence: `.`, `!`, `?` or `…`, maybe followed by
/// closing quotes, brackets or closing tags.
fn ends_sentence(atoms: &[Atom<'_>]) -> bool {
    for atom in atoms.iter().rev() {
        match atom.kind {
            Kind::Close => continue,
            Kind::Text('”' | '"' | '\'' | '’' | ')' | ']' | '»') => continue,
            Kind::Text(c) => return matches!(c, '.' | '!' | '?' | '…'),
            Kind::Entity | Kind::Open => return false,
        }
    }
    false
}

/// The end (exclusive) of the part that starts at `start` with the tags `open`
/// already open, and the tags open at that end.
fn find_cut(atoms: &[Atom<'_>], start: usize, open: &[usize], limit: usize) -> (usize, Vec<usize>) {
    let mut stack = open.to_vec();
    let mut closers: usize = stack.iter().map(|&i| atoms[i].close_units()).sum();
    let mut used: usize = stack.iter().map(|&i| atoms[i].units).sum();
    let mut best: Option<(u8, usize, Vec<usize>)> = None;
    let mut first: Option<(usize, Vec<usize>)> = None;
    for index in start..atoms.len() {
        let emitted = step(atoms, &mut stack, &mut closers, index);
        if emitted {
            used += atoms[index].units;
        }
        let end = index + 1;
        if first.is_none() {
            // Progress is guaranteed: a part holds at least one atom.
            first = Some((end, stack.clone()));
        }
        if used + closers > limit {
            break;
        }
        if end == atoms.len() {
            return (end, stack);
        }
        if let Some(rank) = priority(atoms, end)
            && best.as_ref().is_none_or(|(best_rank, _, _)| rank >= *best_rank)
        {
            best = Some((rank, end, stack.clone()));
        }
    }
    match (best, first) {
        (Some((_, end, stack)), _) => (end, stack),
        (None, Some(first)) => first,
        (None, None) => (atoms.len(), stack),
    }
}

/// One part: the reopened tags, the atoms without trailing whitespace, and the
/// closing tags of what is still open. `None` if it holds no text.
fn assemble(atoms: &[Atom<'_>], start: usize, end: usize, open: &[usize], stack_at_end: &[usize]) -> Option<String> {
    let mut stack = open.to_vec();
    let mut closers = 0;
    let mut emitted: Vec<&Atom<'_>> = Vec::with_capacity(end - start);
    for index in start..end {
        if step(atoms, &mut stack, &mut closers, index) {
            emitted.push(&atoms[index]);
        }
    }
    while emitted.last().is_some_and(|atom| atom.is_space()) {
        emitted.pop();
    }
    let has_text = emitted.iter().any(|atom| match atom.kind {
        Kind::Text(c) => !c.is_whitespace(),
        Kind::Entity => true,
        Kind::Open | Kind::Close => false,
    });
    if !has_text {
        return None;
    }
    let mut part = String::new();
    for &index in open {
        part.push_str(atoms[index].raw);
    }
    for atom in emitted {
        part.push_str(atom.raw);
    }
    for &index in stack_at_end.iter().rev() {
        part.push_str("</");
        part.push_str(atoms[index].name);
        part.push('>');
    }
    Some(part)
}

fn skip_space(atoms: &[Atom<'_>], mut index: usize) -> usize {
    while atoms.get(index).is_some_and(Atom::is_space) {
        index += 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use teloxide::utils::html::escape;

    use super::*;

    /// Checks that `part` is balanced and cuts no tag or entity.
    fn assert_well_formed(part: &str) {
        let atoms = atoms(part);
        let mut stack: Vec<&str> = Vec::new();
        for atom in &atoms {
            match atom.kind {
                Kind::Open => stack.push(atom.name),
                Kind::Close => assert_eq!(stack.pop(), Some(atom.name), "unbalanced part {part:?}"),
                Kind::Text(c) => assert!(c != '<' && c != '&', "a cut tag or entity in {part:?}"),
                Kind::Entity => {}
            }
        }
        assert!(stack.is_empty(), "unclosed tags in {part:?}");
    }

    /// The text of some HTML without tags and whitespace, entities kept as written.
    fn content(html: &str) -> String {
        atoms(html)
            .iter()
            .filter(|atom| matches!(atom.kind, Kind::Text(c) if !c.is_whitespace()) || atom.kind == Kind::Entity)
            .map(|atom| atom.raw)
            .collect()
    }

    fn check(html: &str, limit: usize) -> Vec<String> {
        let parts = split_html(html, limit);
        for part in &parts {
            assert!(utf16_len(part) <= limit, "part of {} units > {limit}: {part:?}", utf16_len(part));
            assert_well_formed(part);
        }
        assert_eq!(parts.iter().map(|p| content(p)).collect::<String>(), content(html));
        parts
    }

    #[test]
    fn a_short_message_is_left_alone() {
        assert_eq!(split_html("Hello <i>there</i>.", 100), vec!["Hello <i>there</i>."]);
        assert!(split_html("  \n ", 100).is_empty());
    }

    #[test]
    fn paragraphs_win_over_sentences_and_sentences_over_words() {
        let html = "First one. Still first.\n\nSecond para here.";
        assert_eq!(check(html, 30), vec!["First one. Still first.", "Second para here."]);
        let html = "One sentence here. Another sentence there.";
        assert_eq!(check(html, 30), vec!["One sentence here.", "Another sentence there."]);
        let html = "words without any stop at all";
        assert_eq!(check(html, 16), vec!["words without", "any stop at all"]);
    }

    #[test]
    fn tags_are_closed_and_reopened_across_a_cut() {
        let html = "<b>bold words that go on and on</b>";
        assert_eq!(check(html, 20), vec!["<b>bold words</b>", "<b>that go on</b>", "<b>and on</b>"]);
        let html = "<a href=\"https://x.y\"><i>a link that is long</i></a> after";
        let parts = check(html, 50);
        assert_eq!(
            parts,
            vec!["<a href=\"https://x.y\"><i>a link that is</i></a>", "<a href=\"https://x.y\"><i>long</i></a> after"]
        );
    }

    #[test]
    fn entities_are_never_cut() {
        let html = "a&amp;b&amp;c&amp;d&lt;e";
        for limit in 5..12 {
            for part in check(html, limit) {
                assert!(!part.ends_with('&'));
            }
        }
    }

    #[test]
    fn multi_byte_text_is_cut_on_char_boundaries_and_counted_in_utf16() {
        // 😴 is one char, four bytes and two UTF-16 units.
        let emoji = "😴".repeat(50);
        let parts = check(&emoji, 9);
        assert!(parts.iter().all(|p| utf16_len(p) <= 9 && p.chars().count() <= 4));
        let cyrillic = "Миоклонические подёргивания во сне безопасны. Обратитесь к врачу.".repeat(20);
        let parts = check(&escape(&cyrillic), 100);
        assert!(parts.len() > 1);
        assert!(parts[0].ends_with('.'), "cut after a sentence: {:?}", parts[0]);
        let mixed = "Sleep 😴 well & don't worry 🙂. ".repeat(300);
        let parts = check(&escape(&mixed), MAX_MESSAGE_UNITS);
        assert!(parts.len() >= 2);
    }

    #[test]
    fn the_tail_ends_the_last_part_whole() {
        let html = Html { body: "Long sentence here. ".repeat(400), tail: "The disclaimer &amp; more.".into() };
        let parts = split_message(&html, MAX_MESSAGE_UNITS);
        assert!(parts.len() >= 2);
        assert!(parts.last().is_some_and(|p| p.ends_with("\n\nThe disclaimer &amp; more.")));
        assert!(parts.iter().all(|p| utf16_len(p) <= MAX_MESSAGE_UNITS));
        assert_eq!(parts.iter().filter(|p| p.contains("disclaimer")).count(), 1);
        // When the last part is full, the tail gets a part of its own.
        let full = Html { body: "x".repeat(MAX_MESSAGE_UNITS), tail: "Tail.".into() };
        assert_eq!(split_message(&full, MAX_MESSAGE_UNITS), vec!["x".repeat(MAX_MESSAGE_UNITS), "Tail.".into()]);
        let only_tail = Html { body: String::new(), tail: "Tail.".into() };
        assert_eq!(split_message(&only_tail, MAX_MESSAGE_UNITS), vec!["Tail.".to_string()]);
    }

    /// Random balanced HTML: escaped text with emoji, Cyrillic, `&` and `<`,
    /// in paragraphs, some of it in (nested) tags.
    fn html_strategy() -> impl Strategy<Value = String> {
        let text = proptest::string::string_regex("[a-zA-Zжщ😴🙂&<>. !?\n]{0,60}").expect("valid regex");
        let wrapped = (text, 0..5usize).prop_map(|(text, style)| {
            let text = escape(&text);
            match style {
                0 => format!("<b>{text}</b>"),
                1 => format!("<i>{text}</i>"),
                2 => format!("<a href=\"https://example.org/?a=1&amp;b=2\"><i>{text}</i></a>"),
                _ => text,
            }
        });
        proptest::collection::vec(wrapped, 0..40).prop_map(|pieces| pieces.join(" "))
    }

    proptest! {
        #[test]
        fn every_part_fits_is_balanced_and_nothing_is_lost(html in html_strategy(), limit in 64usize..400) {
            check(&html, limit);
        }

        #[test]
        fn the_tail_is_always_whole_in_the_last_part(body in html_strategy(), limit in 120usize..400) {
            let html = Html { body, tail: "I am not a doctor &amp; this is not advice.".into() };
            let parts = split_message(&html, limit);
            prop_assert!(parts.last().is_some_and(|p| p.ends_with(&html.tail)));
            prop_assert!(parts.iter().all(|p| utf16_len(p) <= limit));
        }
    }

    #[test]
    fn a_reply_that_fits_is_what_cutting_would_give() {
        let html = Html {
            body: "  <b>Lead</b> &amp; more.\n\n<i>“quote”</i> (Pub)  ".to_string(),
            tail: "Disclaimer.".into(),
        };
        let mut cut = split_html(&html.body, MAX_MESSAGE_UNITS);
        let last = cut.last_mut().expect("one part");
        last.push_str("\n\n");
        last.push_str(&html.tail);
        assert_eq!(split_message(&html, MAX_MESSAGE_UNITS), cut);
    }
}
