//! Unrecognised utterances: every callee turn that fell to `unknown`, or matched
//! with a confidence below a threshold, normalised (simplified, half-width,
//! lower case, punctuation folded) and clustered by sound and words, so that
//! "不虚要" (an ASR homophone) lands with "不需要". Clusters are ranked by
//! frequency and carry example call ids and the nodes where they happened.
//!
//! Similarity of two normalised texts is the larger of the Dice coefficient of
//! their fuzzy-pinyin syllable bigrams and the Jaccard index of their content
//! tokens compared by pinyin. Clustering is greedy and deterministic: distinct
//! texts in order of frequency join the first cluster whose representative
//! (its most frequent text) is similar enough, else start a new one.

use crate::facts::CallFact;
use crate::text::{normalize, syllables, tokens};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;
use waihu_dialog::intent;

/// What counts as unrecognised and how to cluster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnknownOptions {
    /// Turns matched with a confidence below this are included too.
    pub min_confidence: f32,
    /// Similarity (0..1) at which two texts share a cluster.
    pub similarity: f64,
    /// Example call ids kept per cluster.
    pub examples: usize,
    /// Only this many distinct texts, the most frequent, are clustered (the
    /// rarest are left out: they cannot change the top of the ranking much,
    /// and clustering cost grows with the square of the distinct texts).
    pub max_texts: usize,
}

impl Default for UnknownOptions {
    fn default() -> Self {
        Self {
            min_confidence: 0.5,
            similarity: 0.6,
            examples: 5,
            max_texts: 5_000,
        }
    }
}

/// One cluster of unrecognised utterances.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The most frequent normalised text of the cluster.
    pub label: String,
    /// Utterances in the cluster.
    pub count: u64,
    /// Distinct calls they came from.
    pub calls: u64,
    /// Each normalised text with its count, most frequent first.
    pub variants: Vec<(String, u64)>,
    /// Up to `examples` call ids, oldest first.
    pub example_calls: Vec<Uuid>,
    /// The nodes where they were said, with counts, most frequent first.
    pub nodes: Vec<(String, u64)>,
}

struct Text {
    text: String,
    count: u64,
    calls: Vec<(chrono::DateTime<chrono::Utc>, Uuid)>,
    nodes: BTreeMap<String, u64>,
    bigrams: BTreeSet<String>,
    words: BTreeSet<String>,
    sound: Vec<String>,
}

impl Text {
    fn new(text: String) -> Self {
        let sound = syllables(&text);
        let bigrams = if sound.len() < 2 {
            sound.iter().cloned().collect()
        } else {
            sound.windows(2).map(|w| w.join(" ")).collect()
        };
        let words = tokens(&text)
            .iter()
            .map(|t| syllables(t).join(""))
            .filter(|w| !w.is_empty())
            .collect();
        Self {
            text,
            count: 0,
            calls: Vec::new(),
            nodes: BTreeMap::new(),
            bigrams,
            words,
            sound,
        }
    }
}

/// Similarity of two normalised texts, 0..1 (see the module doc).
pub fn similarity(a: &str, b: &str) -> f64 {
    sim(&Text::new(a.to_string()), &Text::new(b.to_string()))
}

fn sim(a: &Text, b: &Text) -> f64 {
    if !a.sound.is_empty() && a.sound == b.sound {
        return 1.0;
    }
    let shared = a.bigrams.intersection(&b.bigrams).count() as f64;
    let total = (a.bigrams.len() + b.bigrams.len()) as f64;
    let dice = if total == 0.0 {
        0.0
    } else {
        2.0 * shared / total
    };
    let inter = a.words.intersection(&b.words).count() as f64;
    let union = a.words.union(&b.words).count() as f64;
    let jaccard = if union == 0.0 { 0.0 } else { inter / union };
    dice.max(jaccard)
}

/// Whether a turn counts as unrecognised.
fn unrecognised(intent_label: &str, confidence: Option<f32>, min: f32) -> bool {
    intent_label == intent::UNKNOWN
        || (intent_label != intent::SILENCE && confidence.is_some_and(|c| c < min))
}

