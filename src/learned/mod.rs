//! The trained reader: a classifier learned from the corpus of situations
//! (`knowledge/corpus/`) that reads a message's topic and urgency from its
//! words and character n-grams. The rules stay the floor: the engine takes the
//! classifier's topic only when it is confident, an emergency or a crisis when
//! either is confident, and reassurance only when both agree that nothing
//! warns. Pure Rust at reply time: a hash per feature and a sum per class.

pub mod features;
pub mod model;

pub use features::FeatureSpec;
pub use model::{Header, Model, Prediction, Thresholds, URGENCIES};
