//! Fitting the trained reader: two softmax regressions (topic and urgency)
//! over the same hashed features, learned with AdaGrad from the train
//! writers, in an order drawn from a seeded generator so that the same corpus
//! and settings always give the same model.
//!
//! A label with several topics ("either answer is right") spreads its weight
//! evenly over them.

use std::collections::HashMap;

use super::corpus::Settings;
use super::random::SplitMix64;
use crate::eval::{Case, Urgency};
use crate::learned::features::features;
use crate::learned::model::{Header, Model, Thresholds, URGENCIES, feature_value, softmax};
use crate::topic::Topic;

/// A small step that keeps AdaGrad's first division finite.
const ADAGRAD_EPSILON: f32 = 1e-6;

/// A message ready to learn from: feature rows and target distributions.
struct Example {
    rows: Vec<usize>,
    /// Per topic class: its share of the label.
    topics: Vec<f32>,
    /// The urgency class, when the label says it (or its topic is urgent).
    urgency: Option<usize>,
}

/// Trains a model on `cases` (the train writers'), with default thresholds.
///
/// # Errors
/// When there are no cases to learn from.
pub fn fit(cases: &[Case], settings: &Settings, writers: usize, corpus: &str) -> anyhow::Result<Model> {
    anyhow::ensure!(!cases.is_empty(), "no messages to learn from: the train split is empty");
    let hashed: Vec<Vec<u64>> = cases.iter().map(|case| features(&case.question, &settings.features)).collect();
    // Features seen in enough messages, sorted: a feature's row is its place.
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for hash in hashed.iter().flatten() {
        *counts.entry(*hash).or_default() += 1;
    }
    let mut kept: Vec<u64> =
        counts.into_iter().filter(|&(_, count)| count >= settings.min_count).map(|(hash, _)| hash).collect();
    kept.sort_unstable();
    let row_of: HashMap<u64, usize> = kept.iter().enumerate().map(|(row, &hash)| (hash, row)).collect();
    // Classes in a fixed order: the topic ids sorted.
    let mut topics: Vec<String> =
        cases.iter().flat_map(|case| case.expected.iter().map(|t| t.id().to_string())).collect();
    topics.sort();
    topics.dedup();
    let examples: Vec<Example> = cases
        .iter()
        .zip(&hashed)
        .map(|(case, hashes)| {
            let mut target = vec![0.0; topics.len()];
            #[allow(clippy::cast_precision_loss)]
            let share = 1.0 / case.expected.len().max(1) as f32;
            for topic in &case.expected {
                if let Some(class) = topics.iter().position(|id| id == topic.id()) {
                    target[class] += share;
                }
            }
            // A case without an urgency teaches none, unless its topic is urgent.
            let urgent = |topic: Topic| !case.expected.is_empty() && case.expected.iter().all(|t| *t == topic);
            let urgency = match case.urgency {
                Some(Urgency::Routine) => Some(0),
                Some(Urgency::Doctor) => Some(1),
                Some(Urgency::Emergency) => Some(2),
                Some(Urgency::Crisis) => Some(3),
                None if urgent(Topic::EMERGENCY) => Some(2),
                None if urgent(Topic::CRISIS) => Some(3),
                None => None,
            };
            Example {
                rows: hashes.iter().filter_map(|hash| row_of.get(hash).copied()).collect(),
                topics: target,
                urgency,
            }
        })
        .collect();

    let width = topics.len() + URGENCIES.len();
    let mut weights = vec![0.0f32; kept.len() * width];
    let mut squares = vec![0.0f32; kept.len() * width];
    let mut bias = vec![0.0f32; width];
    let mut bias_squares = vec![0.0f32; width];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut random = SplitMix64::new(settings.seed);
    let mut logits = vec![0.0f32; width];
    let mut gradient = vec![0.0f32; width];
    let rate = settings.learning_rate;
    for _ in 0..settings.epochs {
        random.shuffle(&mut order);
        for &index in &order {
            let example = &examples[index];
            let x = if example.rows.is_empty() { 0.0 } else { feature_value(example.rows.len()) };
            logits.copy_from_slice(&bias);
            for row in &example.rows {
                for (logit, weight) in logits.iter_mut().zip(&weights[row * width..(row + 1) * width]) {
                    *logit += weight * x;
                }
            }
            let (topic_logits, urgency_logits) = logits.split_at(topics.len());
            for (class, p) in softmax(topic_logits).into_iter().enumerate() {
                gradient[class] = p - example.topics[class];
            }
            for (class, p) in softmax(urgency_logits).into_iter().enumerate() {
                gradient[topics.len() + class] = match example.urgency {
                    Some(urgency) => p - if class == urgency { 1.0 } else { 0.0 },
                    None => 0.0,
                };
            }
            for row in &example.rows {
                let span = row * width..(row + 1) * width;
                for ((weight, square), g) in weights[span.clone()].iter_mut().zip(&mut squares[span]).zip(&gradient) {
                    let step = g * x + settings.l2 * *weight;
                    *square += step * step;
                    *weight -= rate * step / (square.sqrt() + ADAGRAD_EPSILON);
                }
            }
            for ((b, square), g) in bias.iter_mut().zip(&mut bias_squares).zip(&gradient) {
                *square += g * g;
                *b -= rate * g / (square.sqrt() + ADAGRAD_EPSILON);
            }
        }
    }
    let mut languages: Vec<String> = cases.iter().filter_map(|case| case.lang.clone()).collect();
    languages.sort();
    languages.dedup();
    let header = Header {
        features: settings.features,
        languages,
        topics,
        thresholds: Thresholds::default(),
        corpus: corpus.to_string(),
        trained_on: (cases.len(), writers),
    };
    Ok(Model::from_parts(header, kept, weights, bias))
}