/// Clusters the unrecognised utterances of `facts`, most frequent first.
pub fn clusters(facts: &[CallFact], opts: &UnknownOptions) -> Vec<Cluster> {
    let mut texts: BTreeMap<String, Text> = BTreeMap::new();
    for f in facts {
        for t in &f.turns {
            if !unrecognised(&t.intent, t.confidence, opts.min_confidence) {
                continue;
            }
            let Some(raw) = &t.callee_text else { continue };
            let norm = normalize(raw);
            if norm.is_empty() {
                continue;
            }
            let e = texts.entry(norm.clone()).or_insert_with(|| Text::new(norm));
            e.count += 1;
            e.calls.push((f.created_at, f.call_id));
            if let Some(n) = &t.node {
                *e.nodes.entry(n.clone()).or_default() += 1;
            }
        }
    }
    let mut order: Vec<Text> = texts.into_values().collect();
    order.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    order.truncate(opts.max_texts);
    // Only clusters whose representative shares a syllable bigram or a word
    // can reach a positive similarity. Inverted indexes over both kinds of key
    // count, per candidate cluster, the shared bigrams and words, which is all
    // the Dice and Jaccard figures need; taking the first cluster (in creation
    // order) that is similar enough gives the same result as scanning them all.
    let mut groups: Vec<Vec<Text>> = Vec::new();
    let mut sizes: Vec<(usize, usize)> = Vec::new();
    let mut by_bigram: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
    for t in order {
        let mut shared: HashMap<usize, (usize, usize)> = HashMap::new();
        for g in t.bigrams.iter().filter_map(|k| by_bigram.get(k)).flatten() {
            shared.entry(*g).or_default().0 += 1;
        }
        for g in t.words.iter().filter_map(|k| by_word.get(k)).flatten() {
            shared.entry(*g).or_default().1 += 1;
        }
        let (nb, nw) = (t.bigrams.len(), t.words.len());
        let hit = shared
            .into_iter()
            .filter(|(g, (sb, sw))| {
                let (gb, gw) = sizes[*g];
                let dice = 2.0 * *sb as f64 / (nb + gb).max(1) as f64;
                let jaccard = *sw as f64 / (nw + gw - sw).max(1) as f64;
                dice.max(jaccard) >= opts.similarity
            })
            .map(|(g, _)| g)
            .min();
        match hit {
            Some(i) => groups[i].push(t),
            None => {
                let id = groups.len();
                for k in &t.bigrams {
                    by_bigram.entry(k.clone()).or_default().push(id);
                }
                for k in &t.words {
                    by_word.entry(k.clone()).or_default().push(id);
                }
                sizes.push((nb, nw));
                groups.push(vec![t]);
            }
        }
    }
    let mut out: Vec<Cluster> = groups.into_iter().map(|g| summarise(g, opts)).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    out
}

