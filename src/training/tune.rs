//! Choosing the trained reader's thresholds on the dev writers, with the
//! whole engine in the loop: each candidate is scored as the engine would
//! answer with it. No candidate may cost the project's own sets (`also_dev`)
//! a false alarm, a harmful reply, or more than 1% of their topics. In order:
//!
//! 1. emergency, crisis, then both in another language, then in a message
//!    the rules could not read: the most caught on the dev writers, each
//!    false alarm beyond the rules' own costing three;
//! 2. topic: the probability from which the reader swaps the rules' topic in
//!    English where the rules found no cue (their confidence below 0.4: the
//!    rules' cues are curated and their mechanisms tested one by one), and
//!    the one in another language it learned, that get the most topics right
//!    without a harmful reply more than before (`topic_sure` stays off);
//! 3. routine: the highest probability of "routine" under which no more
//!    replies reassure a message that needs a doctor or more than when the
//!    reader blocks all reassurance, and the project's sets pass as many
//!    checks as when the reader blocks none (their plain questions are
//!    reassured where their checks ask for it);
//! 4. routine in an answered language other than English: the highest
//!    probability of "routine" from which the reader vouches for the words
//!    the rules could not read, that gets the most topics right with no more
//!    wrong reassurance or harmful reply;
//! 5. small talk in English where the rules see another subject, then another
//!    subject where the rules answer: the highest probability that gets the
//!    most topics right with no more harm (and, for another subject, no topic
//!    of the project's sets lost).
//!
//! Ties go to the higher threshold: the rules decide when in doubt.

use crate::Engine;
use crate::eval::{self, Case};
use crate::knowledge::Knowledge;
use crate::learned::{Model, Thresholds};

/// A threshold no probability reaches: that side of the reader is off.
pub const OFF: f32 = 2.0;

/// The thresholds under which the engine answers as the rules alone.
pub const RULES_ALONE: Thresholds = Thresholds {
    topic: OFF,
    rules_confident: 0.0,
    topic_sure: OFF,
    topic_foreign: OFF,
    emergency: OFF,
    crisis: OFF,
    crisis_lean: OFF,
    urgent_foreign: OFF,
    urgent_unread: OFF,
    routine: 0.0,
    routine_foreign: OFF,
    smalltalk: OFF,
    out_of_scope: OFF,
};

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
    /// The cases' must and must-not checks that passed.
    pub checks_passed: usize,
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
        checks_passed: report.checks_passed,
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

/// The project's own sets (`also_dev`) may lose at most this share of their
/// topics to the reader: they are what the rules are known to answer well.
const PROJECT_LOSS: f64 = 0.01;

/// A false alarm costs this many emergencies or crises caught.
const FALSE_ALARM_COST: usize = 3;

/// Scores of one candidate: on the dev writers, on the project's sets that
/// choose thresholds, and on those that teach.
#[derive(Debug, Clone, Copy)]
struct Trial {
    writers: Scores,
    project: Scores,
    taught: Scores,
}

