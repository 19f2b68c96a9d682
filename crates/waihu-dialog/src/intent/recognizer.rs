//! The rule engine. Compiles rule specs into Aho-Corasick automata (on text and
//! on pinyin), a jieba token table and regular expressions; recognises one
//! utterance in a few microseconds.
//!
//! Resolution, in order: collect every hit; drop a hit inside a longer hit
//! ("需要" inside "不需要"); apply negation found just before a hit (an odd
//! number of negators flips affirm ↔ reject and cancels any other intent, so
//! "不是不需要" is affirm); pick the winner by intent precedence, then the
//! longest hit, then the score.

use super::english;
use super::model::IntentModel;
use super::phonetic;
use super::rules::{parse_table, RuleKind, RuleSpec, BUILTIN_EN, BUILTIN_ZH};
use crate::normalize::{has_han, is_han, normalize_zh, CLAUSE};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The model's `opt_out` probability at or above which the answer is `opt_out`
/// even against the rules; chosen by cross-validation on the development corpus
/// (`waihu bench intent --cv 5`) for opt-out recall without losing much precision.
pub const MODEL_OPT_OUT: f64 = 0.999;
/// The model's probability at or above which its best label replaces `unknown`.
/// Off (above 1) for now: in cross-validation filling at 0.999 adds about two
/// points overall, but it changes what scripts do with utterances they treat as
/// `unknown` today (golden conversations), so it waits for a script-level switch.
pub const MODEL_FILL: f64 = 1.01;
/// The rule id of a decision made by the model.
pub const MODEL_RULE: &str = "model";

/// A model and the thresholds at which it overrides or completes the rules.
#[derive(Debug, Clone, Copy)]
pub struct Opinion<'a> {
    /// The trained model.
    pub model: &'a IntentModel,
    /// `opt_out` probability at or above which the answer is `opt_out`.
    pub opt_out: f64,
    /// Best-label probability at or above which the model replaces `unknown`.
    pub fill: f64,
}

impl<'a> Opinion<'a> {
    /// Bundles a model with its thresholds.
    pub fn new(model: &'a IntentModel, opt_out: f64, fill: f64) -> Self {
        Self {
            model,
            opt_out,
            fill,
        }
    }
}

/// The answer for one utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognition {
    /// The winning label (built-in, script intent, `kb:<id>`, `silence` or `unknown`).
    pub intent: String,
    /// Confidence in 0..=1.
    pub score: f32,
    /// The stable id of the deciding rule, e.g. `kw:opt_out/别再打`; `None` when nothing matched.
    pub rule: Option<String>,
    /// The other intents heard in the same utterance, highest precedence first
    /// ("我要投诉你们，把我号码删掉" is `opt_out` with `complaint` here): the call
    /// acts on some of them too (a complaint is recorded along with the opt-out).
    pub also: Vec<String>,
}

impl Recognition {
    /// Builds a recognition.
    pub fn new(intent: &str, score: f32, rule: Option<String>) -> Self {
        Self {
            intent: intent.to_string(),
            score,
            rule,
            also: Vec::new(),
        }
    }

    /// True when `label` is the winning intent or one of the others heard.
    pub fn has(&self, label: &str) -> bool {
        self.intent == label || self.also.iter().any(|l| l == label)
    }
}

/// Why a recognizer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RecognizerError {
    /// A rule's regular expression does not compile.
    #[error("intent {label}: bad regular expression {pattern:?}: {source}")]
    BadRegex {
        /// The label the rule belongs to.
        label: String,
        /// The pattern.
        pattern: String,
        /// The regex error.
        source: regex::Error,
    },
    /// A built-in table line does not parse (a defect in this crate).
    #[error("built-in rule table line {0}: {1}")]
    BadTable(usize, String),
    /// The automaton could not be built.
    #[error("cannot build matcher: {0}")]
    Build(String),
}

/// One compiled pattern.
#[derive(Debug)]
struct Pat {
    label: usize,
    kind: RuleKind,
    pattern: String,
}

/// Compiled rules for one language.
#[derive(Debug)]
struct Lang {
    pats: Vec<Pat>,
    exact: Option<AhoCorasick>,
    exact_ids: Vec<usize>,
    pinyin: Option<AhoCorasick>,
    pinyin_ids: Vec<usize>,
    words: HashMap<String, Vec<usize>>,
    regexes: Vec<(Regex, usize)>,
}

