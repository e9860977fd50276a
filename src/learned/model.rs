//! The trained reader's model: two softmax heads over hashed features, one for
//! the topic and one for the urgency, with the thresholds chosen on the dev
//! writers. `hypnic train` writes it to `knowledge/reader.model`; the engine
//! loads it and reads every message with it.
//!
//! The file is little-endian: the magic `HYPNICRM`, the header as JSON
//! (length-prefixed), the number of features, their sorted hashes, and the
//! weights as 16-bit integers with one scale, row by row, then the biases.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::features::{FeatureSpec, features};

/// The first bytes of a model file.
const MAGIC: &[u8; 8] = b"HYPNICRM";

/// The urgency classes, in the order of the urgency head.
pub const URGENCIES: [&str; 4] = ["routine", "doctor", "emergency", "crisis"];

/// What a model says about itself: how it reads, what it predicts, the
/// thresholds the engine uses it with, and what it was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// How messages are cut into features.
    pub features: FeatureSpec,
    /// The topic head's classes: topic ids of `topics.toml` and the fixed
    /// outcomes (`emergency`, `crisis`, `out_of_scope`, `smalltalk`).
    pub topics: Vec<String>,
    /// The thresholds, chosen on the dev writers.
    pub thresholds: Thresholds,
    /// The fingerprint of the corpus and the training settings it was
    /// trained from (see `hypnic train`).
    pub corpus: String,
    /// How many messages it learned from, and from how many writers.
    pub trained_on: (usize, usize),
    /// The languages of the messages it learned from (`lang` of the corpus):
    /// it reads a message in another language only if it learned that one.
    pub languages: Vec<String>,
}

/// When the trained reader decides, by probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Its topic replaces the rules' topic from this probability on, when
    /// the rules are less confident than `rules_confident`...
    pub topic: f32,
    /// ... (the rules' own confidence in their topic, in [0, 1])...
    pub rules_confident: f32,
    /// ... and whatever the rules' confidence from this probability on.
    pub topic_sure: f32,
    /// In a message written in another language, which the rules read
    /// through a glossary at best, its topic decides from this probability on.
    pub topic_foreign: f32,
    /// An emergency from this score on (the mean of the two heads'
    /// emergency probabilities), unless the rules read the signs as a habit,
    /// a possibility or absent.
    pub emergency: f32,
    /// A crisis from this score on, likewise.
    pub crisis: f32,
    /// A crisis sign that leans (`lean` in `signs.toml`: "a burden", "I
    /// can't keep doing this") counts from this crisis score on. Off (above
    /// 1) in a model that does not say.
    #[serde(default = "off")]
    pub crisis_lean: f32,
    /// In a message written in another language, an emergency or a crisis
    /// from this score on.
    pub urgent_foreign: f32,
    /// In a message the rules could not read (no glossary, or read in part
    /// through one), an emergency or a crisis from this score on.
    pub urgent_unread: f32,
    /// Reassurance needs at least this probability of `routine`, and in a
    /// message that tells a story, `routine` at least as likely as `doctor`;
    /// 0 gives the reader no say on reassurance at all.
    pub routine: f32,
    /// In a message written in an answered language other than English, in
    /// which the rules found no sign, person or sensation, from this
    /// probability of `routine` on the reader vouches for the words the rules
    /// could not read: reassurance is earned. Off (above 1) in a model that
    /// does not say.
    #[serde(default = "off")]
    pub routine_foreign: f32,
    /// In English, a message the rules place out of scope is small talk from
    /// this probability of small talk on ("are you a real person or a
    /// robot", a greeting in a language the lexicon does not hold), where it
    /// names no warning sign, person or symptom. Off (above 1) in a model
    /// that does not say.
    #[serde(default = "off")]
    pub smalltalk: f32,
    /// In English, an answerable topic of the rules is "about something
    /// else" from this probability of it on (restless legs, a cramp or a
    /// night-shift rota told in words the rules place in sleep). A warning
    /// sign told of the night is still answered. Off (above 1) in a model
    /// that does not say.
    #[serde(default = "off")]
    pub out_of_scope: f32,
}

/// A threshold no probability reaches.
fn off() -> f32 {
    1.01
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            topic: 0.6,
            rules_confident: 0.6,
            topic_sure: 0.9,
            topic_foreign: 0.5,
            emergency: 0.8,
            crisis: 0.8,
            crisis_lean: off(),
            urgent_foreign: 0.8,
            urgent_unread: 0.8,
            routine: 0.5,
            routine_foreign: off(),
            smalltalk: off(),
            out_of_scope: off(),
        }
    }
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    /// The header.
    pub header: Header,
    /// Sorted feature hashes; a feature's row is its position.
    hashes: Vec<u64>,
    /// The row of each hash, found in one probe or a few.
    rows: RowTable,
    /// Per feature row: the topic weights, then the urgency weights.
    weights: Weights,
    /// The biases, in the same layout as one row.
    bias: Vec<f32>,
}

