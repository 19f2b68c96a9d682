//! Loading a script: YAML → node tree with positions (marked-yaml) → typed
//! [`Script`] (serde). Every YAML or schema error becomes a [`Finding`] with a
//! line; nothing here panics on bad input.

use super::{Finding, Script};
use marked_yaml::{LoadError, LoaderOptions, Node};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The 1-based line of every key in the file, by slash path (`nodes/greet/branches/affirm`).
#[derive(Debug, Clone, Default)]
pub struct Positions {
    lines: HashMap<String, usize>,
}

impl Positions {
    /// The line of `path`, or of its nearest ancestor that has one, or 1.
    pub fn line(&self, path: &str) -> usize {
        let mut p = path;
        loop {
            if let Some(&l) = self.lines.get(p) {
                return l;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return 1,
            }
        }
    }

    fn walk(&mut self, node: &Node, prefix: &str) {
        match node {
            Node::Mapping(map) => {
                for (k, v) in map.iter() {
                    let path = if prefix.is_empty() {
                        k.as_str().to_string()
                    } else {
                        format!("{prefix}/{}", k.as_str())
                    };
                    if let Some(m) = k.span().start() {
                        self.lines.insert(path.clone(), m.line());
                    }
                    self.walk(v, &path);
                }
            }
            Node::Sequence(seq) => {
                for (i, v) in seq.iter().enumerate() {
                    let path = format!("{prefix}/{i}");
                    if let Some(m) = v.span().start() {
                        self.lines.insert(path.clone(), m.line());
                    }
                    self.walk(v, &path);
                }
            }
            Node::Scalar(_) => {}
        }
    }
}

/// A loaded script: the typed script when it parsed, the key positions, and
/// the loader's findings (YAML and schema errors).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The script, if the YAML parsed and matched the schema.
    pub script: Option<Script>,
    /// Line of every key.
    pub positions: Positions,
    /// YAML and schema errors.
    pub findings: Vec<Finding>,
    /// Directory of the script file (for relative audio paths); `None` for a string.
    pub dir: Option<PathBuf>,
}

/// Parses a script from YAML text.
pub fn load_str(yaml: &str) -> Loaded {
    let mut loaded = Loaded {
        script: None,
        positions: Positions::default(),
        findings: Vec::new(),
        dir: None,
    };
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    // The YAML parser is third-party code: a panic on hostile input must not take
    // the caller down, so it becomes a finding like any other parse error.
    let parsed =
        std::panic::catch_unwind(|| marked_yaml::parse_yaml_with_options(0, yaml, options));
    let node = match parsed {
        Ok(Ok(node)) => node,
        Ok(Err(e)) => {
            loaded.findings.push(Finding::new(
                load_error_line(&e),
                "yaml",
                load_error_message(&e),
            ));
            return loaded;
        }
        Err(_) => {
            loaded.findings.push(Finding::new(
                1,
                "yaml",
                "the YAML parser failed on this file",
            ));
            return loaded;
        }
    };
    loaded.positions.walk(&node, "");
    match marked_yaml::from_node::<Script>(&node) {
        Ok(s) => loaded.script = Some(s),
        Err(e) => {
            // Prefer the serde path (it names the offending key), else the value's mark.
            let line = e
                .path()
                .map(|p| loaded.positions.line(&serde_path_to_slashes(p)))
                .filter(|&l| l > 1)
                .or_else(|| e.start_mark().map(|m| m.line()))
                .unwrap_or(1);
            let at = e.path().map(|p| format!(" (at {p})")).unwrap_or_default();
            let what = match &*e {
                marked_yaml::Error::IntegerParseFailure(..) => "expected a whole number".into(),
                marked_yaml::Error::FloatParseFailure(..) => "expected a number".into(),
                marked_yaml::Error::NotBoolean(..) => "expected true or false".into(),
                other => other.to_string(),
            };
            loaded
                .findings
                .push(Finding::new(line, "schema", format!("{what}{at}")));
        }
    }
    loaded
}

/// Reads and parses a script file.
pub fn load_file(path: &Path) -> std::io::Result<Loaded> {
    let text = std::fs::read_to_string(path)?;
    let mut loaded = load_str(&text);
    loaded.dir = Some(path.parent().map(Path::to_path_buf).unwrap_or_default());
    Ok(loaded)
}

/// `nodes.a.branches[2]` → `nodes/a/branches/2`.
fn serde_path_to_slashes(p: &str) -> String {
    p.replace('.', "/")
        .replace(['[', ']'], "/")
        .replace("//", "/")
        .trim_end_matches('/')
        .to_string()
}

fn load_error_line(e: &LoadError) -> usize {
    let marker = match e {
        LoadError::TopLevelMustBeMapping(m)
        | LoadError::TopLevelMustBeSequence(m)
        | LoadError::UnexpectedAnchor(m)
        | LoadError::MappingKeyMustBeScalar(m)
        | LoadError::UnexpectedTag(m)
        | LoadError::ScanError(m, _) => Some(*m),
        LoadError::DuplicateKey(inner) => inner.key.span().start().copied(),
    };
    marker.map_or(1, |m| m.line())
}

/// The error text without marked-yaml's own "line:column:" prefix (the finding has the line).
fn load_error_message(e: &LoadError) -> String {
    match e {
        LoadError::ScanError(_, se) => se.to_string(),
        LoadError::DuplicateKey(inner) => format!("duplicate key {:?}", inner.key.as_str()),
        LoadError::TopLevelMustBeMapping(_) => "the top level must be a mapping".into(),
        LoadError::UnexpectedAnchor(_) => "YAML anchors are not supported".into(),
        LoadError::MappingKeyMustBeScalar(_) => "keys must be plain scalars".into(),
        LoadError::UnexpectedTag(_) => "YAML tags are not supported".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys() {
        let l = load_str("name: x\nnodes:\n  a:\n    say: {text: hi}\n    end: done\n");
        assert_eq!(l.positions.line("nodes/a"), 3);
        assert_eq!(l.positions.line("nodes/a/end"), 5);
        assert_eq!(l.positions.line("nodes/a/end/missing"), 5);
        assert_eq!(l.positions.line("nope"), 1);
    }

    #[test]
    fn yaml_error_has_line() {
        let l = load_str("name: x\nnodes:\n  a: [1, 2\n  b: c\n");
        assert!(l.script.is_none());
        assert_eq!(l.findings.len(), 1);
        assert_eq!(l.findings[0].rule, "yaml");
        assert!(l.findings[0].line >= 3, "{:?}", l.findings);
    }

    #[test]
    fn schema_error_has_line() {
        let l = load_str("name: x\nbusiness: {name: b}\nstart: a\nnodes:\n  a:\n    sayy: hi\n");
        assert_eq!(l.findings.len(), 1, "{:?}", l.findings);
        assert_eq!(l.findings[0].rule, "schema");
        assert_eq!(l.findings[0].line, 6, "{:?}", l.findings);
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let l = load_str("name: x\nname: y\n");
        assert_eq!((l.findings[0].rule, l.findings[0].line), ("yaml", 2));
    }
}