/// A hit of one pattern on a span of units (characters for Chinese, tokens for English).
#[derive(Debug, Clone)]
struct Hit {
    pat: usize,
    label: usize,
    start: usize,
    end: usize,
    pinyin: bool,
    negated: bool,
    /// Matched by a regular expression (kept only to pick a readable explanation).
    regex: bool,
}

/// The rule engine: built-in rules plus a script's own.
#[derive(Debug)]
pub struct Recognizer {
    labels: Vec<String>,
    tiers: Vec<u8>,
    zh: Lang,
    en: Lang,
    /// The learned second opinion (see [`Self::recognize_with`]); `None` = rules alone.
    model: Option<&'static IntentModel>,
}

fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

const NEGATORS_ZH: [&str; 13] = [
    "不是", "没有", "并不", "没说", "不", "没", "别", "未", "莫", "甭", "唔", "冇", "非",
];
const FILLERS_ZH: [char; 12] = [
    '也', '都', '还', '就', '并', '真', '可', '再', '太', '很', '那', '在',
];
const NEGATORS_EN: [&str; 3] = ["not", "no", "never"];
const FILLERS_EN: [&str; 16] = [
    "i", "am", "is", "are", "be", "do", "does", "did", "really", "so", "very", "ever", "that",
    "just", "it", "at",
];

impl Recognizer {
    /// The built-in rules only.
    pub fn builtin() -> Result<Self, RecognizerError> {
        Self::new(&[])
    }

    /// Built-in rules plus `extra` (script intents and knowledge base).
    pub fn new(extra: &[RuleSpec]) -> Result<Self, RecognizerError> {
        let zh_specs = parse_table(BUILTIN_ZH).map_err(|(n, l)| RecognizerError::BadTable(n, l))?;
        let en_specs = parse_table(BUILTIN_EN).map_err(|(n, l)| RecognizerError::BadTable(n, l))?;
        let mut labels: Vec<String> = super::BUILTIN.iter().map(|s| s.to_string()).collect();
        let mut zh: Vec<RuleSpec> = zh_specs;
        let mut en: Vec<RuleSpec> = en_specs;
        for spec in extra {
            let han = has_han(&spec.pattern);
            if spec.kind == RuleKind::Regex {
                zh.push(spec.clone());
                en.push(spec.clone());
            } else if han {
                zh.push(spec.clone());
            } else {
                // Latin keywords ("vip", "ok") also occur inside Chinese utterances.
                zh.push(RuleSpec {
                    kind: if spec.kind == RuleKind::Word {
                        RuleKind::Word
                    } else {
                        RuleKind::Exact
                    },
                    ..spec.clone()
                });
                en.push(spec.clone());
            }
        }
        for spec in zh.iter().chain(en.iter()) {
            if !labels.contains(&spec.label) {
                labels.push(spec.label.clone());
            }
        }
        let tiers = labels.iter().map(|l| super::tier(l)).collect();
        let zh = Lang::compile(&zh, &labels, true)?;
        // Load the jieba dictionary now, not during the first call's first utterance.
        if !zh.words.is_empty() {
            jieba();
        }
        let en = Lang::compile(&en, &labels, false)?;
        Ok(Self {
            labels,
            tiers,
            zh,
            en,
            model: Some(IntentModel::builtin()),
        })
    }

    /// The same rules without the learned model (for measuring the rules alone).
    pub fn rules_only(mut self) -> Self {
        self.model = None;
        self
    }

    /// Every label this recognizer can answer (built-in first).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Recognises one utterance with the rules and the built-in model. Empty text is `silence`.
    pub fn recognize(&self, text: &str) -> Recognition {
        self.recognize_with(
            text,
            self.model
                .map(|m| Opinion::new(m, MODEL_OPT_OUT, MODEL_FILL)),
        )
    }

