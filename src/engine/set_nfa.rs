//! The forward NFA of a pattern set, compiled, and its compact form: the
//! build script compiles the embedded sign patterns once and writes the NFA
//! as bytes, and a process rebuilds it from them instead of parsing and
//! compiling some hundreds of patterns at every start.
//!
//! The bytes carry a fingerprint of the patterns they were compiled from; a
//! set whose patterns differ (a curator's folder, a knowledge file edited
//! since the build) compiles its own. This file is also compiled into
//! `build.rs`, so both sides share one encoding and one compiler
//! configuration; it depends on nothing of the crate.

use regex_automata::nfa::thompson::{self, Builder, NFA, State, Transition};
use regex_automata::util::look::Look;
use regex_automata::util::primitives::StateID;
use regex_automata::util::syntax;

/// The first bytes of an encoded NFA, with the encoding's version.
const MAGIC: &[u8; 8] = b"hnfaset1";

/// The forward NFA of `patterns`, read as the curated patterns are (ASCII
/// classes and word boundaries), without capture states: a set only tells
/// which patterns match.
///
/// # Errors
/// When a pattern does not parse, or the patterns are too large together.
pub fn compile(patterns: &[&str]) -> Result<NFA, Box<thompson::BuildError>> {
    thompson::Compiler::new()
        .syntax(syntax::Config::new().unicode(false))
        .configure(thompson::Config::new().which_captures(thompson::WhichCaptures::None))
        .build_many(patterns)
        .map_err(Box::new)
}

/// A fingerprint of the patterns, in order (FNV-1a, 64 bits).
pub fn fingerprint(patterns: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for pattern in patterns {
        pattern.bytes().for_each(&mut add);
        // No pattern holds 0xff (they are UTF-8): it separates them.
        add(0xff);
    }
    (patterns.len() as u64).to_le_bytes().into_iter().for_each(add);
    hash
}

/// The NFA as bytes, with the fingerprint of its patterns; `None` for an NFA
/// with states the encoding leaves out (captures, dense transitions), which
/// [`compile`] never makes.
#[allow(dead_code)] // Used by the build script and the tests.
pub fn encode(nfa: &NFA, fingerprint: u64) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(nfa.states().len() * 12);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.push(u8::from(nfa.is_utf8()));
    let id = |out: &mut Vec<u8>, id: StateID| out.extend_from_slice(&id.as_u32().to_le_bytes());
    let count = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&(n as u32).to_le_bytes());
    id(&mut out, nfa.start_anchored());
    id(&mut out, nfa.start_unanchored());
    count(&mut out, nfa.pattern_len());
    for pattern in nfa.patterns() {
        id(&mut out, nfa.start_pattern(pattern)?);
    }
    count(&mut out, nfa.states().len());
    let transition = |out: &mut Vec<u8>, t: &Transition| {
        out.extend_from_slice(&[t.start, t.end]);
        id(out, t.next);
    };
    for state in nfa.states() {
        match state {
            State::ByteRange { trans } => {
                out.push(0);
                transition(&mut out, trans);
            }
            State::Sparse(sparse) => {
                out.push(1);
                count(&mut out, sparse.transitions.len());
                sparse.transitions.iter().for_each(|t| transition(&mut out, t));
            }
            State::Look { look, next } => {
                out.push(2);
                out.extend_from_slice(&look.as_repr().to_le_bytes());
                id(&mut out, *next);
            }
            State::Union { alternates } => {
                out.push(3);
                count(&mut out, alternates.len());
                alternates.iter().for_each(|&alt| id(&mut out, alt));
            }
            State::BinaryUnion { alt1, alt2 } => {
                out.push(4);
                id(&mut out, *alt1);
                id(&mut out, *alt2);
            }
            State::Fail => out.push(5),
            State::Match { pattern_id } => {
                out.push(6);
                count(&mut out, pattern_id.as_usize());
            }
            State::Dense(_) | State::Capture { .. } => return None,
        }
    }
    Some(out)
}

/// The NFA that [`encode`] wrote into `bytes`, when they hold one compiled
/// from patterns with this `fingerprint`; `None` otherwise.
pub fn decode(bytes: &[u8], fingerprint: u64) -> Option<NFA> {
    let mut reader = Reader { bytes };
    if reader.take(MAGIC.len())? != MAGIC || reader.u64()? != fingerprint {
        return None;
    }
    let mut builder = Builder::new();
    builder.set_utf8(reader.take(1)?[0] == 1);
    let (start_anchored, start_unanchored) = (reader.id()?, reader.id()?);
    let pattern_starts = (0..reader.u32()?).map(|_| reader.id()).collect::<Option<Vec<StateID>>>()?;
    let state_len = reader.u32()?;
    // States are added in their order, none empty, so each keeps its id.
    for _ in 0..state_len {
        let added = match reader.take(1)?[0] {
            0 => builder.add_range(reader.transition()?),
            1 => {
                let transitions = (0..reader.u32()?).map(|_| reader.transition()).collect::<Option<Vec<_>>>()?;
                builder.add_sparse(transitions)
            }
            2 => {
                let look = Look::from_repr(reader.u32()?)?;
                builder.add_look(reader.id()?, look)
            }
            3 => builder.add_union((0..reader.u32()?).map(|_| reader.id()).collect::<Option<Vec<_>>>()?),
            4 => builder.add_union(vec![reader.id()?, reader.id()?]),
            5 => builder.add_fail(),
            6 => {
                let pattern = reader.u32()? as usize;
                let started = builder.start_pattern().ok()?;
                if started.as_usize() != pattern {
                    return None;
                }
                let added = builder.add_match();
                builder.finish_pattern(*pattern_starts.get(pattern)?).ok()?;
                added
            }
            _ => return None,
        };
        added.ok()?;
    }
    if !reader.bytes.is_empty() || builder.pattern_len() != pattern_starts.len() {
        return None;
    }
    builder.build(start_anchored, start_unanchored).ok()
}

/// Reads the encoding from the front.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn id(&mut self) -> Option<StateID> {
        StateID::new(self.u32()? as usize).ok()
    }

    fn transition(&mut self) -> Option<Transition> {
        let range = self.take(2)?;
        let (start, end) = (range[0], range[1]);
        Some(Transition { start, end, next: self.id()? })
    }
}
