//! Keywords of callee speech. Per group (task, grade or node) the callee's
//! recognised utterances are joined and ranked twice with jieba-rs: TF-IDF
//! (jieba's IDF table) and TextRank (co-occurrence graph, window 5). The
//! contrast of two groups ("what do A-grade callees say that D-grade callees
//! don't?") is the log-odds ratio with a Dirichlet prior (Monroe, Colaresi &
//! Quinn 2008), as a z-score per word: positive means more typical of the
//! first group.

use crate::facts::CallFact;
use crate::text::{is_keyword, jieba, normalize, tokens, STOP};
use jieba_rs::{KeywordExtract, KeywordExtractConfig, TextRank, TfIdf};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// How utterances are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// By the call's task.
    Task,
    /// By the call's grade (`A`..`F`; `-` for none).
    Grade,
    /// By the node that was listening.
    Node,
}

/// A ranked word.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The word.
    pub word: String,
    /// Its weight (TF-IDF score or TextRank weight).
    pub weight: f64,
}

/// The keywords of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupKeywords {
    /// The group key (task id, grade letter or node id).
    pub group: String,
    /// Utterances in the group.
    pub utterances: u64,
    /// TF-IDF keywords, best first.
    pub tfidf: Vec<Ranked>,
    /// TextRank keywords, best first.
    pub textrank: Vec<Ranked>,
}

/// One word of a contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrasted {
    /// The word.
    pub word: String,
    /// Occurrences in the first group.
    pub count_a: u64,
    /// Occurrences in the second group.
    pub count_b: u64,
    /// Log-odds z-score: > 0 typical of the first group, < 0 of the second.
    pub z: f64,
}

fn config() -> KeywordExtractConfig {
    STOP.iter()
        .fold(KeywordExtractConfig::builder(), |b, w| b.add_stop_word(*w))
        .build()
}

fn tfidf() -> &'static TfIdf {
    static T: OnceLock<TfIdf> = OnceLock::new();
    T.get_or_init(|| {
        // The default carries jieba's bundled IDF table.
        let mut t = TfIdf::default();
        *t.config_mut() = config();
        t
    })
}

fn textrank() -> &'static TextRank {
    static T: OnceLock<TextRank> = OnceLock::new();
    T.get_or_init(|| TextRank::new(5, config()))
}

/// The callee's recognised utterances (normalised, non-empty) per group.
pub fn speech_by(facts: &[CallFact], by: GroupBy) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in facts {
        for t in &f.turns {
            let Some(text) = &t.callee_text else { continue };
            let norm = normalize(text);
            if norm.is_empty() {
                continue;
            }
            let key = match by {
                GroupBy::Task => f.task_id.map_or_else(|| "-".to_string(), |t| t.to_string()),
                GroupBy::Grade => f.grade.map_or_else(|| "-".to_string(), |g| g.to_string()),
                GroupBy::Node => t.node.clone().unwrap_or_else(|| "-".to_string()),
            };
            out.entry(key).or_default().push(norm);
        }
    }
    out
}

/// TF-IDF and TextRank keywords of a set of utterances.
pub fn extract(utterances: &[String], top_k: usize) -> (Vec<Ranked>, Vec<Ranked>) {
    let text = utterances.join("。");
    let conv = |v: Vec<jieba_rs::Keyword>| {
        v.into_iter()
            .filter(|k| is_keyword(&k.keyword))
            .map(|k| Ranked {
                word: k.keyword,
                weight: k.weight,
            })
            .collect::<Vec<_>>()
    };
    let t = conv(tfidf().extract_keywords(jieba(), &text, top_k, Vec::new()));
    let r = conv(textrank().extract_keywords(jieba(), &text, top_k, Vec::new()));
    (t, r)
}

/// Keywords per group, groups in key order.
pub fn keywords(facts: &[CallFact], by: GroupBy, top_k: usize) -> Vec<GroupKeywords> {
    speech_by(facts, by)
        .into_iter()
        .map(|(group, docs)| {
            let (tfidf, textrank) = extract(&docs, top_k);
            GroupKeywords {
                group,
                utterances: docs.len() as u64,
                tfidf,
                textrank,
            }
        })
        .collect()
}

fn counts(docs: &[String]) -> BTreeMap<String, u64> {
    let mut c = BTreeMap::new();
    for d in docs {
        for t in tokens(d) {
            if is_keyword(&t) {
                *c.entry(t).or_default() += 1;
            }
        }
    }
    c
}

