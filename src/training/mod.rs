//! Teaching the trained reader: `hypnic train` reads the corpus of situations,
//! fits the model on the train writers, chooses its thresholds on the dev
//! writers with the whole engine in the loop, and scores the test writers,
//! rules alone against rules and reader together.

pub mod corpus;
pub mod fit;
pub mod random;
pub mod tune;

pub use corpus::{Corpus, SETTINGS_FILE, Settings, Split};
pub use fit::fit;
pub use random::SplitMix64;
pub use tune::{Scores, reader_alone, score, tune};