/// A model's weights, row by row.
#[derive(Debug, Clone)]
enum Weights {
    /// As trained.
    Exact(Vec<f32>),
    /// As a model file keeps them: 16-bit integers and one scale, each weight
    /// `f32::from(raw) * scale`. Unpacked only for the rows a message uses:
    /// unpacking them all cost each start a few milliseconds and twice the memory.
    Quantized { raw: Vec<i16>, scale: f32 },
}

impl Weights {
    /// Adds the weights in `span` (one row), times `x`, to `logits`.
    fn add_row(&self, span: std::ops::Range<usize>, x: f32, logits: &mut [f32]) {
        match self {
            Weights::Exact(weights) => {
                for (logit, weight) in logits.iter_mut().zip(&weights[span]) {
                    *logit += weight * x;
                }
            }
            Weights::Quantized { raw, scale } => {
                for (logit, &raw) in logits.iter_mut().zip(&raw[span]) {
                    let weight = f32::from(raw) * scale;
                    *logit += weight * x;
                }
            }
        }
    }
}

/// The row of each feature hash: an open-addressing table, where a binary
/// search over tens of thousands of hashes takes about sixteen steps, each a
/// likely cache miss, for every feature of every message.
#[derive(Debug, Clone)]
struct RowTable {
    /// Per slot: a row, or [`RowTable::EMPTY`].
    slots: Vec<u32>,
    /// The bits of a hash that pick its first slot.
    bits: u32,
}

impl RowTable {
    const EMPTY: u32 = u32::MAX;

    /// The table of `hashes`, at most half full. Rows beyond `u32` are left
    /// out (a model file counts its features in a `u32`).
    fn new(hashes: &[u64]) -> RowTable {
        let bits = (hashes.len() * 2).next_power_of_two().max(2).trailing_zeros();
        let mut table = RowTable { slots: vec![RowTable::EMPTY; 1 << bits], bits };
        let mask = table.slots.len() - 1;
        for (row, &hash) in (0..RowTable::EMPTY).zip(hashes) {
            let mut slot = table.first_slot(hash);
            while table.slots[slot] != RowTable::EMPTY {
                slot = (slot + 1) & mask;
            }
            table.slots[slot] = row;
        }
        table
    }

    /// Fibonacci hashing: the top bits of the hash times the golden ratio.
    fn first_slot(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The row of `hash` among `hashes` (those the table was made from).
    fn find(&self, hashes: &[u64], hash: u64) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut slot = self.first_slot(hash);
        loop {
            let row = self.slots[slot];
            if row == RowTable::EMPTY {
                return None;
            }
            if hashes[row as usize] == hash {
                return Some(row as usize);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// What the model reads in a message: a probability per class of each head.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Per class of [`Header::topics`].
    pub topics: Vec<f32>,
    /// Per class of [`URGENCIES`].
    pub urgency: Vec<f32>,
    /// How many of the message's features the model knows.
    pub known_features: usize,
}

impl Model {
    /// A model from its parts; `weights` has one row of
    /// `header.topics.len() + URGENCIES.len()` per hash.
    pub(crate) fn from_parts(header: Header, hashes: Vec<u64>, weights: Vec<f32>, bias: Vec<f32>) -> Model {
        let rows = RowTable::new(&hashes);
        Model { header, hashes, rows, weights: Weights::Exact(weights), bias }
    }

    /// The width of a row: every class of both heads.
    fn width(&self) -> usize {
        self.header.topics.len() + URGENCIES.len()
    }

    /// How many features it knows.
    pub fn feature_count(&self) -> usize {
        self.hashes.len()
    }

    /// The probabilities of every class for a message.
    pub fn predict(&self, message: &str) -> Prediction {
        let width = self.width();
        let rows: Vec<usize> = features(message, &self.header.features)
            .into_iter()
            .filter_map(|hash| self.rows.find(&self.hashes, hash))
            .collect();
        let mut logits = self.bias.clone();
        if !rows.is_empty() {
            let x = feature_value(rows.len());
            for row in &rows {
                self.weights.add_row(row * width..(row + 1) * width, x, &mut logits);
            }
        }
        let (topics, urgency) = logits.split_at(self.header.topics.len());
        Prediction { topics: softmax(topics), urgency: softmax(urgency), known_features: rows.len() }
    }

    /// The model as the bytes of a model file. Weights are rounded to 16 bits.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).expect("a header always serialises");
        let (quantized, scale): (Cow<'_, [i16]>, f32) = match &self.weights {
            Weights::Exact(weights) => {
                let scale = weights.iter().fold(0.0f32, |max, w| max.max(w.abs())).max(f32::MIN_POSITIVE) / 32767.0;
                #[allow(clippy::cast_possible_truncation)]
                let rounded = weights.iter().map(|weight| (weight / scale).round().clamp(-32767.0, 32767.0) as i16);
                (Cow::Owned(rounded.collect()), scale)
            }
            Weights::Quantized { raw, scale } => (Cow::Borrowed(raw.as_slice()), *scale),
        };
        let mut bytes = Vec::with_capacity(32 + header.len() + self.hashes.len() * (8 + 2 * self.width()));
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&u32::try_from(header.len()).unwrap_or(u32::MAX).to_le_bytes());
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&u32::try_from(self.hashes.len()).unwrap_or(u32::MAX).to_le_bytes());
        bytes.extend_from_slice(&scale.to_le_bytes());
        for hash in &self.hashes {
            bytes.extend_from_slice(&hash.to_le_bytes());
        }
        for raw in quantized.iter() {
            bytes.extend_from_slice(&raw.to_le_bytes());
        }
        for bias in &self.bias {
            bytes.extend_from_slice(&bias.to_le_bytes());
        }
        bytes
    }

