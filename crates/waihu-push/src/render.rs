//! Turns a lead into the text a sales team reads in its chat group: markdown for
//! WeCom and DingTalk, a rich-text post for Feishu. zh-CN labels, one value per
//! line, sized to fit the robots' limits.

use crate::lead::Lead;
use serde_json::{json, Value};

/// WeCom markdown content is limited to 4096 bytes (UTF-8); we keep the same
/// ceiling for DingTalk and Feishu so one lead reads the same everywhere.
pub const MAX_MESSAGE_BYTES: usize = 4000;
/// Longest single value (name, field, reason, transcript line), in characters.
const MAX_VALUE_CHARS: usize = 200;
/// Shorter value caps tried in turn when a lead without transcript is still
/// too long (many long contact fields).
const SHRINKING_VALUE_CHARS: [usize; 3] = [MAX_VALUE_CHARS, 60, 20];
/// At most this many contact fields, intents and transcript lines are shown.
const MAX_FIELDS: usize = 12;
const MAX_INTENTS: usize = 10;
const MAX_TRANSCRIPT: usize = 10;

/// One value made safe for a chat line: no line breaks or control characters,
/// angle brackets made full-width (so `<@all>` or `<font>` in a transcript cannot
/// mention everyone or restyle the message), at most `MAX_VALUE_CHARS` characters.
pub(crate) fn one_line(s: &str) -> String {
    one_line_capped(s, MAX_VALUE_CHARS)
}