    /// Recognises one utterance with the rules, then lets `model` speak
    /// (compliance first):
    /// - when the model gives `opt_out` a probability of at least
    ///   `opt_out` ([`MODEL_OPT_OUT`] by default), the answer is `opt_out` whatever the rules said (a
    ///   false opt-out costs a lead; a missed one calls a person who said stop),
    ///   and the rules' intent is kept among the others heard;
    /// - when the rules recognise nothing and the model's best label has a
    ///   probability of at least `fill` ([`MODEL_FILL`]), the answer is that label.
    ///
    /// Model decisions carry the rule id `model` so the turn log explains them.
    pub fn recognize_with(&self, text: &str, opinion: Option<Opinion<'_>>) -> Recognition {
        let rules = self.recognize_rules(text);
        let Some(Opinion {
            model,
            opt_out,
            fill,
        }) = opinion
        else {
            return rules;
        };
        // Script intents and knowledge-base answers are the script author's
        // deliberate choices ("cancel my appointment"); the model, trained on the
        // built-in labels only, does not overrule them.
        if rules.intent == super::SILENCE
            || rules.intent == super::OPT_OUT
            || !super::is_builtin(&rules.intent)
        {
            return rules;
        }
        let probs = model.probabilities(text);
        let p_opt = model.index(super::OPT_OUT).map_or(0.0, |i| probs[i]);
        if p_opt >= opt_out {
            let mut also = Vec::new();
            if rules.intent != super::UNKNOWN {
                also.push(rules.intent.clone());
            }
            also.extend(rules.also.iter().filter(|l| *l != super::OPT_OUT).cloned());
            return Recognition {
                intent: super::OPT_OUT.to_string(),
                score: round3(p_opt),
                rule: Some(MODEL_RULE.to_string()),
                also,
            };
        }
        if rules.intent == super::UNKNOWN {
            if let Some((label, p)) = model.best_of(&probs) {
                if label != super::UNKNOWN && p >= fill {
                    return Recognition::new(label, round3(p), Some(MODEL_RULE.to_string()));
                }
            }
        }
        rules
    }

    /// Recognises one utterance with the rules alone.
    pub fn recognize_rules(&self, text: &str) -> Recognition {
        if text.trim().is_empty() {
            return Recognition::new(super::SILENCE, 1.0, None);
        }
        let (lang, hits, units) = if has_han(text) {
            let norm = normalize_zh(text);
            let (hits, units) = self.zh.hits_zh(&norm);
            (&self.zh, hits, units)
        } else {
            let toks = english::tokens(text);
            let hits = self.en.hits_en(&toks);
            let units = toks.iter().filter(|t| *t != english::CLAUSE).count();
            (&self.en, hits, units)
        };
        self.decide(lang, hits, units.max(1))
    }

    fn decide(&self, lang: &Lang, hits: Vec<Hit>, units: usize) -> Recognition {
        let best = hits.iter().max_by(|a, b| {
            let ka = (self.tiers[a.label], a.end - a.start, !a.pinyin);
            let kb = (self.tiers[b.label], b.end - b.start, !b.pinyin);
            ka.cmp(&kb)
        });
        let Some(best) = best else {
            return Recognition::new(super::UNKNOWN, 0.0, None);
        };
        // The label is decided; explain it with its most readable hit: a keyword
        // or word over a regex, a text match over a pinyin one, then the longest.
        let h = hits
            .iter()
            .filter(|h| h.label == best.label && h.negated == best.negated)
            .max_by_key(|h| {
                let readable = lang.pats[h.pat].kind != RuleKind::Regex;
                (readable, !h.pinyin, h.end - h.start)
            })
            .unwrap_or(best);
        let pat = &lang.pats[h.pat];
        let base: f32 = match (h.pinyin, pat.kind) {
            (true, _) => 0.8,
            (false, RuleKind::Keyword | RuleKind::Exact) => 0.95,
            (false, _) => 0.9,
        };
        let coverage = ((h.end - h.start) as f32 / units as f32).min(1.0);
        let mut score = base * (0.7 + 0.3 * coverage);
        if h.negated {
            score *= 0.9;
        }
        let prefix = if h.pinyin { "py" } else { pat.kind.prefix() };
        let rule = format!(
            "{}{prefix}:{}/{}",
            if h.negated { "neg+" } else { "" },
            self.labels[pat.label],
            pat.pattern
        );
        let mut others: Vec<usize> = hits
            .iter()
            .map(|h| h.label)
            .filter(|&l| l != best.label && self.labels[l] != super::UNKNOWN)
            .collect();
        others.sort_by_key(|&l| (std::cmp::Reverse(self.tiers[l]), l));
        others.dedup();
        Recognition {
            intent: self.labels[h.label].clone(),
            score: (score * 1000.0).round() / 1000.0,
            rule: Some(rule),
            also: others.into_iter().map(|l| self.labels[l].clone()).collect(),
        }
    }
}

fn round3(p: f64) -> f32 {
    ((p * 1000.0).round() / 1000.0) as f32
}

fn label_index(labels: &[String], l: &str) -> usize {
    labels.iter().position(|x| x == l).unwrap_or(0)
}

