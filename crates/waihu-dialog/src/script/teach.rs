//! Teaching a script new phrases: what callees said that no intent caught is
//! added to one of the script's intents (`keywords`) or knowledge-base entries
//! (`questions`), or becomes a new one. The YAML is edited as text, so the
//! author's comments and layout stay; the result is parsed again and must hold
//! every phrase where it was meant to go, otherwise nothing is changed and the
//! error says why (the author then edits by hand).

use super::load::load_str;
use super::model::Script;

/// Where the phrases go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeachTarget {
    /// The `keywords` of the script's intent with this name.
    Intent(String),
    /// The `questions` of the knowledge-base entry with this id.
    Knowledge(String),
    /// A new intent with these keywords (a branch still has to use it).
    NewIntent(String),
    /// A new knowledge-base entry with these questions and this answer.
    NewKnowledge {
        /// The entry's id (recognised as `kb:<id>`).
        id: String,
        /// What the robot answers.
        answer: String,
    },
}

/// Why the phrases could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeachError {
    /// The script does not parse as it is.
    #[error("the script does not load: {0}")]
    Unreadable(String),
    /// No phrase to add.
    #[error("no phrase to add")]
    NoPhrases,
    /// The intent or entry does not exist (or the new one already does).
    #[error("{0}")]
    Target(String),
    /// A new name is not a plain identifier.
    #[error("{0:?} is not a valid name: use letters, digits and _")]
    BadName(String),
    /// The layout is not one this edits (flow style at the top, odd nesting).
    #[error("cannot add the phrases to this layout automatically ({0}); edit the YAML by hand")]
    Layout(&'static str),
}

/// `yaml` with `phrases` added at `target` (phrases already there are skipped).
pub fn add_phrases(
    yaml: &str,
    target: &TeachTarget,
    phrases: &[String],
) -> Result<String, TeachError> {
    let script = load_str(yaml)
        .script
        .ok_or_else(|| TeachError::Unreadable("fix its findings first".into()))?;
    let existing = match target {
        TeachTarget::Intent(n) => script
            .intents
            .get(n)
            .map(|i| i.keywords.clone())
            .ok_or_else(|| TeachError::Target(format!("the script has no intent {n:?}")))?,
        TeachTarget::Knowledge(id) => script
            .knowledge
            .iter()
            .find(|k| &k.id == id)
            .map(|k| k.questions.clone())
            .ok_or_else(|| {
                TeachError::Target(format!("the script has no knowledge entry {id:?}"))
            })?,
        TeachTarget::NewIntent(n) => {
            check_name(n)?;
            if script.intents.contains_key(n) {
                return Err(TeachError::Target(format!(
                    "the script already has an intent {n:?}"
                )));
            }
            Vec::new()
        }
        TeachTarget::NewKnowledge { id, answer } => {
            check_name(id)?;
            if script.knowledge.iter().any(|k| &k.id == id) {
                return Err(TeachError::Target(format!(
                    "the script already has a knowledge entry {id:?}"
                )));
            }
            if answer.trim().is_empty() {
                return Err(TeachError::Target(
                    "a new knowledge entry needs an answer".into(),
                ));
            }
            Vec::new()
        }
    };
    let mut new: Vec<String> = Vec::new();
    for p in phrases.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !existing.iter().any(|e| e == p) && !new.iter().any(|e| e == p) {
            new.push(p.to_string());
        }
    }
    if new.is_empty() {
        return Err(TeachError::NoPhrases);
    }
    let mut lines: Vec<String> = yaml.lines().map(String::from).collect();
    match target {
        TeachTarget::Intent(n) => {
            let (start, end) =
                top_block(&lines, "intents")?.ok_or(TeachError::Layout("no intents block"))?;
            let child = child_indent(&lines, start, end)
                .ok_or(TeachError::Layout("empty intents block"))?;
            let (at, entry_end) = entry(&lines, start, end, child, |t| key_is(t, n))
                .ok_or(TeachError::Layout("intent not found in the text"))?;
            add_to_list(&mut lines, at, entry_end, child, "keywords", &new)?;
        }
        TeachTarget::Knowledge(id) => {
            let (start, end) =
                top_block(&lines, "knowledge")?.ok_or(TeachError::Layout("no knowledge block"))?;
            let (at, item_end, field_indent) = kb_item(&lines, start, end, id)
                .ok_or(TeachError::Layout("knowledge entry not found in the text"))?;
            add_to_list(
                &mut lines,
                at,
                item_end,
                field_indent.saturating_sub(2),
                "questions",
                &new,
            )?;
        }
        TeachTarget::NewIntent(n) => {
            let entry = format!("{n}:\n  keywords: [{}]", quoted(&new));
            append_to_block(&mut lines, "intents", &entry)?;
        }
        TeachTarget::NewKnowledge { id, answer } => {
            let entry = format!(
                "- id: {id}\n  questions: [{}]\n  answer: {}",
                quoted(&new),
                quote(answer.trim())
            );
            append_to_block(&mut lines, "knowledge", &entry)?;
        }
    }
    let mut out = lines.join("\n");
    if yaml.ends_with('\n') {
        out.push('\n');
    }
    verify(&out, target, &new)?;
    Ok(out)
}

