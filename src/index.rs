//! The search index: every cleaned passage in a tantivy index built in RAM at
//! start-up, analysed with an English stemmer.
//!
//! User text never reaches tantivy's query parser: the engine builds queries from
//! already analysed terms ([`PassageIndex::search_terms`]). The index is built
//! once and never changes, so one [`IndexReader`] serves the whole program and
//! each search takes a fresh, cheap searcher from it.

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;
use tantivy::tokenizer::{Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Index, IndexReader, SingleSegmentIndexWriter, TantivyDocument, Term};

use crate::cleaning::Passage;
use crate::error::Result;

/// The name the English analyser is registered under, for both fields.
pub const ANALYZER_NAME: &str = "hypnic_english";

/// Tokens longer than this are dropped by the analyser (they are never words).
pub const MAX_TOKEN_CHARS: usize = 40;

/// How much a heading match counts, relative to a match in the passage itself.
const HEADING_BOOST: f32 = 0.5;

/// The writer's memory budget: the passages take a few hundred KB. The
/// budget sizes the writer's term table up front (a third of it), and that
/// table is most of what building the index allocates.
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

/// The passages, indexed.
pub struct PassageIndex {
    reader: IndexReader,
    text: Field,
    heading: Field,
    /// For each segment (by ordinal), the passage id of each document.
    passage_of_doc: Vec<Vec<usize>>,
    num_terms: usize,
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
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let text_options = TextOptions::default().set_indexing_options(indexing);
        let mut schema = Schema::builder();
        let passage_field = schema.add_u64_field("passage", NumericOptions::default().set_fast());
        let text = schema.add_text_field("text", text_options.clone());
        let heading = schema.add_text_field("heading", text_options);
        let tokenizers = TokenizerManager::default();
        tokenizers.register(ANALYZER_NAME, english_analyzer());
        // One segment, written on this thread: no indexing or merging threads,
        // and no minimum budget sized for large indexes.
        let mut writer: SingleSegmentIndexWriter<TantivyDocument> = Index::builder()
            .schema(schema.build())
            .tokenizers(tokenizers)
            .single_segment_index_writer(RamDirectory::create(), WRITER_MEMORY_BYTES)?;
        let mut analyzer = english_analyzer();
        let mut terms_of = |text: &str, into: &mut HashSet<String>| {
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                into.insert(stream.token().text.clone());
            }
        };
        let (mut text_terms, mut heading_terms) = (HashSet::new(), HashSet::new());
        for passage in passages {
            terms_of(&passage.text, &mut text_terms);
            if let Some(title) = &passage.heading {
                terms_of(title, &mut heading_terms);
            }
            let mut document = TantivyDocument::default();
            document.add_u64(passage_field, passage.id as u64);
            document.add_text(text, &passage.text);
            if let Some(title) = &passage.heading {
                document.add_text(heading, title);
            }
            writer.add_document(document)?;
        }
        let index = writer.finalize()?;

        let reader = index.reader()?;
        let searcher = reader.searcher();
        let mut passage_of_doc = Vec::new();
        let mut num_terms = 0;
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("passage")?;
            let ids = (0..segment.max_doc()).map(|doc| column.first(doc).unwrap_or(0) as usize).collect();
            passage_of_doc.push(ids);
            num_terms += segment.inverted_index(text)?.terms().num_terms();
        }
        Ok(PassageIndex { reader, text, heading, passage_of_doc, num_terms, text_terms, heading_terms })
    }

    /// The best `limit` passages for already analysed terms (stems), best first.
    /// Each term may match the passage text or, with less weight, its heading.
    ///
    /// # Errors
    /// [`crate::Error::Index`] if tantivy fails to read its own RAM index.
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
    /// [`crate::Error::Index`] if tantivy fails to read its own RAM index.
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
        self.num_terms
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

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(id: usize, text: &str) -> Passage {
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
}