fn one_line_capped(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len());
    let mut count = 0;
    let mut last_space = false;
    for c in s.trim().chars() {
        let c = match c {
            '<' => '＜',
            '>' => '＞',
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        if count == max_chars {
            out.push('…');
            break;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// The short title: `新线索 A级 · 任务名`.
pub fn title(lead: &Lead) -> String {
    format!("新线索 {}级 · {}", lead.grade, one_line(&lead.task_name))
}

/// How much of a lead to show: transcript lines and the cap on each value.
#[derive(Debug, Clone, Copy)]
struct Budget {
    transcript_lines: usize,
    value_chars: usize,
}

/// The labelled lines of a lead, shared by all chat formats, and the chosen
/// transcript lines.
fn body_lines(lead: &Lead, budget: Budget) -> (Vec<(String, String)>, Vec<String>) {
    let v = |s: &str| one_line_capped(s, budget.value_chars);
    let mut facts = vec![
        ("商户".to_string(), v(&lead.tenant_name)),
        ("任务".to_string(), v(&lead.task_name)),
        (
            "评级".to_string(),
            format!("{} — {}", lead.grade, v(&lead.grade_reason)),
        ),
        ("号码".to_string(), one_line(&lead.number.text)),
    ];
    if let Some(name) = lead
        .contact_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        facts.push(("姓名".to_string(), v(name)));
    }
    for (k, val) in lead.contact_fields.iter().take(MAX_FIELDS) {
        facts.push((v(k), v(val)));
    }
    facts.push((
        "通话时间".to_string(),
        lead.called_at.format("%Y-%m-%d %H:%M (UTC%:z)").to_string(),
    ));
    if !lead.intents.is_empty() {
        let intents: Vec<String> = lead
            .intents
            .iter()
            .take(MAX_INTENTS)
            .map(|i| v(i))
            .collect();
        facts.push(("意向".to_string(), intents.join("、")));
    }
    let transcript = lead
        .transcript
        .iter()
        .take(budget.transcript_lines)
        .map(|l| format!("{}:{}", l.speaker.label(), v(&l.text)))
        .collect();
    (facts, transcript)
}

/// Renders with the largest budget whose result fits `MAX_MESSAGE_BYTES`: first
/// fewer transcript lines, then shorter values. Returns the smallest rendering
/// when even that does not fit (callers with a hard limit truncate it).
fn fit<T>(lead: &Lead, render: impl Fn(&Lead, Budget) -> T, size: impl Fn(&T) -> usize) -> T {
    let full_lines = lead.transcript.len().min(MAX_TRANSCRIPT);
    let budgets = (0..=full_lines)
        .rev()
        .map(|transcript_lines| Budget {
            transcript_lines,
            value_chars: MAX_VALUE_CHARS,
        })
        .chain(
            SHRINKING_VALUE_CHARS[1..]
                .iter()
                .map(|&value_chars| Budget {
                    transcript_lines: 0,
                    value_chars,
                }),
        );
    let mut last = None;
    for budget in budgets {
        let out = render(lead, budget);
        if size(&out) <= MAX_MESSAGE_BYTES {
            return out;
        }
        last = Some(out);
    }
    match last {
        Some(out) => out,
        None => render(
            lead,
            Budget {
                transcript_lines: 0,
                value_chars: 20,
            },
        ),
    }
}

fn fit_text(lead: &Lead, render: impl Fn(&Lead, Budget) -> String) -> String {
    let text = fit(lead, render, String::len);
    if text.len() <= MAX_MESSAGE_BYTES {
        text
    } else {
        truncate_bytes(&text, MAX_MESSAGE_BYTES)
    }
}

fn truncate_bytes(s: &str, max: usize) -> String {
    let mut end = max.saturating_sub('…'.len_utf8());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Markdown with the given line separator (WeCom takes `\n`; DingTalk needs a
/// blank line between paragraphs).
fn markdown(lead: &Lead, budget: Budget, sep: &str) -> String {
    let (facts, transcript) = body_lines(lead, budget);
    let mut out = vec![format!("### {}", title(lead))];
    out.extend(facts.iter().map(|(k, v)| format!("> **{k}**:{v}")));
    if !transcript.is_empty() {
        out.push("**对话摘录**".to_string());
        out.extend(transcript.iter().map(|l| format!("> {l}")));
    }
    if let Some(url) = &lead.record_url {
        out.push(format!("[查看详情]({})", one_line(url)));
    }
    out.join(sep)
}

/// The WeCom group robot markdown content.
pub fn wecom_markdown(lead: &Lead) -> String {
    fit_text(lead, |l, b| markdown(l, b, "\n"))
}

/// The DingTalk custom robot markdown text.
pub fn dingtalk_markdown(lead: &Lead) -> String {
    fit_text(lead, |l, b| markdown(l, b, "\n\n"))
}

/// The Feishu/Lark `post` (rich text) content object: `{"post":{"zh_cn":{…}}}`.
/// Sized like the markdown; its smallest form stays far below Feishu's 20 KB
/// request limit, so it is never cut mid-structure.
pub fn feishu_post(lead: &Lead) -> Value {
    fit(lead, feishu_post_with, |v| v.to_string().len())
}

fn feishu_post_with(lead: &Lead, budget: Budget) -> Value {
    let (facts, transcript) = body_lines(lead, budget);
    let mut rows: Vec<Value> = facts
        .iter()
        .map(|(k, v)| json!([{ "tag": "text", "text": format!("{k}:{v}") }]))
        .collect();
    if !transcript.is_empty() {
        rows.push(json!([{ "tag": "text", "text": "对话摘录" }]));
        rows.extend(
            transcript
                .iter()
                .map(|l| json!([{ "tag": "text", "text": l }])),
        );
    }
    if let Some(url) = &lead.record_url {
        rows.push(json!([{ "tag": "a", "text": "查看详情", "href": url }]));
    }
    json!({ "post": { "zh_cn": { "title": title(lead), "content": rows } } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::{Grade, PresentedNumber, Speaker, TranscriptLine};
    use chrono::{FixedOffset, TimeZone};
    use uuid::Uuid;

    fn lead(transcript: usize, line_len: usize) -> Lead {
        Lead {
            lead_id: Uuid::nil(),
            tenant_name: "示例商户".into(),
            task_name: "三月回访".into(),
            grade: Grade::A,
            grade_reason: "主动询问价格".into(),
            number: PresentedNumber {
                text: "138****5678".into(),
                is_full: false,
            },
            contact_name: Some("王先生".into()),
            contact_fields: vec![("城市".into(), "杭州".into())],
            intents: vec!["询价".into(), "预约".into()],
            transcript: (0..transcript)
                .map(|i| TranscriptLine {
                    speaker: if i % 2 == 0 {
                        Speaker::Bot
                    } else {
                        Speaker::Callee
                    },
                    text: "好".repeat(line_len),
                })
                .collect(),
            called_at: FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .with_ymd_and_hms(2026, 3, 2, 14, 5, 0)
                .unwrap(),
            record_url: Some("https://waihu.example/leads/1".into()),
        }
    }

    #[test]
    fn markdown_has_the_facts() {
        let md = wecom_markdown(&lead(2, 5));
        for part in [
            "新线索 A级 · 三月回访",
            "138****5678",
            "王先生",
            "城市",
            "2026-03-02 14:05 (UTC+08:00)",
            "询价、预约",
            "客户:好好好好好",
            "[查看详情](https://waihu.example/leads/1)",
        ] {
            assert!(md.contains(part), "missing {part} in {md}");
        }
    }

    #[test]
    fn long_leads_fit_the_limit_by_dropping_transcript() {
        let l = lead(10, 200);
        for text in [wecom_markdown(&l), dingtalk_markdown(&l)] {
            assert!(text.len() <= MAX_MESSAGE_BYTES, "{} bytes", text.len());
            assert!(text.contains("138****5678"));
        }
        let post = serde_json::to_string(&feishu_post(&l)).unwrap();
        assert!(post.len() <= MAX_MESSAGE_BYTES, "{} bytes", post.len());
    }

    #[test]
    fn many_long_fields_shrink_values_instead_of_cutting() {
        let mut l = lead(3, 200);
        l.contact_fields = (0..30)
            .map(|i| (format!("字段{i}"), "长".repeat(300)))
            .collect();
        let post = feishu_post(&l);
        let text = post.to_string();
        assert!(text.len() <= MAX_MESSAGE_BYTES, "{} bytes", text.len());
        assert!(text.contains("138****5678"));
        assert!(!text.contains("对话摘录"), "transcript is dropped first");
        let md = wecom_markdown(&l);
        assert!(md.len() <= MAX_MESSAGE_BYTES);
        assert!(md.contains("字段0"));
    }

    #[test]
    fn values_cannot_break_lines_or_mention() {
        assert_eq!(one_line(" a\nb\r\n\tc "), "a b c");
        assert_eq!(one_line("<@all> hi"), "＜@all＞ hi");
        let long = one_line(&"x".repeat(500));
        assert_eq!(long.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let s = "好".repeat(10); // 30 bytes
        let t = truncate_bytes(&s, 10);
        assert!(t.len() <= 10, "{t}");
        assert!(t.ends_with('…'));
    }
}