fn check_name(n: &str) -> Result<(), TeachError> {
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !n.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(TeachError::BadName(n.to_string()))
    }
}

/// The edited script holds every phrase at the target.
fn verify(yaml: &str, target: &TeachTarget, new: &[String]) -> Result<(), TeachError> {
    let script: Script = load_str(yaml)
        .script
        .ok_or(TeachError::Layout("the edited script does not load"))?;
    let list = match target {
        TeachTarget::Intent(n) | TeachTarget::NewIntent(n) => {
            script.intents.get(n).map(|i| i.keywords.clone())
        }
        TeachTarget::Knowledge(id) | TeachTarget::NewKnowledge { id, .. } => script
            .knowledge
            .iter()
            .find(|k| &k.id == id)
            .map(|k| k.questions.clone()),
    }
    .unwrap_or_default();
    if new.iter().all(|p| list.contains(p)) {
        Ok(())
    } else {
        Err(TeachError::Layout("the edited script lost a phrase"))
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn quoted(phrases: &[String]) -> String {
    phrases
        .iter()
        .map(|p| quote(p))
        .collect::<Vec<_>>()
        .join(", ")
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn key_is(trimmed: &str, key: &str) -> bool {
    trimmed.strip_prefix(key).is_some_and(|rest| {
        rest.starts_with(':') && (rest.len() == 1 || rest[1..].starts_with([' ', '#']))
    })
}

/// The lines after a top-level `key:` up to the next top-level key: `None`
/// when the key is absent; an error when its value is written inline.
fn top_block(lines: &[String], key: &str) -> Result<Option<(usize, usize)>, TeachError> {
    let Some(at) = lines.iter().position(|l| indent(l) == 0 && key_is(l, key)) else {
        return Ok(None);
    };
    let rest = lines[at][key.len() + 1..].trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return Err(TeachError::Layout("written in flow style"));
    }
    let end = (at + 1..lines.len())
        .find(|&i| !blank(&lines[i]) && indent(&lines[i]) == 0)
        .unwrap_or(lines.len());
    Ok(Some((at + 1, end)))
}

fn child_indent(lines: &[String], start: usize, end: usize) -> Option<usize> {
    (start..end)
        .find(|&i| !blank(&lines[i]))
        .map(|i| indent(&lines[i]))
}

/// The entry at `child` indentation whose text matches, and where it ends.
fn entry(
    lines: &[String],
    start: usize,
    end: usize,
    child: usize,
    matches: impl Fn(&str) -> bool,
) -> Option<(usize, usize)> {
    let at = (start..end).find(|&i| {
        !blank(&lines[i]) && indent(&lines[i]) == child && matches(lines[i].trim_start())
    })?;
    let stop = (at + 1..end)
        .find(|&i| !blank(&lines[i]) && indent(&lines[i]) <= child)
        .unwrap_or(end);
    Some((at, stop))
}

/// The knowledge item with `id`: its first line, its end and the indentation of
/// its fields.
fn kb_item(lines: &[String], start: usize, end: usize, id: &str) -> Option<(usize, usize, usize)> {
    let dash = child_indent(lines, start, end)?;
    let mut i = start;
    while i < end {
        let l = &lines[i];
        if !blank(l) && indent(l) == dash && l.trim_start().starts_with("- ") {
            let stop = (i + 1..end)
                .find(|&j| !blank(&lines[j]) && indent(&lines[j]) <= dash)
                .unwrap_or(end);
            let field = dash + 2;
            let has_id = (i..stop).any(|j| {
                let t = if j == i {
                    lines[j].trim_start()[2..].trim_start()
                } else {
                    lines[j].trim_start()
                };
                let id_field = t.strip_prefix("id:").map(|v| {
                    v.split('#')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_matches(['"', '\''])
                });
                id_field == Some(id)
                    || t.contains(&format!("id: {id},"))
                    || t.contains(&format!("id: {id}}}"))
            });
            if has_id {
                return Some((i, stop, field));
            }
            i = stop;
        } else {
            i += 1;
        }
    }
    None
}

/// Adds `new` to the list `field` of the entry at `at..end` (entry line at
/// indentation `child`): a flow list on the field's line, or a block list below it.
fn add_to_list(
    lines: &mut Vec<String>,
    at: usize,
    end: usize,
    child: usize,
    field: &str,
    new: &[String],
) -> Result<(), TeachError> {
    let pattern = format!("{field}:");
    // On the entry's own line (`name: {keywords: [..]}` / `- {questions: [..]}`) or a deeper line.
    let found = (at..end).find(|&i| {
        let l = &lines[i];
        if i == at {
            l.contains(&pattern)
        } else {
            !blank(l) && indent(l) > child && key_is(l.trim_start().trim_start_matches("- "), field)
        }
    });
    let Some(i) = found else {
        if lines[at].contains('{') {
            return Err(TeachError::Layout("flow mapping without the list"));
        }
        let field_indent = (at + 1..end)
            .find(|&j| !blank(&lines[j]))
            .map(|j| indent(&lines[j]))
            .filter(|&n| n > child)
            .unwrap_or(child + 2);
        lines.insert(
            at + 1,
            format!("{}{field}: [{}]", " ".repeat(field_indent), quoted(new)),
        );
        return Ok(());
    };
    let line = lines[i].clone();
    let pos = line
        .find(&pattern)
        .ok_or(TeachError::Layout("list not found"))?
        + pattern.len();
    let after = line[pos..].trim_start();
    if after.starts_with('[') {
        let open = pos + (line[pos..].len() - after.len());
        let close =
            matching_bracket(&line, open).ok_or(TeachError::Layout("list spans several lines"))?;
        let inside = line[open + 1..close].trim();
        let glue = if inside.is_empty() { "" } else { ", " };
        let mut edited = String::with_capacity(line.len() + 32);
        edited.push_str(line[..close].trim_end());
        edited.push_str(glue);
        edited.push_str(&quoted(new));
        edited.push_str(&line[close..]);
        lines[i] = edited;
        return Ok(());
    }
    if !after.is_empty() && !after.starts_with('#') {
        return Err(TeachError::Layout("the list is a single value"));
    }
    // A block list: items below at a deeper indentation.
    let items: Vec<usize> = (i + 1..end)
        .take_while(|&j| {
            blank(&lines[j])
                || indent(&lines[j]) > indent(&line)
                || lines[j].trim_start().starts_with("- ") && indent(&lines[j]) == indent(&line)
        })
        .filter(|&j| lines[j].trim_start().starts_with("- "))
        .collect();
    let (last, item_indent) = match items.last() {
        Some(&j) => (j, indent(&lines[j])),
        None => return Err(TeachError::Layout("empty block list")),
    };
    for (k, p) in new.iter().enumerate() {
        lines.insert(
            last + 1 + k,
            format!("{}- {}", " ".repeat(item_indent), quote(p)),
        );
    }
    Ok(())
}

/// The index of the `]` closing the `[` at `open`, outside quoted strings.
fn matching_bracket(line: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices().skip_while(|(i, _)| *i < open) {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Appends `entry` (lines relative to the block's children) at the end of the
/// top-level block `key`, creating the block at the end of the file if absent.
fn append_to_block(lines: &mut Vec<String>, key: &str, entry: &str) -> Result<(), TeachError> {
    match top_block(lines, key)? {
        Some((start, end)) => {
            let child = child_indent(lines, start, end).unwrap_or(2);
            // After the block's last non-blank line (blank lines stay between blocks).
            let last = (start..end)
                .rev()
                .find(|&i| !blank(&lines[i]))
                .map_or(start, |i| i + 1);
            for (k, l) in entry.lines().enumerate() {
                lines.insert(last + k, format!("{}{l}", " ".repeat(child)));
            }
        }
        None => {
            lines.push(format!("{key}:"));
            for l in entry.lines() {
                lines.push(format!("  {l}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = r#"name: t
language: zh
business: {name: 小码王, phone: "400-100-2020"}
start: ask
nodes:
  ask:
    say: {text: 可以吗？}
    listen: {timeout_ms: 1500}
    branches: {affirm: done, saturday: done, sunday: done, unknown: done, "kb:price": done}
  done:
    say: {text: 好的}
    end: done
intents:
  # the callee's weekend choices
  saturday: {keywords: [周六, 星期六]}
  sunday:
    keywords:
      - 周日
    words: [天]
knowledge:
  - id: price
    questions: [多少钱]
    answer: 免费。
  - id: where
    questions:
      - 在哪
    answer: 在市中心。

grading: []
"#;

    fn phrases(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    fn script(yaml: &str) -> Script {
        load_str(yaml).script.expect("loads")
    }

    #[test]
    fn adds_to_flow_and_block_lists_keeping_comments() {
        let y = add_phrases(
            SCRIPT,
            &TeachTarget::Intent("saturday".into()),
            &phrases(&["礼拜六", "周六"]),
        )
        .unwrap();
        assert!(y.contains("# the callee's weekend choices"));
        assert_eq!(
            script(&y).intents["saturday"].keywords,
            phrases(&["周六", "星期六", "礼拜六"])
        );
        let y = add_phrases(
            &y,
            &TeachTarget::Intent("sunday".into()),
            &phrases(&["礼拜天", "周末\"那天\""]),
        )
        .unwrap();
        assert_eq!(
            script(&y).intents["sunday"].keywords,
            phrases(&["周日", "礼拜天", "周末\"那天\""])
        );
        assert_eq!(script(&y).intents["sunday"].words, phrases(&["天"]));
        let y = add_phrases(
            &y,
            &TeachTarget::Knowledge("price".into()),
            &phrases(&["要钱吗"]),
        )
        .unwrap();
        let y = add_phrases(
            &y,
            &TeachTarget::Knowledge("where".into()),
            &phrases(&["地址是哪里"]),
        )
        .unwrap();
        let s = script(&y);
        assert_eq!(s.knowledge[0].questions, phrases(&["多少钱", "要钱吗"]));
        assert_eq!(s.knowledge[1].questions, phrases(&["在哪", "地址是哪里"]));
        assert!(y.ends_with("grading: []\n"));
    }

    #[test]
    fn creates_new_intents_and_entries() {
        let y = add_phrases(
            SCRIPT,
            &TeachTarget::NewIntent("dog_swims".into()),
            &phrases(&["狗狗会游泳"]),
        )
        .unwrap();
        assert_eq!(
            script(&y).intents["dog_swims"].keywords,
            phrases(&["狗狗会游泳"])
        );
        let target = TeachTarget::NewKnowledge {
            id: "teacher".into(),
            answer: "老师都有教师资格证。".into(),
        };
        let y = add_phrases(&y, &target, &phrases(&["老师靠谱吗"])).unwrap();
        let s = script(&y);
        assert_eq!(s.knowledge[2].id, "teacher");
        assert_eq!(s.knowledge[2].answer, "老师都有教师资格证。");
        // A script without the blocks gets them.
        let bare = SCRIPT.split("intents:").next().unwrap().to_string() + "grading: []\n";
        let y = add_phrases(
            &bare,
            &TeachTarget::NewIntent("x1".into()),
            &phrases(&["嗯哼"]),
        )
        .unwrap();
        assert_eq!(script(&y).intents["x1"].keywords, phrases(&["嗯哼"]));
    }

    #[test]
    fn bad_targets_and_layouts_change_nothing_and_say_why() {
        let p = phrases(&["礼拜六"]);
        assert!(matches!(
            add_phrases(SCRIPT, &TeachTarget::Intent("nope".into()), &p),
            Err(TeachError::Target(_))
        ));
        assert!(matches!(
            add_phrases(SCRIPT, &TeachTarget::NewIntent("saturday".into()), &p),
            Err(TeachError::Target(_))
        ));
        assert!(matches!(
            add_phrases(SCRIPT, &TeachTarget::NewIntent("bad name".into()), &p),
            Err(TeachError::BadName(_))
        ));
        assert_eq!(
            add_phrases(
                SCRIPT,
                &TeachTarget::Intent("saturday".into()),
                &phrases(&["周六", " "])
            ),
            Err(TeachError::NoPhrases)
        );
        let target = TeachTarget::NewKnowledge {
            id: "k".into(),
            answer: " ".into(),
        };
        assert!(matches!(
            add_phrases(SCRIPT, &target, &p),
            Err(TeachError::Target(_))
        ));
        let flow = SCRIPT.replace("intents:\n  # the callee's weekend choices\n  saturday: {keywords: [周六, 星期六]}\n  sunday:\n    keywords:\n      - 周日\n    words: [天]\n", "intents: {saturday: {keywords: [周六]}, sunday: {keywords: [周日]}}\n");
        assert!(matches!(
            add_phrases(&flow, &TeachTarget::Intent("saturday".into()), &p),
            Err(TeachError::Layout(_))
        ));
        assert!(matches!(
            add_phrases("nodes: [", &TeachTarget::Intent("a".into()), &p),
            Err(TeachError::Unreadable(_))
        ));
    }
}
