//! Scoring the engine on question files: topic accuracy per topic, a confusion
//! matrix, the must/must-not checks on the reply text, emergency recall and false
//! alarms, and the disclaimer on every reply.

mod cases;
mod report;

pub use cases::{Case, load_cases, parse_cases};
pub use report::{CategoryScore, Failure, Report, Thresholds, TopicScore, run};