    /// Reads a model file's bytes.
    ///
    /// # Errors
    /// A message that says what is wrong, when the bytes are not a whole model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        if !bytes.starts_with(MAGIC) {
            return Err("not a hypnic reader model (run `hypnic train`)".to_string());
        }
        let mut cursor = Cursor { bytes, at: MAGIC.len() };
        let header_len = cursor.u32()? as usize;
        let header: Header = serde_json::from_slice(cursor.take(header_len)?)
            .map_err(|error| format!("the model's header is malformed: {error}"))?;
        let count = cursor.u32()? as usize;
        let scale = f32::from_le_bytes(cursor.array()?);
        let width = header.topics.len() + URGENCIES.len();
        let mut hashes = Vec::with_capacity(count);
        for _ in 0..count {
            hashes.push(u64::from_le_bytes(cursor.array()?));
        }
        if !hashes.is_sorted() {
            return Err("the model's features are not sorted".to_string());
        }
        let raw = cursor.take(count * width * 2)?;
        let raw = raw.chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]])).collect();
        let mut bias = Vec::with_capacity(width);
        for _ in 0..width {
            bias.push(f32::from_le_bytes(cursor.array()?));
        }
        if cursor.at != bytes.len() {
            return Err(format!("the model has {} bytes after its end", bytes.len() - cursor.at));
        }
        let rows = RowTable::new(&hashes);
        Ok(Model { header, hashes, rows, weights: Weights::Quantized { raw, scale }, bias })
    }
}

/// The value of each present feature in a message with `count` features: the
/// vector has length 1, so long and short messages weigh alike.
pub(crate) fn feature_value(count: usize) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let count = count as f32;
    1.0 / count.sqrt()
}

/// Probabilities from logits.
pub(crate) fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|logit| (logit - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Reads a model file front to back.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(len).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| "the model file is cut short (run `hypnic train`)".to_string())?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_table_finds_every_hash_and_only_those() {
        let mut state = 7u64;
        let mut hashes: Vec<u64> = (0..5_000)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                state
            })
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let table = RowTable::new(&hashes);
        for (row, &hash) in hashes.iter().enumerate() {
            assert_eq!(table.find(&hashes, hash), Some(row));
        }
        for absent in [0, 1, u64::MAX, hashes[0] + 1] {
            assert_eq!(table.find(&hashes, absent), hashes.binary_search(&absent).ok());
        }
        assert_eq!(RowTable::new(&[]).find(&[], 42), None);
    }

    fn tiny() -> Model {
        let header = Header {
            features: FeatureSpec { word_pairs: false, char_min: 3, char_max: 3 },
            topics: vec!["safety".into(), "emergency".into()],
            thresholds: Thresholds::default(),
            corpus: "0".into(),
            trained_on: (2, 1),
            languages: vec!["en".into()],
        };
        let spec = header.features;
        let mut hashes = features("breathing", &spec);
        hashes.truncate(1);
        let weights = vec![-1.0, 2.0, 0.0, 0.0, 1.5, 0.0];
        Model::from_parts(header, hashes, weights, vec![0.1, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    #[test]
    fn a_model_survives_its_file() {
        let model = tiny();
        let read = Model::from_bytes(&model.to_bytes()).unwrap();
        assert_eq!(read.header, model.header);
        let (a, b) = (model.predict("breathing"), read.predict("breathing"));
        for (x, y) in a.topics.iter().zip(&b.topics) {
            assert!((x - y).abs() < 1e-3);
        }
        assert!(a.topics[1] > a.topics[0]);
        assert_eq!(model.predict("xyz qqq").known_features, 0);
    }

    #[test]
    fn a_read_model_predicts_as_its_weights_unpacked_and_writes_the_same_file() {
        let bytes = tiny().to_bytes();
        let read = Model::from_bytes(&bytes).unwrap();
        assert_eq!(read.to_bytes(), bytes, "a read model writes its file unchanged");
        let Weights::Quantized { raw, scale } = &read.weights else { panic!("a read model keeps its raw weights") };
        let unpacked = raw.iter().map(|&raw| f32::from(raw) * scale).collect();
        let exact = Model::from_parts(read.header.clone(), read.hashes.clone(), unpacked, read.bias.clone());
        for message in ["breathing", "breathing breathing", "xyz"] {
            assert_eq!(read.predict(message), exact.predict(message), "bit for bit: {message}");
        }
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        let bytes = tiny().to_bytes();
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err().contains("cut short"));
        assert!(Model::from_bytes(b"PK\x03\x04").unwrap_err().contains("not a hypnic"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Model::from_bytes(&longer).unwrap_err().contains("after its end"));
    }
}
