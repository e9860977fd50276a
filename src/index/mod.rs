//! The search index: every cleaned passage in a tantivy index, analysed with
//! an English stemmer. By default it is built in RAM at start-up
//! ([`PassageIndex::build`]); a large corpus is built once into a folder
//! ([`PassageIndex::build_in`], `hypnic index --build DIR`) and opened
//! memory-mapped at start-up ([`PassageIndex::open`]), checked against the
//! passages it must hold. [`disk`] owns the folder, [`manifest`] the file
//! that says what the folder holds.
//!
//! User text never reaches tantivy's query parser: the engine builds queries from
//! already analysed terms ([`PassageIndex::search_terms`]). The index is built
//! once and never changes, so one [`IndexReader`] serves the whole program and
//! each search takes a fresh, cheap searcher from it.

mod disk;
mod manifest;

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::directory::{Directory, RamDirectory};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;
use tantivy::tokenizer::{Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, IndexReader, ReloadPolicy, SegmentReader, SingleSegmentIndexWriter, TantivyDocument, Term};

pub use disk::size_on_disk;
pub use manifest::FORMAT_VERSION;

use crate::cleaning::Passage;
use crate::error::Result;

/// The name the English analyser is registered under, for both fields.
pub const ANALYZER_NAME: &str = "hypnic_english";

/// Tokens longer than this are dropped by the analyser (they are never words).
pub const MAX_TOKEN_CHARS: usize = 40;

/// How much a heading match counts, relative to a match in the passage itself.
const HEADING_BOOST: f32 = 0.5;

/// The writer's memory budget: the embedded passages take a few hundred KB. The
/// budget sizes the writer's term table up front (a third of it), and that
/// table is most of what building the index allocates. A single-segment
/// writer never flushes early: for a larger corpus the table grows as needed.
const WRITER_MEMORY_BYTES: usize = 2_000_000;

/// The analyser used for the index and for every query: words, lower case,
/// English stems ("spasms" -> "spasm", "dangerous" -> "danger").
pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_CHARS))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// A passage that matched a search, with its BM25 score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The passage's id ([`Passage::id`]).
    pub passage: usize,
    /// BM25 score; higher is better.
    pub score: f32,
}

/// The score of `passage` among `hits`, 0 when the search did not find it.
pub fn score_of(hits: &[Hit], passage: usize) -> f32 {
    hits.iter().find(|hit| hit.passage == passage).map_or(0.0, |hit| hit.score)
}

/// The passages, indexed.
pub struct PassageIndex {
    reader: IndexReader,
    text: Field,
    heading: Field,
    /// For each segment (by ordinal), the passage id of each document.
    passage_of_doc: Vec<Vec<usize>>,
    /// Every term of the passage texts, and of the headings: a query term in
    /// neither adds nothing to a score, so it is left out of the query.
    text_terms: HashSet<String>,
    heading_terms: HashSet<String>,
}

impl PassageIndex {
    /// Indexes `passages` in RAM.
    ///
    /// # Errors
    /// [`crate::Error::Index`] if tantivy fails, which only happens when memory runs out.
    pub fn build(passages: &[Passage]) -> Result<PassageIndex> {
        let index = write(passages, RamDirectory::create())?;
        Ok(PassageIndex::read(&index)?)
    }

    /// Everything a search needs from a written index: its reader, the
    /// passage id of each document, and the terms of each field.
    fn read(index: &Index) -> tantivy::Result<PassageIndex> {
        let schema = index.schema();
        let (text, heading) = (schema.get_field("text")?, schema.get_field("heading")?);
        // The index never changes: nothing to reload, and no thread to watch its files.
        let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut passage_of_doc = Vec::new();
        let (mut text_terms, mut heading_terms) = (HashSet::new(), HashSet::new());
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("passage")?;
            let ids = (0..segment.max_doc()).map(|doc| column.first(doc).unwrap_or(0) as usize).collect();
            passage_of_doc.push(ids);
            add_terms(segment, text, &mut text_terms)?;
            add_terms(segment, heading, &mut heading_terms)?;
        }
        Ok(PassageIndex { reader, text, heading, passage_of_doc, text_terms, heading_terms })
    }

    /// The best `limit` passages for already analysed terms (stems), best first.
    /// Each term may match the passage text or, with less weight, its heading.
    ///
    /// # Errors
    /// [`crate::Error::Index`] if tantivy fails to read the index (for an
    /// index on disk, when its files fail to read).
    pub fn search_terms<S: AsRef<str>>(&self, stems: &[S], limit: usize) -> Result<Vec<Hit>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(stems.len() * 2);
        for stem in stems {
            let stem = stem.as_ref();
            if self.text_terms.contains(stem) {
                let in_text = TermQuery::new(Term::from_field_text(self.text, stem), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(in_text)));
            }
            if self.heading_terms.contains(stem) {
                let in_heading =
                    TermQuery::new(Term::from_field_text(self.heading, stem), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(in_heading), HEADING_BOOST))));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        self.run(&BooleanQuery::new(clauses), limit)
    }

    /// A bare search, for comparison in benchmarks: `text` is analysed as it is
    /// and every term is looked up in the passage text, top `limit` by BM25.
    ///
    /// # Errors
    /// As [`PassageIndex::search_terms`].
    pub fn search_text(&self, text: &str, limit: usize) -> Result<Vec<Hit>> {
        let mut analyzer = english_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while stream.advance() {
            terms.push(Term::from_field_text(self.text, &stream.token().text));
        }
        self.run(&BooleanQuery::new_multiterms_query(terms), limit)
    }

    /// Number of documents (passages) in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Number of distinct terms in the passage text field.
    pub fn num_terms(&self) -> usize {
        self.text_terms.len()
    }

    fn run(&self, query: &dyn Query, limit: usize) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let top = searcher.search(query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        Ok(top
            .into_iter()
            .filter_map(|(score, address)| {
                let passage = *self.passage_of_doc.get(address.segment_ord as usize)?.get(address.doc_id as usize)?;
                Some(Hit { passage, score })
            })
            .collect())
    }
}

