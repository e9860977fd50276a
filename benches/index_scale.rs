//! The passage index at scale: 1,000, 10,000 and 100,000 generated passages,
//! indexed in RAM ([`PassageIndex::build`]) and on disk
//! ([`PassageIndex::build_in`], then [`PassageIndex::open`], memory-mapped).
//! For each size it prints the build times, the size on disk, the process's
//! memory, and the p50/p99/max of `search_terms` (top 8, as the engine
//! searches) over the same queries on both indexes, timed side by side.
//!
//! The passages are generated, the same on every run: 30 to 80 words each,
//! drawn with a Zipf-like frequency from about 20,000 pseudo-words and a few
//! hundred real English words, with a section heading over about every ten
//! passages. Queries are 2 to 6 stems drawn with the same frequencies.
//!
//! Run: `cargo bench --bench index_scale`. The figures are also saved for
//! `examples/bench_compare.rs` (see `results`).

mod results;

use std::collections::HashSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hypnic::cleaning::Passage;
use hypnic::index::{Hit, PassageIndex, english_analyzer, size_on_disk};
use hypnic::training::SplitMix64;
use results::Run;

/// How many passages each round indexes.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// How many queries each round times, on each index.
const QUERIES: usize = 20_000;

/// How many pseudo-words the vocabulary has, beside the real words.
const PSEUDO_WORDS: usize = 20_000;

/// How many passages a search returns in the engine.
const SEARCH_LIMIT: usize = 8;

/// Real words, mostly of sleep, mixed into the vocabulary.
const REAL_WORDS: &str = "
    the a an and or but of to in on at by for with from as is are was were be been being it its
    this that these those i you he she we they my your his her our their me him us them not no
    can could may might will would should do does did have has had what why how when where who
    which very often sometimes never always just only also more most less some many few all any
    sleep sleeping asleep slept sleeper sleepy sleepiness sleepless insomnia nap naps napping
    bed bedtime night nights nightly evening morning wake waking woke awake awaken dream dreams
    dreaming nightmare nightmares rest restless tired tiredness fatigue exhausted exhaustion
    hypnic jerk jerks jerking spasm spasms twitch twitches twitching myoclonus myoclonic start
    starts startle startled kick kicks kicking shake shaking tremor tremors shudder jolt jolts
    muscle muscles muscular limb limbs leg legs arm arms foot feet hand hands body brain nerve
    nerves nervous neuron neurons spine spinal reflex reflexes motor movement movements move
    falling fall falls fell drop dropping sensation sensations feeling feel feels felt
    caffeine coffee tea cola energy drink drinks alcohol wine beer nicotine smoking cigarette
    stress stressed stressful anxiety anxious worry worried worries panic calm calming relax
    relaxed relaxation relaxing tension tense breathe breathing breath meditation yoga
    exercise exercising workout training sport evening late early schedule routine habit
    habits hygiene screen screens phone light dark darkness noise quiet room temperature cold
    warm pillow mattress blanket partner child children kid kids baby infant teenager adult
    adults elderly older age pregnancy pregnant woman women man men person people patient
    doctor doctors physician neurologist clinic hospital visit appointment diagnosis test
    tests study studies research researchers evidence scientist scientists article journal
    common normal harmless benign dangerous danger risk risks serious rare frequent frequently
    cause causes caused reason reasons trigger triggers triggered factor factors linked link
    epilepsy seizure seizures convulsion disorder disorders syndrome condition conditions
    restless apnea snoring snore narcolepsy parasomnia paralysis hallucination hallucinations
    medicine medicines medication medications drug drugs pill pills supplement supplements
    magnesium iron vitamin deficiency treatment treat treated therapy cure prevent prevention
    reduce reducing avoid avoiding help helps helpful improve improving better worse worsen
    symptom symptoms sign signs warning injury injured hurt pain ache headache dizzy dizziness
    heart heartbeat pulse rate racing fast slow blood pressure oxygen lung lungs chest
    stage stages cycle cycles rem deep light transition onset drift drifting drowsy drowsiness
    theory theories evolution ancestors primate primates tree trees branch balance alarm
    signal signals system systems activity active inactive relax release released chemical
    chemicals hormone hormones adenosine melatonin serotonin dopamine cortisol level levels
    daily day days week weeks month months year years hour hours minute minutes second seconds
    time times moment moments once twice again every each experience experiences experienced
    describe described report reported survey percent estimate estimated population share
";

/// The distinct words of [`REAL_WORDS`], in order.
fn real_words() -> Vec<String> {
    let mut seen = HashSet::new();
    REAL_WORDS.split_whitespace().filter(|word| seen.insert(*word)).map(str::to_string).collect()
}

