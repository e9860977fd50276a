//! Choosing the trained reader's thresholds on the dev writers, with the
//! whole engine in the loop: each candidate is scored as the engine would
//! answer with it. In order:
//!
//! 1. emergency, then crisis: the lowest score that adds no false alarm to
//!    the rules' own, so the reader adds every emergency it can and no alarm;
//! 2. topic: the probability that gets the most topics right without a
//!    harmful reply more than the rules alone;
//! 3. routine: the lowest probability of "routine" under which no reply
//!    reassures a message that needs a doctor or more (the fewest such, if
//!    none reaches zero).
//!
//! Ties go to the higher threshold: the rules decide when in doubt.

use crate::Engine;
use crate::eval::{self, Case};
use crate::knowledge::Knowledge;
use crate::learned::{Model, Thresholds};

/// A threshold no probability reaches: that side of the reader is off.
pub const OFF: f32 = 2.0;

/// The thresholds under which the engine answers as the rules alone.
pub const RULES_ALONE: Thresholds = Thresholds { topic: OFF, emergency: OFF, crisis: OFF, routine: 0.0 };

/// How an engine does on some cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scores {
    /// Messages scored.
    pub cases: usize,
    /// Messages whose topic is one of the labelled ones.
    pub topic_correct: usize,
    /// Messages labelled an emergency or a crisis.
    pub urgent: usize,
    /// Of those, the ones answered with the urgent reply.
    pub urgent_caught: usize,
    /// Urgent replies to messages that were not urgent.
    pub false_alarms: usize,
    /// Reassuring replies to messages that needed a doctor or more.
    pub reassured: usize,
    /// Missed emergencies or crises, and wrong reassurance.
    pub harmful: usize,
}

impl Scores {
    /// Topic accuracy in percent.
    pub fn topic_percent(&self) -> f64 {
        percent(self.topic_correct, self.cases)
    }

    /// One line: topic, recall, false alarms, harmful.
    pub fn line(&self) -> String {
        format!(
            "topic {}/{} = {:.1}%, emergency and crisis recall {}/{}, false alarms {}, reassured {}, harmful {}",
            self.topic_correct,
            self.cases,
            self.topic_percent(),
            self.urgent_caught,
            self.urgent,
            self.false_alarms,
            self.reassured,
            self.harmful
        )
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    if whole == 0 { 100.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// Scores an engine on cases.
pub fn score(engine: &Engine, cases: &[Case]) -> Scores {
    let report = eval::run(engine, cases);
    Scores {
        cases: report.cases,
        topic_correct: report.topic_correct,
        urgent: report.emergencies_expected,
        urgent_caught: report.emergencies_caught,
        false_alarms: report.false_emergencies,
        reassured: report.reassured,
        harmful: report.harmful,
    }
}

/// The engine over `knowledge` with `model` read under `thresholds`.
///
/// # Errors
/// When the engine cannot be built from the knowledge.
pub fn engine_with(knowledge: &Knowledge, model: &Model, thresholds: Thresholds) -> crate::Result<Engine> {
    let mut model = model.clone();
    model.header.thresholds = thresholds;
    let mut knowledge = knowledge.clone();
    knowledge.model = Some(model);
    Engine::new(knowledge)
}

/// Chooses the thresholds of `model` on the dev cases; returns the model with
/// them and one line per choice, for the curator.
///
/// # Errors
/// When the engine cannot be built from the knowledge.
pub fn tune(knowledge: &Knowledge, model: &Model, dev: &[Case]) -> crate::Result<(Model, Vec<String>)> {
    let mut log = Vec::new();
    let run = |thresholds: Thresholds| -> crate::Result<Scores> {
        Ok(score(&engine_with(knowledge, model, thresholds)?, dev))
    };
    let rules = run(RULES_ALONE)?;
    log.push(format!("dev, rules alone: {}", rules.line()));
    let grid = |from: f32, to: f32, step: f32| -> Vec<f32> {
        let mut values = Vec::new();
        let mut value = from;
        while value <= to + 1e-6 {
            values.push((value * 100.0).round() / 100.0);
            value += step;
        }
        values
    };
    let mut chosen = RULES_ALONE;

    for urgent in ["emergency", "crisis"] {
        let mut best = (OFF, run(chosen)?);
        for value in grid(0.3, 0.95, 0.05).into_iter().rev() {
            let candidate = match urgent {
                "emergency" => Thresholds { emergency: value, ..chosen },
                _ => Thresholds { crisis: value, ..chosen },
            };
            let scores = run(candidate)?;
            if scores.false_alarms <= rules.false_alarms && scores.urgent_caught > best.1.urgent_caught {
                best = (value, scores);
            }
        }
        match urgent {
            "emergency" => chosen.emergency = best.0,
            _ => chosen.crisis = best.0,
        }
        log.push(format!("dev, {urgent} from {:.2}: {}", best.0, best.1.line()));
    }

    let floor = run(chosen)?;
    let mut best = (OFF, floor);
    for value in grid(0.2, 0.95, 0.05).into_iter().rev() {
        let scores = run(Thresholds { topic: value, ..chosen })?;
        if scores.harmful <= floor.harmful && scores.topic_correct > best.1.topic_correct {
            best = (value, scores);
        }
    }
    chosen.topic = best.0;
    log.push(format!("dev, topic from {:.2}: {}", best.0, best.1.line()));

    let mut best = (1.01, run(Thresholds { routine: 1.01, ..chosen })?);
    for value in grid(0.0, 0.95, 0.05).into_iter().rev() {
        let scores = run(Thresholds { routine: value, ..chosen })?;
        if scores.reassured <= best.1.reassured {
            best = (value, scores);
        }
    }
    chosen.routine = best.0;
    log.push(format!("dev, reassurance from routine {:.2}: {}", best.0, best.1.line()));

    let mut tuned = model.clone();
    tuned.header.thresholds = chosen;
    Ok((tuned, log))
}

/// The trained reader alone on some cases, in percent: its best topic is one
/// of the labelled ones, and its best urgency is the labelled one.
pub fn reader_alone(model: &Model, cases: &[Case]) -> (f64, f64) {
    let (mut topics, mut urgencies) = (0, 0);
    for case in cases {
        let prediction = model.predict(&case.question);
        let best = |probabilities: &[f32]| {
            probabilities.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(class, _)| class)
        };
        let topic = &model.header.topics[best(&prediction.topics)];
        topics += usize::from(case.expected.iter().any(|expected| expected.id() == topic));
        let urgency = crate::learned::URGENCIES[best(&prediction.urgency)];
        let labelled = case.urgency.map_or("routine", |urgency| match urgency {
            eval::Urgency::Routine => "routine",
            eval::Urgency::Doctor => "doctor",
            eval::Urgency::Emergency => "emergency",
            eval::Urgency::Crisis => "crisis",
        });
        urgencies += usize::from(urgency == labelled);
    }
    (percent(topics, cases.len()), percent(urgencies, cases.len()))
}