fn summarise(group: Vec<Text>, opts: &UnknownOptions) -> Cluster {
    let label = group[0].text.clone();
    let count = group.iter().map(|t| t.count).sum();
    let mut calls: Vec<(chrono::DateTime<chrono::Utc>, Uuid)> =
        group.iter().flat_map(|t| t.calls.iter().copied()).collect();
    calls.sort();
    let mut seen = BTreeSet::new();
    calls.retain(|(_, id)| seen.insert(*id));
    let mut nodes: BTreeMap<String, u64> = BTreeMap::new();
    for t in &group {
        for (n, c) in &t.nodes {
            *nodes.entry(n.clone()).or_default() += c;
        }
    }
    let mut nodes: Vec<(String, u64)> = nodes.into_iter().collect();
    nodes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Cluster {
        label,
        count,
        calls: calls.len() as u64,
        variants: group.iter().map(|t| (t.text.clone(), t.count)).collect(),
        example_calls: calls
            .iter()
            .take(opts.examples)
            .map(|(_, id)| *id)
            .collect(),
        nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{TurnFact, TurnNext};
    use chrono::{Duration, TimeZone, Utc};

    fn fact(n: u128, said: &[(&str, &str, Option<f32>)]) -> CallFact {
        let mut f = CallFact::new(
            Uuid::from_u128(n),
            Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap() + Duration::seconds(n as i64),
        );
        f.answered = true;
        f.turns = said
            .iter()
            .map(|(text, intent, conf)| TurnFact {
                node: Some("offer".into()),
                callee_text: Some(text.to_string()),
                dtmf: None,
                intent: intent.to_string(),
                confidence: *conf,
                next: TurnNext::Node("offer".into()),
            })
            .collect();
        f
    }

    #[test]
    fn homophones_and_spelling_variants_cluster_and_rank_by_frequency() {
        let facts = vec![
            fact(1, &[("你们是哪个公司的？", "unknown", Some(0.9))]),
            fact(2, &[("你们是哪个公司的", "unknown", Some(0.9))]),
            fact(3, &[("你們是哪個公司的", "unknown", Some(0.9))]),
            fact(4, &[("你们是那个公司的", "unknown", Some(0.9))]),
            fact(5, &[("多少钱", "unknown", Some(0.9))]),
            fact(6, &[("这个要多少钱", "unknown", Some(0.9))]),
            // Recognised with good confidence: not included.
            fact(7, &[("好的", "affirm", Some(0.95))]),
            // Recognised with low confidence: included.
            fact(8, &[("不虚要", "reject", Some(0.3))]),
            fact(9, &[("不需要", "unknown", None)]),
            // Silence never counts.
            fact(10, &[("", "silence", Some(0.1))]),
        ];
        let cs = clusters(&facts, &UnknownOptions::default());
        assert_eq!(cs[0].label, "你们是哪个公司的");
        assert_eq!(cs[0].count, 4, "{cs:#?}");
        assert_eq!(cs[0].calls, 4);
        assert_eq!(cs[0].example_calls[0], Uuid::from_u128(1));
        assert_eq!(cs[0].nodes, vec![("offer".to_string(), 4)]);
        let no = cs
            .iter()
            .find(|c| c.variants.iter().any(|v| v.0 == "不虚要"))
            .unwrap();
        assert_eq!(no.count, 2, "{cs:#?}");
        let price = cs.iter().find(|c| c.label.contains("多少钱")).unwrap();
        assert_eq!(price.count, 2, "{cs:#?}");
        assert!(!cs.iter().any(|c| c.label == "好的"));
        assert_eq!(cs.iter().map(|c| c.count).sum::<u64>(), 8);
    }

    #[test]
    fn different_meanings_stay_apart_and_examples_are_capped() {
        let mut facts: Vec<CallFact> = (0..8)
            .map(|i| fact(i, &[("我在开车", "unknown", None)]))
            .collect();
        facts.push(fact(20, &[("你们怎么有我电话", "unknown", None)]));
        let opts = UnknownOptions {
            examples: 3,
            ..UnknownOptions::default()
        };
        let cs = clusters(&facts, &opts);
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].example_calls.len(), 3);
        assert!(similarity("我在开车", "你们怎么有我电话") < 0.6);
        assert_eq!(similarity("不虚要", "不需要"), 1.0);
    }

    #[test]
    fn the_index_finds_what_a_full_scan_finds() {
        let stems = [
            "你们是哪个公司",
            "多少钱",
            "我在开车",
            "不需要",
            "网课吗",
            "在哪里上课",
        ];
        let tails = ["", "啊", "呢", "的", "请问", "这个"];
        let mut facts = Vec::new();
        let mut n = 0u128;
        for (i, s) in stems.iter().enumerate() {
            for (j, t) in tails.iter().enumerate() {
                for _ in 0..=(i + j) % 3 {
                    n += 1;
                    let text = if j % 2 == 0 {
                        format!("{t}{s}")
                    } else {
                        format!("{s}{t}")
                    };
                    facts.push(fact(n, &[(text.as_str(), "unknown", None)]));
                }
            }
        }
        let opts = UnknownOptions::default();
        let fast = clusters(&facts, &opts);
        // The plain greedy scan over every cluster.
        let mut texts: BTreeMap<String, u64> = BTreeMap::new();
        for f in &facts {
            *texts
                .entry(normalize(f.turns[0].callee_text.as_deref().unwrap()))
                .or_default() += 1;
        }
        let mut order: Vec<(String, u64)> = texts.into_iter().collect();
        order.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut groups: Vec<Vec<(String, u64)>> = Vec::new();
        for t in order {
            match groups
                .iter_mut()
                .find(|g| similarity(&g[0].0, &t.0) >= opts.similarity)
            {
                Some(g) => g.push(t),
                None => groups.push(vec![t]),
            }
        }
        let mut slow: Vec<(String, u64)> = groups
            .iter()
            .map(|g| (g[0].0.clone(), g.iter().map(|x| x.1).sum()))
            .collect();
        slow.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let fast: Vec<(String, u64)> = fast.iter().map(|c| (c.label.clone(), c.count)).collect();
        assert_eq!(fast, slow);
        assert!(fast.len() >= stems.len());
    }

    #[test]
    fn only_the_most_frequent_texts_are_clustered() {
        let mut facts: Vec<CallFact> = (0..3)
            .map(|i| fact(i, &[("我在开车", "unknown", None)]))
            .collect();
        facts.push(fact(10, &[("你们怎么有我电话", "unknown", None)]));
        let opts = UnknownOptions {
            max_texts: 1,
            ..UnknownOptions::default()
        };
        let cs = clusters(&facts, &opts);
        assert_eq!(cs.len(), 1);
        assert_eq!((cs[0].label.as_str(), cs[0].count), ("我在开车", 3));
    }

    #[test]
    fn no_calls_no_clusters() {
        assert!(clusters(&[], &UnknownOptions::default()).is_empty());
    }
}
