//! Text tools shared by the utterance clustering and the keyword mining: one
//! process-wide jieba segmenter, content tokens of a normalised utterance (no
//! separators, fillers or single function words), and toneless fuzzy pinyin
//! (zh/z, ch/c, sh/s, n/l and -ng/-n merged, as ASR and dialect speakers blur
//! them, see `waihu_dialog::intent::pinyin_syllable`) so homophones compare
//! equal.

use jieba_rs::Jieba;
use std::sync::OnceLock;
use waihu_dialog::intent::pinyin_syllable;
use waihu_dialog::normalize::{is_han, normalize_zh, CLAUSE};

/// The shared segmenter (its dictionary loads once).
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Fillers and function words that carry no meaning on their own.
pub(crate) const STOP: &[&str] = &[
    "嗯", "啊", "呃", "哦", "噢", "哎", "诶", "额", "呀", "吧", "吗", "呢", "嘛", "了", "的", "地",
    "得", "是", "我", "你", "您", "他", "她", "它", "这", "那", "那个", "这个", "就", "也", "都",
    "在", "和", "跟", "啦", "哈", "喂", "就是", "然后", "一下", "一个", "什么", "怎么",
];

/// Normalised text (see `waihu_dialog::normalize::normalize_zh`).
pub fn normalize(text: &str) -> String {
    normalize_zh(text)
}

/// Content tokens of an already normalised text, in order.
pub fn tokens(normalized: &str) -> Vec<String> {
    jieba()
        .cut(normalized, false)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|t| !t.is_empty() && !t.chars().all(|c| c == CLAUSE || !c.is_alphanumeric()))
        .filter(|t| !STOP.contains(t))
        .map(String::from)
        .collect()
}

/// True for a token worth showing as a keyword: two or more characters, or
/// a single hanzi that is not a filler.
pub fn is_keyword(token: &str) -> bool {
    token.chars().count() >= 2 || token.chars().all(is_han)
}

/// The fuzzy syllables of a text: one per hanzi; a run of other letters or
/// digits is one syllable of its own; separators are dropped.
pub fn syllables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if let Some(s) = pinyin_syllable(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(s);
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_share_syllables() {
        assert_eq!(syllables("不虚要"), syllables("不需要"));
        assert_eq!(syllables("号的"), syllables("好的"));
        assert_eq!(
            syllables("ok,好"),
            vec!["ok".to_string(), "hao".to_string()]
        );
        assert_eq!(syllables("是"), syllables("四"));
    }

    #[test]
    fn tokens_drop_fillers_and_separators() {
        let t = tokens(&normalize("嗯，我没有兴趣啊！"));
        assert!(t.contains(&"没有".to_string()), "{t:?}");
        assert!(t.contains(&"兴趣".to_string()), "{t:?}");
        assert!(!t.iter().any(|x| x == "嗯" || x == "啊" || x == ","));
        assert!(is_keyword("兴趣") && is_keyword("贵") && !is_keyword("a"));
    }
}