impl Lang {
    fn compile(specs: &[RuleSpec], labels: &[String], zh: bool) -> Result<Self, RecognizerError> {
        let mut pats = Vec::new();
        let (mut exact_pats, mut exact_ids) = (Vec::new(), Vec::new());
        let (mut py_pats, mut pinyin_ids) = (Vec::new(), Vec::new());
        let mut words: HashMap<String, Vec<usize>> = HashMap::new();
        let mut regexes = Vec::new();
        for spec in specs {
            let id = pats.len();
            let norm = if zh {
                normalize_zh(&spec.pattern)
            } else {
                english::tokens(&spec.pattern).join(" ")
            };
            pats.push(Pat {
                label: label_index(labels, &spec.label),
                kind: spec.kind,
                pattern: spec.pattern.clone(),
            });
            if norm.is_empty() && spec.kind != RuleKind::Regex {
                continue;
            }
            match spec.kind {
                RuleKind::Keyword | RuleKind::Exact => {
                    if zh {
                        exact_pats.push(norm.clone());
                        // Single syllables are too ambiguous to match by sound.
                        if spec.kind == RuleKind::Keyword
                            && norm.chars().count() >= 2
                            && norm.chars().all(is_han)
                        {
                            py_pats.push(pinyin_haystack(&norm).0);
                            pinyin_ids.push(id);
                        }
                    } else {
                        exact_pats.push(format!(" {norm} "));
                    }
                    exact_ids.push(id);
                }
                RuleKind::Word => words.entry(norm).or_default().push(id),
                RuleKind::Regex => {
                    let re =
                        Regex::new(&spec.pattern).map_err(|source| RecognizerError::BadRegex {
                            label: spec.label.clone(),
                            pattern: spec.pattern.clone(),
                            source,
                        })?;
                    regexes.push((re, id));
                }
            }
        }
        let build = |p: &[String]| -> Result<Option<AhoCorasick>, RecognizerError> {
            if p.is_empty() {
                return Ok(None);
            }
            AhoCorasick::new(p)
                .map(Some)
                .map_err(|e| RecognizerError::Build(e.to_string()))
        };
        Ok(Self {
            exact: build(&exact_pats)?,
            pinyin: build(&py_pats)?,
            pats,
            exact_ids,
            pinyin_ids,
            words,
            regexes,
        })
    }

    fn hit(&self, pat: usize, start: usize, end: usize, pinyin: bool) -> Hit {
        Hit {
            pat,
            label: self.pats[pat].label,
            start,
            end,
            pinyin,
            negated: false,
            regex: self.pats[pat].kind == RuleKind::Regex,
        }
    }

    /// Hits on a normalised Chinese string; also returns its length in characters
    /// (clause separators excluded).
    fn hits_zh(&self, norm: &str) -> (Vec<Hit>, usize) {
        let chars: Vec<char> = norm.chars().collect();
        // byte offset -> char index
        let mut char_at = vec![0usize; norm.len() + 1];
        for (ci, (bi, _)) in norm.char_indices().enumerate() {
            char_at[bi] = ci;
        }
        char_at[norm.len()] = chars.len();
        let mut hits = Vec::new();
        if let Some(ac) = &self.exact {
            for m in ac.find_overlapping_iter(norm) {
                let pat = self.exact_ids[m.pattern().as_usize()];
                hits.push(self.hit(pat, char_at[m.start()], char_at[m.end()], false));
            }
        }
        if let Some(ac) = &self.pinyin {
            let (hay, starts) = pinyin_haystack(norm);
            for m in ac.find_overlapping_iter(&hay) {
                let pat = self.pinyin_ids[m.pattern().as_usize()];
                // m.start() is at the space before a syllable; m.end() just after the trailing space.
                let s = starts.partition_point(|&b| b < m.start());
                let e = starts.partition_point(|&b| b < m.end() - 1);
                hits.push(self.hit(pat, s, e, true));
            }
        }
        if !self.words.is_empty() {
            for t in jieba().cut(norm, false) {
                if let Some(ids) = self.words.get(t.word) {
                    hits.extend(ids.iter().map(|&p| self.hit(p, t.start, t.end, false)));
                }
            }
        }
        for (re, pat) in &self.regexes {
            for m in re.find_iter(norm) {
                let (s, e) = (char_at[m.start()], char_at[m.end()]);
                hits.push(self.hit(*pat, s, e.max(s + 1).min(chars.len().max(1)), false));
            }
        }
        let mut hits = resolve(hits, |start| negation_zh(&chars, start));
        // "可以退款吗": an affirm word inside a yes/no question asks, it does not agree.
        hits.retain(|h| {
            let clause_end = chars[h.end.min(chars.len())..]
                .iter()
                .position(|&c| c == CLAUSE)
                .map_or(chars.len(), |p| h.end + p);
            !(h.label == 0 && !h.negated && clause_end > 0 && chars[clause_end - 1] == '吗')
        });
        let units = chars.iter().filter(|&&c| c != CLAUSE).count();
        (hits, units)
    }

