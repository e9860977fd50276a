//! What retrieval adds to the curated choices: the passages of articles no
//! curator has curated yet, found by the index and read by the reader, so a
//! new article is quoted for the topics, factors and people it speaks of
//! before anyone writes a backing fragment for it.
//!
//! An article is *curated* once a backing fragment of `topics.toml` or
//! `factors.toml` comes from it: from then on the curator's choices speak for
//! it, and what `factors.toml` says the articles are silent on was written
//! with it in view. The passages of the other articles are candidates:
//! - for a topic, when it is the search's best passage for the question
//!   asked, above the topic's best backing passage, and fits no topic, or
//!   when it is more like that topic's backing
//!   passages than like any other topic's (BM25, with the backing passages'
//!   own words as the query), by at least [`TOPIC_FIT`] of the weakest
//!   backing passage's score;
//! - for a factor or a person, when the reader finds it in the passage's
//!   plain words as it finds it in a message (negations and exceptions
//!   included, spelling left alone); a passage
//!   that speaks of a factor also fits the topics that ask what makes spasms
//!   happen or worse.
//!
//! Every passage, curated or not, is also checked for words that alarm
//! (`reassurance.toml` `alarming`): such a passage is never placed under a
//! lead that reassures.

use std::collections::BTreeSet;

use regex::Regex;

use super::Engine;
use super::reading::Reader;
use crate::cleaning::{Corpus, split_sentences};
use crate::error::Result;
use crate::index::{Hit, PassageIndex, english_analyzer, score_of};
use crate::topic::Topic;

/// How close to a topic's backing passages a passage of an uncurated article
/// must come to fit the topic: this share of the BM25 score of the topic's
/// weakest backing passage, with the backing passages' words as the query.
/// Below half, a passage shares a few common words with the topic and says
/// something else.
pub(crate) const TOPIC_FIT: f32 = 0.5;

/// Words that, right before an alarming word, turn it around ("not dangerous").
const TURNING_WORDS: &[&str] = &["not", "never", "no", "rarely", "seldom", "isnt", "arent", "nor", "without"];

/// What retrieval found in the articles, by passage id.
#[derive(Debug, Default)]
pub(crate) struct Retrieval {
    /// Per passage: whether a curated backing fragment comes from its article.
    pub curated: Vec<bool>,
    /// Per topic slot: passages of uncurated articles that fit it, with how
    /// well (see [`TOPIC_FIT`]), best first.
    pub topic_fits: Vec<Vec<(usize, f32)>>,
    /// Per factor: passages of uncurated articles that speak of it, in
    /// reading order.
    pub factor_mentions: Vec<Vec<usize>>,
    /// Per person of `people.toml`: passages of uncurated articles about them.
    pub person_mentions: Vec<Vec<usize>>,
    /// Per passage: whether its words alarm, and so contradict a lead that
    /// reassures.
    pub alarming: Vec<bool>,
    /// Per passage: whether it fits a topic (is in [`Retrieval::topic_fits`]).
    pub fits_a_topic: Vec<bool>,
}

/// The curated choices retrieval starts from.
pub(crate) struct Curated<'a> {
    /// Per topic slot: its backing passage ids.
    pub backing: &'a [Vec<usize>],
    /// Per factor: its backing passage id, if the articles name it.
    pub factor_backing: &'a [Option<usize>],
    /// The slots of the topics that ask what makes spasms happen or worse:
    /// a passage that speaks of a factor fits them.
    pub factor_topics: &'a [usize],
}

impl Retrieval {
    /// Finds what the uncurated articles speak of, and which passages alarm.
    ///
    /// # Errors
    /// [`crate::Error::Index`] if tantivy fails to search its own index.
    pub fn find(
        corpus: &Corpus,
        index: &PassageIndex,
        reader: &Reader,
        curated: &Curated<'_>,
        alarming: &Regex,
        reassuring: &Regex,
    ) -> Result<Retrieval> {
        let mut curated_articles = vec![false; corpus.sources.len()];
        let cited = curated.backing.iter().flatten().chain(curated.factor_backing.iter().flatten());
        for &id in cited {
            curated_articles[corpus.passages[id].article] = true;
        }
        let mut retrieval = Retrieval {
            curated: corpus.passages.iter().map(|passage| curated_articles[passage.article]).collect(),
            topic_fits: vec![Vec::new(); curated.backing.len()],
            factor_mentions: vec![Vec::new(); reader.factors().len()],
            person_mentions: vec![Vec::new(); reader.people().len()],
            alarming: corpus.passages.iter().map(|passage| alarms(&passage.text, alarming, reassuring)).collect(),
            fits_a_topic: vec![false; corpus.passages.len()],
        };
        for passage in corpus.passages.iter().filter(|passage| !retrieval.curated[passage.id]) {
            let (factors, person) = reader.mentions(&passage.text);
            for factor in factors.into_iter().collect::<BTreeSet<usize>>() {
                retrieval.factor_mentions[factor].push(passage.id);
            }
            if let Some(person) = person {
                retrieval.person_mentions[person].push(passage.id);
            }
        }
        if retrieval.curated.iter().all(|&curated| curated) {
            return Ok(retrieval);
        }
        retrieval.topic_fits = topic_fits(corpus, index, curated.backing, &retrieval.curated)?;
        let speaks_of_factors: BTreeSet<usize> = retrieval.factor_mentions.iter().flatten().copied().collect();
        for &slot in curated.factor_topics {
            let fits = &mut retrieval.topic_fits[slot];
            let fitted: BTreeSet<usize> = fits.iter().map(|(id, _)| *id).collect();
            fits.extend(speaks_of_factors.difference(&fitted).map(|&id| (id, TOPIC_FIT)));
        }
        for &(id, _) in retrieval.topic_fits.iter().flatten() {
            retrieval.fits_a_topic[id] = true;
        }
        Ok(retrieval)
    }

