//! Scoring the engine on question files: topic accuracy per topic, a confusion
//! matrix, the must/must-not checks on the reply text, emergency and crisis
//! recall and false alarms, harmful replies (a missed emergency or crisis, or
//! reassurance where the case forbids it, in the reply's language), the
//! disclaimer of the reply's language on every reply, and, for a case that
//! names its `lang`, one more check: the reply is in that language when
//! hypnic answers in it, else in English. [`compare`] scores the same cases
//! with two knowledges and lists what changed.

mod cases;
mod compare;
mod report;

pub use cases::{
    Case, Conversation, TURN_KINDS, Urgency, holds_conversations, load_cases, load_conversations, parse_cases,
    parse_conversations,
};
pub use compare::{Change, Comparison, compare};
pub use report::{CategoryScore, Failure, Report, Thresholds, TopicScore, run, run_conversations};
