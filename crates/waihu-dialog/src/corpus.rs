//! The labelled intent corpus (`corpus/dev.tsv`, `corpus/heldout.tsv`: lines of
//! `lang<TAB>label<TAB>utterance`) and its evaluation: accuracy per intent and
//! time per utterance. Used by `waihu bench intent` and the tests.

use crate::intent::{IntentModel, Opinion, Recognition, Recognizer, MODEL_FILL, MODEL_OPT_OUT};
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
    evaluate_with(samples, rounds, |t| r.recognize(t))
}

/// [`evaluate`] with any recogniser function.
pub fn evaluate_with(
    samples: &[Sample],
    rounds: usize,
    recognize: impl Fn(&str) -> Recognition,
) -> Report {
    let mut rep = Report::default();
    for s in samples {
        let got = recognize(&s.text).intent;
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
            let x = recognize(&s.text);
            rep.times.push(t0.elapsed());
            std::hint::black_box(x);
        }
    }
    rep.times.sort();
    rep
}

/// The outcome of k-fold cross-validation: the model is trained on k−1 folds and
/// the rules alone and the rules with the model are measured on the remaining fold.
#[derive(Debug, Clone, Default)]
pub struct CrossValidation {
    /// Per fold: (rules alone, rules + model) on that fold.
    pub folds: Vec<(Report, Report)>,
    /// Every fold's samples, rules alone.
    pub rules: Report,
    /// Every fold's samples, rules + model.
    pub combined: Report,
}

/// Splits `samples` into `k` stratified folds (each label spread evenly over the
/// folds, order shuffled by a fixed `seed`): returns the fold of every sample.
pub fn folds(samples: &[Sample], k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(2);
    let mut by_label: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, s) in samples.iter().enumerate() {
        by_label.entry((&s.label, &s.lang)).or_default().push(i);
    }
    let mut fold = vec![0; samples.len()];
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*: small, deterministic, good enough for shuffling.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut offset = 0;
    for idx in by_label.values_mut() {
        for i in (1..idx.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        for (n, &i) in idx.iter().enumerate() {
            fold[i] = (n + offset) % k;
        }
        // Start the next group where this one stopped so small groups do not all
        // land in fold 0.
        offset = (offset + idx.len()) % k;
    }
    fold
}

/// k-fold cross-validation of the rules with a model trained on the other folds,
/// at the given thresholds ([`MODEL_OPT_OUT`], [`MODEL_FILL`] in production).
/// The rules were written on all of the corpus, so this flatters the rules part;
/// the model part is measured honestly.
pub fn cross_validate_at(
    r: &Recognizer,
    samples: &[Sample],
    k: usize,
    seed: u64,
    opt_out: f64,
    fill: f64,
) -> CrossValidation {
    let fold = folds(samples, k, seed);
    let k = k.max(2);
    let mut cv = CrossValidation::default();
    let mut all_rules = Vec::new();
    let mut all_comb = Vec::new();
    for f in 0..k {
        let train = samples
            .iter()
            .zip(&fold)
            .filter(|(_, &g)| g != f)
            .map(|(s, _)| (s.text.as_str(), s.label.as_str()));
        let model = IntentModel::train(train);
        let test: Vec<Sample> = samples
            .iter()
            .zip(&fold)
            .filter(|(_, &g)| g == f)
            .map(|(s, _)| s.clone())
            .collect();
        let a = evaluate_with(&test, 0, |t| r.recognize_with(t, None));
        let b = evaluate_with(&test, 0, |t| {
            r.recognize_with(t, Some(Opinion::new(&model, opt_out, fill)))
        });
        all_rules.extend(test.iter().cloned());
        all_comb.extend(test.iter().map(|s| {
            r.recognize_with(&s.text, Some(Opinion::new(&model, opt_out, fill)))
                .intent
        }));
        cv.folds.push((a, b));
    }
    cv.rules = evaluate_with(&all_rules, 0, |t| r.recognize_with(t, None));
    // The combined answers depend on each sample's fold model; replay them in order.
    let answers = std::cell::RefCell::new(all_comb.into_iter());
    cv.combined = evaluate_with(&all_rules, 0, |_| {
        let intent = answers.borrow_mut().next().unwrap_or_default();
        Recognition::new(&intent, 1.0, None)
    });
    cv
}

/// [`cross_validate_at`] at the production thresholds.
pub fn cross_validate(r: &Recognizer, samples: &[Sample], k: usize, seed: u64) -> CrossValidation {
    cross_validate_at(r, samples, k, seed, MODEL_OPT_OUT, MODEL_FILL)
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