    /// Per factor `factors.toml` calls silent: the passages of curated
    /// articles that name it all the same, for a curator to look at.
    pub fn silent_but_named(&self, corpus: &Corpus, reader: &Reader) -> Vec<Vec<usize>> {
        let factors = reader.factors();
        let mut named = vec![Vec::new(); factors.len()];
        for passage in corpus.passages.iter().filter(|passage| self.curated[passage.id]) {
            let (found, _) = reader.mentions(&passage.text);
            for factor in found.into_iter().collect::<BTreeSet<usize>>() {
                if !factors[factor].named {
                    named[factor].push(passage.id);
                }
            }
        }
        named
    }

    /// The best passage of an uncurated article for `topic_slot`: among those
    /// that fit it, and the search's best passage when it fits no topic and
    /// ranks at least as high as the topic's best backing passage
    /// (`backing_best`, its hit score), the one the search ranked highest,
    /// else the best fit. A passage that speaks of
    /// `person` comes first.
    pub fn for_topic(
        &self,
        topic_slot: usize,
        hits: &[Hit],
        backing_best: f32,
        person: Option<usize>,
    ) -> Option<usize> {
        let fits = self.topic_fits.get(topic_slot)?;
        // The search's best passage, when no topic claims it by fit and it
        // ranks above every backing passage of this one.
        let ranked = hits
            .first()
            .filter(|hit| backing_best > 0.0 && hit.score >= backing_best)
            .filter(|hit| !self.curated[hit.passage] && !self.fits_a_topic[hit.passage])
            .map(|hit| (hit.passage, 0.0));
        let candidates: Vec<(usize, f32)> = fits.iter().copied().chain(ranked).collect();
        let about_person = |id: usize| person.is_some_and(|person| self.person_mentions[person].contains(&id));
        candidates
            .iter()
            .enumerate()
            .max_by(|(a_order, (a, a_fit)), (b_order, (b, b_fit))| {
                about_person(*a)
                    .cmp(&about_person(*b))
                    .then(score_of(hits, *a).total_cmp(&score_of(hits, *b)))
                    .then(a_fit.total_cmp(b_fit))
                    .then(b_order.cmp(a_order))
            })
            .map(|(_, (id, _))| *id)
    }

    /// The best passage of an uncurated article that speaks of `factor`: the
    /// one the search ranked highest, else the first.
    pub fn for_factor(&self, factor: usize, hits: &[Hit]) -> Option<usize> {
        best_by_hits(self.factor_mentions.get(factor)?.iter().copied(), hits)
    }

    /// The best passage of an uncurated article that speaks of `person` (by
    /// index in `people.toml`) and is not one that `reassuring` marks: the
    /// one the search ranked highest, else the first.
    pub fn for_person(&self, person: usize, hits: &[Hit], reassuring: &[bool]) -> Option<usize> {
        let mentions = self.person_mentions.get(person)?.iter().copied();
        best_by_hits(mentions.filter(|&id| !reassuring[id]), hits)
    }
}

/// Of `ids`, the one the search ranked highest, else the first.
fn best_by_hits(ids: impl Iterator<Item = usize>, hits: &[Hit]) -> Option<usize> {
    ids.enumerate()
        .max_by(|(a_order, a), (b_order, b)| {
            score_of(hits, *a).total_cmp(&score_of(hits, *b)).then(b_order.cmp(a_order))
        })
        .map(|(_, id)| id)
}

/// What one passage serves, for a curator (`hypnic index`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassageRoles {
    /// Whether a curated backing fragment comes from its article.
    pub curated: bool,
    /// The topics it backs (curated) or fits (retrieved).
    pub topics: Vec<Topic>,
    /// The ids of the factors it backs or speaks of.
    pub factors: Vec<String>,
    /// The ids of the people of `people.toml` it speaks of (uncurated articles).
    pub people: Vec<String>,
    /// Whether its words alarm: never quoted under a lead that reassures.
    pub alarming: bool,
    /// For a factor `factors.toml` calls silent: the ids of those it names
    /// all the same, in a curated article.
    pub silent_but_named: Vec<String>,
}

impl PassageRoles {
    /// Whether any reply can quote it.
    pub fn is_quoted(&self) -> bool {
        !self.topics.is_empty() || !self.factors.is_empty()
    }
}