    /// Hits on English tokens.
    fn hits_en(&self, toks: &[String]) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(ac) = &self.exact {
            let mut hay = String::from(" ");
            let mut starts = Vec::with_capacity(toks.len());
            for t in toks {
                starts.push(hay.len() - 1);
                hay.push_str(t);
                hay.push(' ');
            }
            for m in ac.find_overlapping_iter(&hay) {
                let pat = self.exact_ids[m.pattern().as_usize()];
                let s = starts.partition_point(|&b| b < m.start());
                let e = starts.partition_point(|&b| b < m.end() - 1);
                hits.push(self.hit(pat, s, e, false));
            }
        }
        for (i, t) in toks.iter().enumerate() {
            if let Some(ids) = self.words.get(t.as_str()) {
                hits.extend(ids.iter().map(|&p| self.hit(p, i, i + 1, false)));
            }
        }
        if !self.regexes.is_empty() {
            // The hit covers the tokens the match touches, so that a regex for one
            // intent does not hide another intent's words elsewhere in the utterance.
            let joined = toks.join(" ");
            let mut starts = Vec::with_capacity(toks.len());
            let mut at = 0;
            for t in toks {
                starts.push(at);
                at += t.len() + 1;
            }
            for (re, pat) in &self.regexes {
                for m in re.find_iter(&joined) {
                    let s = starts
                        .partition_point(|&b| b <= m.start())
                        .saturating_sub(1);
                    let e = starts.partition_point(|&b| b < m.end()).max(s + 1);
                    hits.push(self.hit(*pat, s, e.min(toks.len().max(1)), false));
                }
            }
        }
        resolve(hits, |start| negation_en(toks, start))
    }
}

/// Builds the pinyin haystack " s1 s2 … " of a normalised string and the byte
/// offset of the space before each character's syllable.
fn pinyin_haystack(norm: &str) -> (String, Vec<usize>) {
    let mut hay = String::with_capacity(norm.len() * 3);
    let mut starts = Vec::with_capacity(norm.len());
    hay.push(' ');
    for c in norm.chars() {
        starts.push(hay.len() - 1);
        hay.push_str(&phonetic::syllable(c));
        hay.push(' ');
    }
    (hay, starts)
}

/// Applies containment, negation and negator consumption. `negation(start)`
/// returns how many negators precede a hit starting at `start` and the span they cover.
fn resolve(mut hits: Vec<Hit>, negation: impl Fn(usize) -> (usize, usize)) -> Vec<Hit> {
    // 1. Drop hits inside a strictly longer hit, and pinyin duplicates of text hits.
    let snapshot = hits.clone();
    hits.retain(|h| {
        !snapshot.iter().any(|g| {
            // A regex hit does not hide a keyword of its own label: the keyword
            // explains the decision better.
            if g.regex && g.label == h.label && !h.regex {
                return false;
            }
            let inside = g.start <= h.start && h.end <= g.end;
            let longer = g.end - g.start > h.end - h.start;
            let dup =
                g.start == h.start && g.end == h.end && g.label == h.label && h.pinyin && !g.pinyin;
            inside && (longer || dup)
        })
    });
    // 2. Negation.
    let mut consumed: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::with_capacity(hits.len());
    for mut h in hits {
        let (count, from) = negation(h.start);
        if count % 2 == 1 {
            consumed.push((from, h.start));
            h.negated = true;
            h.label = match h.label {
                0 => 1, // affirm -> reject (indices follow BUILTIN order)
                1 => 0, // reject -> affirm
                _ => continue,
            };
        }
        out.push(h);
    }
    // 3. A negator used to flip a later hit is not itself an answer ("不是,不需要" vs "不是不需要").
    out.retain(|h| {
        !consumed
            .iter()
            .any(|&(s, e)| s <= h.start && h.end <= e && s < e)
    });
    out
}