/// The words that most separate two groups of utterances, by |z|, at most
/// `top_k` per side: the first group's (z > 0, largest first), then the
/// second's (z < 0, most negative last).
pub fn contrast(a: &[String], b: &[String], top_k: usize) -> Vec<Contrasted> {
    const ALPHA: f64 = 0.5;
    let (ca, cb) = (counts(a), counts(b));
    let mut vocab: Vec<&String> = ca.keys().chain(cb.keys()).collect();
    vocab.sort();
    vocab.dedup();
    let na: f64 = ca.values().sum::<u64>() as f64;
    let nb: f64 = cb.values().sum::<u64>() as f64;
    let a0 = ALPHA * vocab.len() as f64;
    let mut all: Vec<Contrasted> = vocab
        .into_iter()
        .map(|w| {
            let ya = ca.get(w).copied().unwrap_or(0);
            let yb = cb.get(w).copied().unwrap_or(0);
            let (fa, fb) = (ya as f64 + ALPHA, yb as f64 + ALPHA);
            let delta = (fa / (na + a0 - fa)).ln() - (fb / (nb + a0 - fb)).ln();
            let z = delta / (1.0 / fa + 1.0 / fb).sqrt();
            Contrasted {
                word: w.clone(),
                count_a: ya,
                count_b: yb,
                z,
            }
        })
        .collect();
    all.sort_by(|x, y| y.z.total_cmp(&x.z).then_with(|| x.word.cmp(&y.word)));
    let pos: Vec<Contrasted> = all
        .iter()
        .filter(|c| c.z > 0.0)
        .take(top_k)
        .cloned()
        .collect();
    let mut neg: Vec<Contrasted> = all
        .iter()
        .rev()
        .filter(|c| c.z < 0.0)
        .take(top_k)
        .cloned()
        .collect();
    neg.reverse();
    pos.into_iter().chain(neg).collect()
}

/// The contrast of two grades' callee speech (e.g. `A` against `D`).
pub fn grade_contrast(facts: &[CallFact], a: char, b: char, top_k: usize) -> Vec<Contrasted> {
    let by = speech_by(facts, GroupBy::Grade);
    let empty = Vec::new();
    contrast(
        by.get(&a.to_string()).unwrap_or(&empty),
        by.get(&b.to_string()).unwrap_or(&empty),
        top_k,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{TurnFact, TurnNext};
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    fn call(n: u128, grade: char, node: &str, said: &[&str]) -> CallFact {
        let mut f = CallFact::new(
            Uuid::from_u128(n),
            Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
        );
        f.task_id = Some(Uuid::from_u128(100));
        f.grade = Some(grade);
        f.turns = said
            .iter()
            .map(|s| TurnFact {
                node: Some(node.into()),
                callee_text: Some(s.to_string()),
                dtmf: None,
                intent: "affirm".into(),
                confidence: Some(0.9),
                next: TurnNext::Node(node.into()),
            })
            .collect();
        f
    }

    /// Two personas: the interested one asks about price and booking, the
    /// busy one has no time.
    fn personas() -> Vec<CallFact> {
        let mut v = Vec::new();
        for i in 0..10 {
            v.push(call(
                i,
                'A',
                "offer",
                &["这个价格多少，有优惠吗", "可以预约周末体验吗"],
            ));
            v.push(call(
                100 + i,
                'D',
                "intro",
                &["我现在很忙，没时间", "不需要，谢谢"],
            ));
        }
        v
    }

    #[test]
    fn keywords_separate_the_personas_by_grade() {
        let ks = keywords(&personas(), GroupBy::Grade, 5);
        assert_eq!(ks.len(), 2);
        let a = &ks[0];
        let d = &ks[1];
        assert_eq!((a.group.as_str(), a.utterances), ("A", 20));
        let words = |r: &[Ranked]| r.iter().map(|k| k.word.clone()).collect::<Vec<_>>();
        for list in [words(&a.tfidf), words(&a.textrank)] {
            assert!(
                list.iter()
                    .any(|w| w == "价格" || w == "优惠" || w == "预约"),
                "{list:?}"
            );
            assert!(!list.iter().any(|w| w == "时间" || w == "需要"), "{list:?}");
        }
        assert!(
            words(&d.tfidf).iter().any(|w| w == "时间" || w == "没"),
            "{:?}",
            d.tfidf
        );
    }

    #[test]
    fn contrast_puts_each_groups_words_on_its_side() {
        let c = grade_contrast(&personas(), 'A', 'D', 3);
        assert_eq!(c.len(), 6, "{c:?}");
        for w in &c[..3] {
            assert!(w.z > 0.0 && w.count_b == 0 && w.count_a > 0, "{w:?}");
        }
        for w in &c[3..] {
            assert!(w.z < 0.0 && w.count_a == 0 && w.count_b > 0, "{w:?}");
        }
        let by_node = keywords(&personas(), GroupBy::Node, 3);
        assert_eq!(
            by_node.iter().map(|g| g.group.as_str()).collect::<Vec<_>>(),
            vec!["intro", "offer"]
        );
    }

    #[test]
    fn empty_groups_give_empty_results() {
        assert!(keywords(&[], GroupBy::Task, 5).is_empty());
        assert!(contrast(&[], &[], 5).is_empty());
        assert!(grade_contrast(&personas(), 'B', 'C', 5).is_empty());
    }
}