/// The schema: the passage id (a fast field, to map hits back to passages),
/// and the passage text and its heading, both analysed with [`ANALYZER_NAME`].
/// Returns the schema and its fields in that order.
fn schema() -> (Schema, [Field; 3]) {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_options = TextOptions::default().set_indexing_options(indexing);
    let mut schema = Schema::builder();
    let passage = schema.add_u64_field("passage", NumericOptions::default().set_fast());
    let text = schema.add_text_field("text", text_options.clone());
    let heading = schema.add_text_field("heading", text_options);
    (schema.build(), [passage, text, heading])
}

/// tantivy's analysers with [`english_analyzer`] registered as [`ANALYZER_NAME`].
fn tokenizers() -> TokenizerManager {
    let tokenizers = TokenizerManager::default();
    tokenizers.register(ANALYZER_NAME, english_analyzer());
    tokenizers
}

/// Writes every passage into a new index in `directory`, as one segment.
fn write(passages: &[Passage], directory: impl Into<Box<dyn Directory>>) -> tantivy::Result<Index> {
    let (schema, [passage_field, text, heading]) = schema();
    // One segment, written on this thread: no indexing or merging threads,
    // and no minimum budget sized for large indexes.
    let mut writer: SingleSegmentIndexWriter<TantivyDocument> = Index::builder()
        .schema(schema)
        .tokenizers(tokenizers())
        .single_segment_index_writer(directory, WRITER_MEMORY_BYTES)?;
    for passage in passages {
        let mut document = TantivyDocument::default();
        document.add_u64(passage_field, passage.id as u64);
        document.add_text(text, &passage.text);
        if let Some(title) = &passage.heading {
            document.add_text(heading, title);
        }
        writer.add_document(document)?;
    }
    writer.finalize()
}

/// Adds every term of `field` in `segment` to `into`. Every term is an
/// analysed word, so valid UTF-8.
fn add_terms(segment: &SegmentReader, field: Field, into: &mut HashSet<String>) -> tantivy::Result<()> {
    let inverted = segment.inverted_index(field)?;
    let mut stream = inverted.terms().stream()?;
    while stream.advance() {
        if let Ok(term) = std::str::from_utf8(stream.key()) {
            into.insert(term.to_string());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn passage(id: usize, text: &str) -> Passage {
        Passage { id, article: 0, heading: None, text: text.to_string() }
    }

    #[test]
    fn stemmed_terms_find_inflected_words() {
        let passages = vec![passage(0, "Spasms are not dangerous."), passage(1, "Caffeine and nicotine.")];
        let index = PassageIndex::build(&passages).unwrap();
        let hits = index.search_terms(&["spasm", "danger"], 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].passage, 0);
        assert_eq!(index.search_text("caffeine?", 10).unwrap()[0].passage, 1);
    }

    #[test]
    fn search_syntax_is_just_text() {
        let index = PassageIndex::build(&[passage(0, "body text")]).unwrap();
        assert!(index.search_text("body:x AND (", 10).is_ok());
        assert!(index.search_terms(&["body:x", "(", ""], 10).unwrap().is_empty());
    }

    /// The terms read back from the index are the analyser's words, per field.
    #[test]
    fn the_term_sets_are_the_analysed_words() {
        let mut titled = passage(1, "Muscles twitch as you fall asleep.");
        titled.heading = Some("Why it happens".to_string());
        let index = PassageIndex::build(&[passage(0, "Spasms are not dangerous."), titled]).unwrap();
        let set = |words: &[&str]| words.iter().map(|word| word.to_string()).collect::<HashSet<_>>();
        let text = set(&["spasm", "are", "not", "danger", "muscl", "twitch", "as", "you", "fall", "asleep"]);
        assert_eq!(index.text_terms, text);
        assert_eq!(index.heading_terms, set(&["whi", "it", "happen"]));
        assert_eq!(index.num_terms(), 10);
    }
}