/// The words, in rank order, and their cumulative Zipf weights (1 / rank).
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn generate(rng: &mut SplitMix64) -> Vocabulary {
        const CONSONANTS: &[u8] = b"bdfgklmnprtvz";
        const VOWELS: &[u8] = b"aeiou";
        let real = real_words();
        let mut seen: HashSet<String> = real.iter().cloned().collect();
        let mut words = Vec::with_capacity(PSEUDO_WORDS + real.len());
        while words.len() < PSEUDO_WORDS {
            let mut word = String::new();
            for _ in 0..rng.between(2, 4) {
                word.push(CONSONANTS[rng.between(0, CONSONANTS.len() - 1)] as char);
                word.push(VOWELS[rng.between(0, VOWELS.len() - 1)] as char);
            }
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        // Real words at random ranks, frequent and rare alike.
        for word in real {
            let rank = rng.between(0, words.len());
            words.insert(rank, word);
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    /// A word's rank, drawn by frequency.
    fn draw(&self, rng: &mut SplitMix64) -> usize {
        let target = rng.unit() * self.cumulative[self.cumulative.len() - 1];
        self.cumulative.partition_point(|&sum| sum < target).min(self.words.len() - 1)
    }

    /// `count` words drawn by frequency, as a sentence or a title.
    fn phrase(&self, rng: &mut SplitMix64, count: usize) -> String {
        let mut text = String::new();
        for at in 0..count {
            if at > 0 {
                text.push(' ');
            }
            text.push_str(&self.words[self.draw(rng)]);
        }
        text
    }
}

/// `count` passages in articles of 10 to 40 passages, each section under a
/// heading starting every 5 to 15 passages; the first section of an article
/// has none.
fn passages(vocabulary: &Vocabulary, rng: &mut SplitMix64, count: usize) -> Vec<Passage> {
    let mut passages = Vec::with_capacity(count);
    let (mut article, mut article_left, mut section_left) = (0, 0, 0);
    let mut heading = None;
    for id in 0..count {
        if article_left == 0 {
            article += 1;
            article_left = rng.between(10, 40);
            section_left = rng.between(5, 15);
            heading = None;
        }
        if section_left == 0 {
            section_left = rng.between(5, 15);
            let words = rng.between(2, 5);
            heading = Some(vocabulary.phrase(rng, words));
        }
        article_left -= 1;
        section_left -= 1;
        let mut text = String::new();
        let mut left = rng.between(30, 80);
        while left > 0 {
            let words = rng.between(6, 18).min(left);
            left -= words;
            text.push_str(&vocabulary.phrase(rng, words));
            text.push_str(". ");
        }
        passages.push(Passage { id, article, heading: heading.clone(), text: text.trim_end().to_string() });
    }
    passages
}

/// `count` queries of 2 to 6 stems, as the engine searches with.
fn queries(vocabulary: &Vocabulary, rng: &mut SplitMix64, count: usize) -> Vec<Vec<String>> {
    let mut analyzer = english_analyzer();
    let stems: Vec<String> = vocabulary
        .words
        .iter()
        .map(|word| {
            let mut stream = analyzer.token_stream(word);
            stream.advance();
            stream.token().text.clone()
        })
        .collect();
    (0..count)
        .map(|_| {
            let length = rng.between(2, 6);
            (0..length).map(|_| stems[vocabulary.draw(rng)].clone()).collect()
        })
        .collect()
}

/// `VmRSS` and `VmHWM` of this process, in MiB (Linux only).
fn memory() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|line| line.starts_with(name))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn memory_text(memory: Option<(f64, f64)>) -> String {
    match memory {
        Some((rss, hwm)) => format!("{rss:.0} / {hwm:.0} MiB"),
        None => "n/a".to_string(),
    }
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[rank]
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = work();
    (value, start.elapsed())
}

/// A folder for the on-disk index, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one size measured.
struct Round {
    size: usize,
    text_bytes: usize,
    build_ram: Duration,
    build_disk: Duration,
    open: Duration,
    bytes: u64,
    memory_passages: Option<(f64, f64)>,
    memory_ram: Option<(f64, f64)>,
    memory_mmap: Option<(f64, f64)>,
    in_ram: Vec<Duration>,
    mmapped: Vec<Duration>,
}

fn round(size: usize) -> Round {
    let mut rng = SplitMix64::new(0x6879_706e_6963 ^ size as u64);
    let vocabulary = Vocabulary::generate(&mut rng);
    let passages = passages(&vocabulary, &mut rng, size);
    let queries = queries(&vocabulary, &mut rng, QUERIES);
    let memory_passages = memory();

    let (in_ram, build_ram) = timed(|| PassageIndex::build(&passages).expect("the RAM index builds"));
    let memory_ram = memory();

    let dir = TempDir(std::env::temp_dir().join(format!("hypnic-index-scale-{}-{size}", std::process::id())));
    let (built, build_disk) = timed(|| PassageIndex::build_in(&passages, &dir.0).expect("the disk index builds"));
    drop(built);
    let bytes = size_on_disk(&dir.0).expect("the index folder reads");
    let (mmapped, open) = timed(|| PassageIndex::open(&dir.0, &passages).expect("the disk index opens"));
    let memory_mmap = memory();

    // Warm both up, and check on the way that they find the same passages.
    for stems in &queries {
        let hits: Vec<Hit> = in_ram.search_terms(stems, SEARCH_LIMIT).expect("search works");
        assert_eq!(mmapped.search_terms(stems, SEARCH_LIMIT).expect("search works"), hits, "{stems:?}");
    }
    // Side by side, one query at a time, so both meet the same machine noise;
    // each goes first every other query, so neither always finds the caches
    // the other warmed.
    let mut times = (Vec::with_capacity(QUERIES), Vec::with_capacity(QUERIES));
    for (at, stems) in queries.iter().enumerate() {
        let search = |index: &PassageIndex| timed(|| black_box(index.search_terms(stems, SEARCH_LIMIT)));
        let (ram, mmap) = if at % 2 == 0 {
            let ram = search(&in_ram);
            (ram, search(&mmapped))
        } else {
            let mmap = search(&mmapped);
            (search(&in_ram), mmap)
        };
        ram.0.expect("search works");
        mmap.0.expect("search works");
        times.0.push(ram.1);
        times.1.push(mmap.1);
    }
    times.0.sort();
    times.1.sort();
    Round {
        size,
        text_bytes: passages.iter().map(|passage| passage.text.len()).sum(),
        build_ram,
        build_disk,
        open,
        bytes,
        memory_passages,
        memory_ram,
        memory_mmap,
        in_ram: times.0,
        mmapped: times.1,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; this bench takes no options.
    let mut run = Run::start("index_scale");
    let start = Instant::now();
    let rounds: Vec<Round> = SIZES.iter().map(|&size| round(size)).collect();
    println!(
        "passage index at scale: passages of 30-80 words from {PSEUDO_WORDS} pseudo-words and {} \
         English words (Zipf), a heading over every ~10; {QUERIES} queries of 2-6 stems, \
         search_terms top {SEARCH_LIMIT}",
        real_words().len()
    );
    println!();
    println!(
        "  {:>9} {:>10} {:>10} {:>11} {:>10} {:>10}   {:<19} {:<19} {:<19}",
        "passages",
        "text",
        "build RAM",
        "build disk",
        "open mmap",
        "on disk",
        "RSS/HWM passages",
        "+ RAM index",
        "+ mmap index"
    );
    for round in &rounds {
        println!(
            "  {:>9} {:>6.1} MiB {:>10.1?} {:>11.1?} {:>10.1?} {:>6.1} MiB   {:<19} {:<19} {:<19}",
            round.size,
            round.text_bytes as f64 / (1024.0 * 1024.0),
            round.build_ram,
            round.build_disk,
            round.open,
            round.bytes as f64 / (1024.0 * 1024.0),
            memory_text(round.memory_passages),
            memory_text(round.memory_ram),
            memory_text(round.memory_mmap)
        );
    }
    println!();
    println!("  {:>9} {:<6} {:>10} {:>10} {:>10}", "passages", "index", "p50", "p99", "max");
    for round in &rounds {
        for (name, times) in [("RAM", &round.in_ram), ("mmap", &round.mmapped)] {
            println!(
                "  {:>9} {:<6} {:>10.1?} {:>10.1?} {:>10.1?}",
                round.size,
                name,
                percentile(times, 0.50),
                percentile(times, 0.99),
                times[times.len() - 1]
            );
        }
    }
    println!();
    println!(
        "RSS and HWM (VmRSS / VmHWM) are of the whole bench process: measured after generating the \
         passages, after building the RAM index, and after building and opening the mmap index with \
         the RAM index still alive; HWM never goes down, and earlier sizes' freed memory may be \
         kept by malloc. Whole run: {:.1?}.",
        start.elapsed()
    );
    keep_figures(&mut run, &rounds);
    run.time("whole run", start.elapsed());
    run.save();
}

/// The figures of the tables, named `<passages> passages: <column>`.
fn keep_figures(run: &mut Run, rounds: &[Round]) {
    const MIB: f64 = 1024.0 * 1024.0;
    for round in rounds {
        let name = |column: &str| format!("{} passages: {column}", round.size);
        run.add(name("text"), round.text_bytes as f64 / MIB, "MiB");
        run.time(name("build in RAM"), round.build_ram);
        run.time(name("build on disk"), round.build_disk);
        run.time(name("open (mmap)"), round.open);
        run.add(name("on disk"), round.bytes as f64 / MIB, "MiB");
        for (after, memory) in [
            ("the passages", round.memory_passages),
            ("the RAM index", round.memory_ram),
            ("the mmap index", round.memory_mmap),
        ] {
            if let Some((rss, hwm)) = memory {
                run.add(name(&format!("RSS after {after}")), rss, "MiB");
                run.add(name(&format!("HWM after {after}")), hwm, "MiB");
            }
        }
        for (index, times) in [("RAM", &round.in_ram), ("mmap", &round.mmapped)] {
            run.time(name(&format!("{index} p50")), percentile(times, 0.50));
            run.time(name(&format!("{index} p99")), percentile(times, 0.99));
            run.time(name(&format!("{index} max")), times[times.len() - 1]);
        }
    }
}
