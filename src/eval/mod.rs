//! Scoring the engine on question files: topic accuracy per topic, a confusion
//! matrix, the must/must-not checks on the reply text, emergency recall and false
//! alarms, and the disclaimer on every reply.

mod cases;
mod report;

pub use cases::{
    Case, Conversation, TURN_KINDS, holds_conversations, load_cases, load_conversations, parse_cases,
    parse_conversations,
};
pub use report::{CategoryScore, Failure, Report, Thresholds, TopicScore, run, run_conversations};