/// Counts Chinese negators directly before `start` (fillers such as 也/都/太 allowed).
fn negation_zh(chars: &[char], start: usize) -> (usize, usize) {
    let (mut pos, mut count, mut fillers) = (start, 0, 0);
    'outer: while pos > 0 && count < 3 {
        for neg in NEGATORS_ZH {
            let n = neg.chars().count();
            if pos >= n && chars[pos - n..pos].iter().copied().eq(neg.chars()) {
                // "是不是", "有没有", "要不要": an A-not-A question, not a negation.
                let a = pos - n;
                let repeated = if n == 2 {
                    chars.get(a + 1)
                } else {
                    chars.get(pos)
                };
                if a > 0 && repeated == Some(&chars[a - 1]) {
                    break 'outer;
                }
                pos -= n;
                count += 1;
                continue 'outer;
            }
        }
        if fillers < 2 && FILLERS_ZH.contains(&chars[pos - 1]) {
            pos -= 1;
            fillers += 1;
            continue;
        }
        break;
    }
    (count, if count > 0 { pos } else { start })
}

/// Counts English negators among the few tokens before `start`.
fn negation_en(toks: &[String], start: usize) -> (usize, usize) {
    let (mut pos, mut count, mut first) = (start, 0, start);
    while pos > 0 && start - pos < 4 {
        let t = toks[pos - 1].as_str();
        // "no" negates only what follows it directly ("no need"); before a
        // clause it is an answer of its own ("no I'm fine", "no I don't need it").
        if t == "no" && pos != start {
            break;
        }
        if NEGATORS_EN.contains(&t) {
            count += 1;
            first = pos - 1;
        } else if !FILLERS_EN.contains(&t) {
            break;
        }
        pos -= 1;
    }
    (count, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Recognizer {
        // These tests are about the rule engine; the model has its own.
        Recognizer::builtin()
            .expect("built-in rules compile")
            .rules_only()
    }

    #[test]
    fn precedence_opt_out_wins() {
        let r = r();
        assert_eq!(r.recognize("不需要，以后也别打了").intent, "opt_out");
        assert_eq!(
            r.recognize("你们这是骚扰，我要投诉，别再打了").intent,
            "opt_out"
        );
        assert_eq!(r.recognize("我要投诉，不要录音").intent, "complaint");
    }

    #[test]
    fn negation_flips() {
        let r = r();
        assert_eq!(r.recognize("不需要").intent, "reject");
        assert_eq!(r.recognize("不是不需要").intent, "affirm");
        assert_eq!(r.recognize("I'm not uninterested").intent, "affirm");
        assert_eq!(r.recognize("I'm not interested").intent, "reject");
        assert_eq!(r.recognize("我没有在开会").intent, "unknown");
        // "no" before a clause is an answer, not a negation of the clause.
        assert_eq!(r.recognize("no I don't need it").intent, "reject");
        assert_eq!(r.recognize("no need").intent, "reject");
        // A condition is not a retraction.
        assert_eq!(
            r.recognize("I'll file a complaint if you don't stop calling")
                .intent,
            "opt_out"
        );
    }

    #[test]
    fn homophones_match_by_pinyin() {
        let r = r();
        let x = r.recognize("不虚要");
        assert_eq!(x.intent, "reject");
        assert_eq!(x.rule.as_deref(), Some("py:reject/不需要"));
        assert_eq!(r.recognize("号的").intent, "affirm");
        assert_eq!(r.recognize("我在开汇").intent, "busy_later");
    }

    #[test]
    fn explains_rule_and_scores() {
        let r = r();
        let x = r.recognize("请别再联系了");
        assert_eq!(x.intent, "opt_out");
        assert_eq!(x.rule.as_deref(), Some("kw:opt_out/别再联系"));
        assert!(x.score > 0.5 && x.score <= 1.0);
        let u = r.recognize("今天天气不错");
        assert_eq!((u.intent.as_str(), u.rule), ("unknown", None));
        assert_eq!(r.recognize("  ").intent, "silence");
    }

    #[test]
    fn script_rules_join() {
        let extra = vec![RuleSpec {
            label: "kb:price".into(),
            kind: RuleKind::Keyword,
            pattern: "多少钱".into(),
        }];
        let r = Recognizer::new(&extra).expect("compiles");
        assert_eq!(r.recognize("这个多少钱啊").intent, "kb:price");
        assert_eq!(r.recognize("这个多绍钱啊").intent, "kb:price");
        let bad = vec![RuleSpec {
            label: "x".into(),
            kind: RuleKind::Regex,
            pattern: "(".into(),
        }];
        assert!(Recognizer::new(&bad).is_err());
    }
}