/// Chooses the thresholds of `model` on the dev writers' cases, keeping the
/// project's own sets where the rules have them: the topics of those that
/// choose thresholds (`project`, `also_dev`), and the safety of those and of
/// those that teach (`taught`, `also_train`). Returns the model with them and
/// one line per choice, for the curator.
///
/// # Errors
/// When the engine cannot be built from the knowledge.
pub fn tune(
    knowledge: &Knowledge,
    model: &Model,
    writers: &[Case],
    project: &[Case],
    taught: &[Case],
) -> crate::Result<(Model, Vec<String>)> {
    let mut log = Vec::new();
    let run = |thresholds: Thresholds| -> crate::Result<Trial> {
        let engine = engine_with(knowledge, model, thresholds)?;
        Ok(Trial { writers: score(&engine, writers), project: score(&engine, project), taught: score(&engine, taught) })
    };
    let rules = run(RULES_ALONE)?;
    log.push(format!("dev writers, rules alone: {}", rules.writers.line()));
    log.push(format!("project sets, rules alone: {}", rules.project.line()));
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let allowed_loss = (rules.project.cases as f64 * PROJECT_LOSS).floor() as usize;
    // The project's sets: no new false alarm or harmful reply, and few topics lost.
    let keeps = |trial: &Trial| {
        trial.project.false_alarms + trial.taught.false_alarms <= rules.project.false_alarms + rules.taught.false_alarms
            && trial.project.harmful + trial.taught.harmful <= rules.project.harmful + rules.taught.harmful
            && trial.project.topic_correct + allowed_loss >= rules.project.topic_correct
    };
    let grid = |from: f32, to: f32, step: f32| -> Vec<f32> {
        let mut values = Vec::new();
        let mut value = from;
        while value <= to + 1e-6 {
            values.push((value * 100.0).round() / 100.0);
            value += step;
        }
        values
    };
    let describe = |trial: &Trial| format!("{}; project sets {}", trial.writers.line(), trial.project.line());
    let mut chosen = RULES_ALONE;

    // Emergencies, then crises: the most caught, a false alarm costing three.
    let urgent_value = |trial: &Trial| {
        let added = trial.writers.false_alarms.saturating_sub(rules.writers.false_alarms);
        trial.writers.urgent_caught.saturating_sub(FALSE_ALARM_COST * added)
    };
    for urgent in ["emergency", "crisis", "lean", "foreign", "unread"] {
        let mut best = (OFF, run(chosen)?);
        let mut values = grid(0.3, 0.95, 0.05);
        values.extend([0.97, 0.98, 0.99]);
        for value in values.into_iter().rev() {
            let candidate = match urgent {
                "emergency" => Thresholds { emergency: value, ..chosen },
                "crisis" => Thresholds { crisis: value, ..chosen },
                "lean" => Thresholds { crisis_lean: value, ..chosen },
                "foreign" => Thresholds { urgent_foreign: value, ..chosen },
                _ => Thresholds { urgent_unread: value, ..chosen },
            };
            let trial = run(candidate)?;
            if keeps(&trial) && urgent_value(&trial) > urgent_value(&best.1) {
                best = (value, trial);
            }
        }
        match urgent {
            "emergency" => chosen.emergency = best.0,
            "crisis" => chosen.crisis = best.0,
            "lean" => chosen.crisis_lean = best.0,
            "foreign" => chosen.urgent_foreign = best.0,
            _ => chosen.urgent_unread = best.0,
        }
        let what = match urgent {
            "lean" => "crisis with a sign that leans",
            "foreign" => "emergency or crisis in another language",
            "unread" => "emergency or crisis the rules could not read",
            _ => urgent,
        };
        log.push(format!("{what} from {:.2}: {}", best.0, describe(&best.1)));
    }

    // The topic: the most right on the dev writers, no more harm, with
    // reassurance held to a routine reading meanwhile.
    chosen.routine = Thresholds::default().routine;
    let floor = run(chosen)?;
    let better = |trial: &Trial, best: &Trial| {
        keeps(trial)
            && trial.writers.harmful <= floor.writers.harmful
            && trial.writers.topic_correct > best.writers.topic_correct
    };
    let mut best = (chosen, floor);
    for rules_confident in [0.4, 0.3] {
        for topic in grid(0.2, 0.9, 0.1).into_iter().rev() {
            let candidate = Thresholds { topic, rules_confident, ..chosen };
            let trial = run(candidate)?;
            if better(&trial, &best.1) {
                best = (candidate, trial);
            }
        }
    }
    for topic_foreign in grid(0.1, 0.9, 0.1).into_iter().rev() {
        let candidate = Thresholds { topic_foreign, ..best.0 };
        let trial = run(candidate)?;
        if better(&trial, &best.1) {
            best = (candidate, trial);
        }
    }
    chosen = best.0;
    log.push(format!(
        "topic from {:.2} where the rules are below {:.2}, from {:.2} anywhere, from {:.2} in another language: {}",
        chosen.topic,
        chosen.rules_confident,
        chosen.topic_sure,
        chosen.topic_foreign,
        describe(&best.1)
    ));

    // Reassurance: the highest probability of routine with the fewest wrong
    // that keeps the project's checks of reassuring replies.
    let wrong = |trial: &Trial| trial.writers.reassured + trial.project.reassured;
    let fewest = wrong(&run(Thresholds { routine: 1.01, ..chosen })?);
    let unblocked = run(Thresholds { routine: 0.0, ..chosen })?;
    let checks = |trial: &Trial| trial.project.checks_passed + trial.taught.checks_passed;
    let mut best = (0.0, unblocked);
    for value in grid(0.0, 0.95, 0.05).into_iter().rev() {
        let trial = run(Thresholds { routine: value, ..chosen })?;
        if wrong(&trial) <= fewest && checks(&trial) >= checks(&unblocked) && keeps(&trial) {
            best = (value, trial);
            break;
        }
    }
    chosen.routine = best.0;
    log.push(format!("reassurance from routine {:.2}: {}", best.0, describe(&best.1)));

    // The last thresholds, one at a time from 0.95 down to 0.5: the value that
    // gets the most topics right on the dev writers, with no more harm than the
    // best before it and where `also` holds against that best. `current` is the
    // trial of the thresholds chosen so far; `None` keeps their value.
    let most_right = |current: Trial,
                      at: &dyn Fn(f32) -> Thresholds,
                      also: &dyn Fn(&Trial, &Trial) -> bool|
     -> crate::Result<(Option<f32>, Trial)> {
        let mut best = (None, current);
        for value in grid(0.5, 0.95, 0.05).into_iter().rev() {
            let trial = run(at(value))?;
            if keeps(&trial)
                && also(&trial, &best.1)
                && trial.writers.harmful <= best.1.writers.harmful
                && trial.writers.topic_correct > best.1.writers.topic_correct
            {
                best = (Some(value), trial);
            }
        }
        Ok(best)
    };

    // Reassurance in an answered language other than English, where the reader
    // vouches for the words the rules could not read: no more wrong reassurance.
    let (value, trial) =
        most_right(best.1, &|value| Thresholds { routine_foreign: value, ..chosen }, &|trial, best| {
            wrong(trial) <= wrong(best)
        })?;
    chosen.routine_foreign = value.unwrap_or(chosen.routine_foreign);
    log.push(format!(
        "reassurance in an answered language from routine {:.2}: {}",
        chosen.routine_foreign,
        describe(&trial)
    ));

    // Small talk the rules place out of scope.
    let (value, trial) = most_right(trial, &|value| Thresholds { smalltalk: value, ..chosen }, &|_, _| true)?;
    chosen.smalltalk = value.unwrap_or(chosen.smalltalk);
    log.push(format!(
        "small talk where the rules see another subject from {:.2}: {}",
        chosen.smalltalk,
        describe(&trial)
    ));

    // Another subject where the rules answer, never at the cost of a topic of
    // the project's sets (those that choose and those that teach): the reader
    // must not turn away a question the rules answer right.
    let project_topics = |trial: &Trial| trial.project.topic_correct + trial.taught.topic_correct;
    let (value, trial) = most_right(trial, &|value| Thresholds { out_of_scope: value, ..chosen }, &|trial, best| {
        project_topics(trial) >= project_topics(best)
    })?;
    chosen.out_of_scope = value.unwrap_or(chosen.out_of_scope);
    log.push(format!("another subject where the rules answer from {:.2}: {}", chosen.out_of_scope, describe(&trial)));

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
