//! The labelled intent corpus (`corpus/dev.tsv`, `corpus/heldout.tsv`: lines of
//! `lang<TAB>label<TAB>utterance`) and its evaluation: accuracy per intent and
//! time per utterance. Used by `waihu bench intent` and the tests.

use crate::intent::Recognizer;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The development part, compiled into the crate.
pub const DEV: &str = include_str!("../corpus/dev.tsv");
/// The held-out part, compiled into the crate. Written by someone who never saw
/// the rules; never used to write or tune them. May be empty (no held-out set yet).
pub const HELDOUT: &str = include_str!("../corpus/heldout.tsv");

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// `zh` or `en`.
    pub lang: String,
    /// The expected intent.
    pub label: String,
    /// The callee's words.
    pub text: String,
}

/// Parses a corpus file; malformed lines are skipped and counted.
pub fn parse(tsv: &str) -> (Vec<Sample>, usize) {
    let mut bad = 0;
    let mut out = Vec::new();
    for line in tsv.lines().filter(|l| !l.trim().is_empty()) {
        let mut f = line.splitn(3, '\t');
        match (f.next(), f.next(), f.next()) {
            (Some(lang), Some(label), Some(text)) => out.push(Sample {
                lang: lang.into(),
                label: label.into(),
                text: text.into(),
            }),
            _ => bad += 1,
        }
    }
    (out, bad)
}

/// Accuracy for one group of samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Samples in the group.
    pub total: usize,
    /// Correctly recognised.
    pub correct: usize,
}

impl Tally {
    /// correct / total (0 for an empty group).
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// The evaluation of one corpus part.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Over all samples.
    pub overall: Tally,
    /// Per language.
    pub per_lang: BTreeMap<String, Tally>,
    /// Per expected intent.
    pub per_intent: BTreeMap<String, Tally>,
    /// Misrecognised samples with what was recognised instead.
    pub errors: Vec<(Sample, String)>,
    /// Time per utterance, sorted ascending.
    pub times: Vec<Duration>,
}

impl Report {
    /// Recall of one intent: the share of its samples recognised as it.
    pub fn recall(&self, label: &str) -> Tally {
        self.per_intent.get(label).cloned().unwrap_or_default()
    }

    /// Precision of one intent: of the samples recognised as `label`, the share
    /// that carry it (a false opt-out ends a call that could have gone on).
    pub fn precision(&self, label: &str) -> Tally {
        let correct = self.recall(label).correct;
        let wrong = self.errors.iter().filter(|(_, got)| got == label).count();
        Tally {
            total: correct + wrong,
            correct,
        }
    }

    /// The q-quantile (0..=1) of the time per utterance.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.times.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.times.len() - 1) as f64 * q).round() as usize;
        self.times[i.min(self.times.len() - 1)]
    }
}

/// Recognises every sample `rounds` times (timing each call) and tallies the first round.
pub fn evaluate(r: &Recognizer, samples: &[Sample], rounds: usize) -> Report {
    let mut rep = Report::default();
    for s in samples {
        let got = r.recognize(&s.text).intent;
        let ok = got == s.label;
        for t in [
            &mut rep.overall,
            rep.per_lang.entry(s.lang.clone()).or_default(),
            rep.per_intent.entry(s.label.clone()).or_default(),
        ] {
            t.total += 1;
            t.correct += usize::from(ok);
        }
        if !ok {
            rep.errors.push((s.clone(), got));
        }
    }
    for _ in 0..rounds {
        for s in samples {
            let t0 = Instant::now();
            let x = r.recognize(&s.text);
            rep.times.push(t0.elapsed());
            std::hint::black_box(x);
        }
    }
    rep.times.sort();
    rep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_large_enough_and_well_formed() {
        let (dev, bad_dev) = parse(DEV);
        let (held, bad_held) = parse(HELDOUT);
        assert_eq!((bad_dev, bad_held), (0, 0));
        let zh = dev.iter().filter(|s| s.lang == "zh").count();
        let en = dev.iter().filter(|s| s.lang == "en").count();
        assert!(zh >= 500 && en >= 100, "zh {zh} en {en}");
        // Every line of either part has a built-in label.
        for s in dev.iter().chain(&held) {
            assert!(
                crate::intent::is_builtin(&s.label) && (s.lang == "zh" || s.lang == "en"),
                "{s:?}"
            );
        }
    }
}