impl Engine {
    /// What each passage serves, by passage id: the topics and factors it
    /// backs or that retrieval found it for, and what a curator should look
    /// at. Reads every passage of a curated article once more, so it is for
    /// reports, not for answering.
    pub fn passage_roles(&self) -> Vec<PassageRoles> {
        let inner = &self.inner;
        let retrieval = &inner.retrieval;
        let factors = inner.reader.factors();
        let mut roles: Vec<PassageRoles> = inner
            .corpus
            .passages
            .iter()
            .map(|passage| PassageRoles {
                curated: retrieval.curated[passage.id],
                alarming: retrieval.alarming[passage.id],
                ..PassageRoles::default()
            })
            .collect();
        for (slot, spec) in inner.topics.iter().enumerate() {
            let retrieved = retrieval.topic_fits[slot].iter().map(|(id, _)| id);
            for &id in inner.backing[slot].iter().chain(retrieved) {
                roles[id].topics.push(spec.topic);
            }
        }
        for (index, factor) in factors.iter().enumerate() {
            for &id in inner.factor_passages[index].iter().chain(&retrieval.factor_mentions[index]) {
                roles[id].factors.push(factor.id.clone());
            }
        }
        for (index, person) in inner.reader.people().iter().enumerate() {
            for &id in &retrieval.person_mentions[index] {
                roles[id].people.push(person.id.clone());
            }
        }
        let silent = retrieval.silent_but_named(&inner.corpus, &inner.reader);
        for (index, ids) in silent.iter().enumerate() {
            for &id in ids {
                roles[id].silent_but_named.push(factors[index].id.clone());
            }
        }
        roles
    }
}

/// For each topic slot, the passages of uncurated articles (`curated` false,
/// per passage) that fit it best of all topics, by at least [`TOPIC_FIT`].
fn topic_fits(
    corpus: &Corpus,
    index: &PassageIndex,
    backing: &[Vec<usize>],
    curated: &[bool],
) -> Result<Vec<Vec<(usize, f32)>>> {
    let all = corpus.passages.len();
    // Per passage: the best (slot, fit) so far.
    let mut best: Vec<Option<(usize, f32)>> = vec![None; all];
    for (slot, ids) in backing.iter().enumerate() {
        let profile = profile_of(corpus, ids);
        let hits = index.search_terms(&profile, all)?;
        let weakest = ids.iter().map(|&id| score_of(&hits, id)).fold(f32::INFINITY, f32::min);
        if !weakest.is_finite() || weakest <= 0.0 {
            continue;
        }
        for hit in hits.iter().filter(|hit| !curated[hit.passage]) {
            let fit = hit.score / weakest;
            if fit >= TOPIC_FIT && best[hit.passage].is_none_or(|(_, other)| fit > other) {
                best[hit.passage] = Some((slot, fit));
            }
        }
    }
    let mut fits = vec![Vec::new(); backing.len()];
    for (id, found) in best.into_iter().enumerate() {
        if let Some((slot, fit)) = found {
            fits[slot].push((id, fit));
        }
    }
    for list in &mut fits {
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    Ok(fits)
}

/// The distinct stems of a topic's backing passages: the query that finds
/// passages like them.
fn profile_of(corpus: &Corpus, ids: &[usize]) -> Vec<String> {
    let mut analyzer = english_analyzer();
    let mut stems = BTreeSet::new();
    for &id in ids {
        let mut stream = analyzer.token_stream(&corpus.passages[id].text);
        while stream.advance() {
            stems.insert(stream.token().text.clone());
        }
    }
    stems.into_iter().collect()
}

/// Whether a passage's words alarm: an `alarming` match in a sentence that
/// does not ask ("are they dangerous?" claims nothing), outside what
/// reassures ("not dangerous") and not right after a word that turns it
/// around ("never harmful").
pub(crate) fn alarms(text: &str, alarming: &Regex, reassuring: &Regex) -> bool {
    split_sentences(text).into_iter().filter(|sentence| !sentence.ends_with('?')).any(|sentence| {
        let lower: String = sentence
            .to_lowercase()
            .chars()
            .filter(|c| *c != '\'' && *c != '’')
            .map(|c| if c == '-' { ' ' } else { c })
            .collect();
        let plain = reassuring.replace_all(&lower, " ");
        alarming.find_iter(&plain).any(|found| {
            let before = plain[..found.start()].split(|c: char| !c.is_alphanumeric()).rfind(|word| !word.is_empty());
            before.is_none_or(|word| !TURNING_WORDS.contains(&word))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_is_read_with_its_negation() {
        let alarming = Regex::new(r"\b(dangerous|harmful|life threatening)\b").unwrap();
        let reassuring = Regex::new(r"\b(not dangerous|benign)\b").unwrap();
        assert!(alarms("Hypnic jerks are dangerous and must be treated.", &alarming, &reassuring));
        assert!(alarms("They can be life-threatening.", &alarming, &reassuring));
        assert!(!alarms("They are not dangerous.", &alarming, &reassuring));
        assert!(!alarms("They are never harmful.", &alarming, &reassuring));
        assert!(!alarms("This condition is benign.", &alarming, &reassuring));
        assert!(!alarms("Are they dangerous? We look at them.", &alarming, &reassuring));
    }
}
