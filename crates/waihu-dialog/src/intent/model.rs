//! The learned second opinion: a multinomial naive Bayes classifier over n-gram
//! features, trained from the labelled corpus. The rules were written by hand and
//! generalise poorly to phrasings nobody wrote down; the model generalises from
//! every labelled utterance, including the ones the rules miss.
//!
//! Features, each counted once per utterance (binary naive Bayes suits short texts):
//! - Chinese: character 1–3-grams of the normalised text (simplified, half-width,
//!   lower case) with start/end marks, and toneless fuzzy pinyin syllable 1–3-grams,
//!   so ASR homophones ("在打" for "再打", "虚要" for "需要") share features.
//! - English: stemmed word 1–2-grams and character 3–4-grams.
//!
//! Training is one counting pass over the corpus: deterministic (no randomness,
//! labels and features in sorted order) and a few milliseconds for the built-in corpus.

use super::english;
use super::phonetic::pinyin_syllable;
use crate::normalize::{has_han, normalize_zh};
use std::collections::{BTreeSet, HashMap};

/// Additive (Laplace) smoothing of feature counts.
const ALPHA: f64 = 0.3;

/// A trained classifier.
#[derive(Debug, Clone)]
pub struct IntentModel {
    labels: Vec<String>,
    log_prior: Vec<f64>,
    /// Feature → log P(feature | label) for every label, `labels.len()` values.
    weights: HashMap<String, Vec<f64>>,
}

impl IntentModel {
    /// Trains on `(text, label)` pairs. The same samples give the same model.
    pub fn train<'a>(samples: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let samples: Vec<(&str, &str)> = samples.into_iter().collect();
        let labels: Vec<String> = samples
            .iter()
            .map(|(_, l)| l.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let n = labels.len();
        let mut docs = vec![0usize; n];
        let mut totals = vec![0usize; n];
        let mut counts: HashMap<String, Vec<usize>> = HashMap::new();
        for (text, label) in &samples {
            let Some(li) = labels.iter().position(|l| l == label) else {
                continue;
            };
            docs[li] += 1;
            for f in features(text) {
                counts.entry(f).or_insert_with(|| vec![0; n])[li] += 1;
                totals[li] += 1;
            }
        }
        let vocab = counts.len() as f64;
        let total_docs = samples.len().max(1) as f64;
        let log_prior = docs
            .iter()
            .map(|&d| ((d as f64 + 1.0) / (total_docs + n as f64)).ln())
            .collect();
        let weights = counts
            .into_iter()
            .map(|(f, c)| {
                let w = c
                    .iter()
                    .zip(&totals)
                    .map(|(&k, &t)| ((k as f64 + ALPHA) / (t as f64 + ALPHA * vocab)).ln())
                    .collect();
                (f, w)
            })
            .collect();
        Self {
            labels,
            log_prior,
            weights,
        }
    }

    /// The model trained on the built-in development corpus, once per process.
    pub fn builtin() -> &'static IntentModel {
        static MODEL: std::sync::OnceLock<IntentModel> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            let (samples, _) = crate::corpus::parse(crate::corpus::DEV);
            Self::train(samples.iter().map(|s| (s.text.as_str(), s.label.as_str())))
        })
    }

    /// The labels the model knows, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The probability of every label for `text`, in [`Self::labels`] order
    /// (uniform when no feature of `text` was seen in training).
    pub fn probabilities(&self, text: &str) -> Vec<f64> {
        let mut lp = self.log_prior.clone();
        for f in features(text) {
            if let Some(w) = self.weights.get(&f) {
                for (a, b) in lp.iter_mut().zip(w) {
                    *a += b;
                }
            }
        }
        let max = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = lp.iter().map(|x| (x - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        exp.into_iter().map(|x| x / sum).collect()
    }

    /// The probability of one label (0 for a label the model does not know).
    pub fn probability(&self, text: &str, label: &str) -> f64 {
        self.labels
            .iter()
            .position(|l| l == label)
            .map_or(0.0, |i| self.probabilities(text)[i])
    }

    /// The most probable label and its probability (`None` for an empty model).
    pub fn best(&self, text: &str) -> Option<(&str, f64)> {
        self.best_of(&self.probabilities(text))
    }

    /// The most probable label in a [`Self::probabilities`] answer.
    pub fn best_of(&self, probs: &[f64]) -> Option<(&str, f64)> {
        probs
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, &p)| (self.labels[i].as_str(), p))
    }

    /// The index of `label` in [`Self::labels`].
    pub fn index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }
}

/// The distinct features of one utterance.
pub fn features(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if has_han(text) {
        let norm = normalize_zh(text);
        let chars: Vec<char> = std::iter::once('^')
            .chain(norm.chars())
            .chain(std::iter::once('$'))
            .collect();
        grams(&chars, 1..=3, "c", &mut out);
        let syl: Vec<String> = norm.chars().filter_map(pinyin_syllable).collect();
        let syl: Vec<&str> = std::iter::once("^")
            .chain(syl.iter().map(String::as_str))
            .chain(std::iter::once("$"))
            .collect();
        for n in 1..=3 {
            for w in syl.windows(n) {
                out.insert(format!("p{n}:{}", w.join(" ")));
            }
        }
    } else {
        let toks: Vec<String> = english::tokens(text)
            .into_iter()
            .filter(|t| t != english::CLAUSE)
            .collect();
        let toks: Vec<&str> = std::iter::once("^")
            .chain(toks.iter().map(String::as_str))
            .chain(std::iter::once("$"))
            .collect();
        for n in 1..=2 {
            for w in toks.windows(n) {
                out.insert(format!("w{n}:{}", w.join(" ")));
            }
        }
        let lower: Vec<char> = format!(" {} ", toks[1..toks.len() - 1].join(" "))
            .chars()
            .collect();
        grams(&lower, 3..=4, "e", &mut out);
    }
    out
}

fn grams(
    chars: &[char],
    ns: std::ops::RangeInclusive<usize>,
    tag: &str,
    out: &mut BTreeSet<String>,
) {
    for n in ns {
        for w in chars.windows(n) {
            let mut f = format!("{tag}{n}:");
            f.extend(w);
            out.insert(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> IntentModel {
        IntentModel::train([
            ("别再打了", "opt_out"),
            ("以后别打了", "opt_out"),
            ("不要再打电话", "opt_out"),
            ("不需要", "reject"),
            ("不要了谢谢", "reject"),
            ("晚点再打", "busy_later"),
            ("在开会", "busy_later"),
        ])
    }

    #[test]
    fn training_is_deterministic() {
        let a = toy();
        let b = toy();
        assert_eq!(a.labels(), b.labels());
        for t in ["别在打了", "不虚要", "hello"] {
            assert_eq!(a.probabilities(t), b.probabilities(t), "{t}");
        }
    }

    #[test]
    fn homophones_share_pinyin_features() {
        let m = toy();
        // 在 for 再: the characters differ, the syllables do not.
        assert_eq!(m.best("别在打了").map(|x| x.0), Some("opt_out"));
        assert_eq!(m.best("不虚要").map(|x| x.0), Some("reject"));
    }

    #[test]
    fn english_features_are_words_and_character_grams() {
        let f = features("Please stop calling");
        assert!(f.contains("w1:stop"), "{f:?}");
        assert!(f.contains("w2:stop call"), "{f:?}");
        assert!(f.contains("e3:sto"), "{f:?}");
    }

    #[test]
    fn probabilities_sum_to_one() {
        let m = toy();
        let p = m.probabilities("别打了");
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
