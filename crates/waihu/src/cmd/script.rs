//! `waihu script check FILE` (the linter) and `waihu script chat FILE` (the text
//! simulator). Both work on a script file without touching the database.

use anyhow::Context as _;
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use waihu_dialog::interp::Interpreter;
use waihu_dialog::script::{load_file, Loaded};
use waihu_dialog::sim::{render, Simulator};

/// Script subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ScriptCommand {
    /// Lint a script: exit 0 when it is publishable, else 1 with one
    /// `file:line: rule-id: message` line per finding.
    Check {
        /// The script (YAML).
        file: PathBuf,
    },
    /// Chat with a script: callee lines on stdin (empty line = silence, `#5` = key 5);
    /// prints the robot's turns and, as the last line, a JSON summary.
    Chat {
        /// The script (YAML).
        file: PathBuf,
        /// A contact variable, e.g. `--var name=张先生` (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
    },
}

/// Runs a script subcommand.
pub async fn run(_ctx: &super::Context, cmd: ScriptCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ScriptCommand::Check { file } => check(&file),
        ScriptCommand::Chat { file, vars } => chat(&file, &vars),
    }
}

fn load(file: &Path) -> anyhow::Result<Loaded> {
    load_file(file).with_context(|| format!("cannot read {}", file.display()))
}

fn check(file: &Path) -> anyhow::Result<ExitCode> {
    let loaded = load(file)?;
    let findings = waihu_dialog::lint::lint(&loaded);
    let name = file.display().to_string();
    let mut out = std::io::stdout().lock();
    for f in &findings {
        writeln!(out, "{}", f.render(&name))?;
    }
    if findings.is_empty() {
        eprintln!("{name}: ok");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{name}: {} finding(s)", findings.len());
        Ok(ExitCode::FAILURE)
    }
}

fn parse_vars(vars: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    vars.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .with_context(|| format!("--var {kv:?}: expected NAME=VALUE"))
        })
        .collect()
}

fn chat(file: &Path, vars: &[String]) -> anyhow::Result<ExitCode> {
    let vars = parse_vars(vars)?;
    let loaded = load(file)?;
    let name = file.display().to_string();
    let findings = waihu_dialog::lint::lint(&loaded);
    let Some(script) = loaded.script else {
        for f in &findings {
            eprintln!("{}", f.render(&name));
        }
        return Ok(ExitCode::FAILURE);
    };
    for f in &findings {
        eprintln!("warning: {}", f.render(&name));
    }
    let interp = Interpreter::new(script).context("cannot compile the script")?;
    let mut sim = Simulator::new(&interp, vars);
    let interactive = std::io::stdin().is_terminal();
    let mut out = std::io::stdout().lock();
    let print = |out: &mut std::io::StdoutLock<'_>, actions: Vec<_>| -> std::io::Result<()> {
        for line in actions.iter().filter_map(render) {
            writeln!(out, "{line}")?;
        }
        out.flush()
    };
    print(&mut out, sim.start())?;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while !sim.ended() {
        if interactive {
            eprint!("> ");
        }
        let Some(line) = lines.next() else { break };
        let line = line.context("cannot read stdin")?;
        print(&mut out, sim.input(&line))?;
    }
    let (summary, grade) = sim.finish();
    writeln!(out, "[grade {}: {}]", grade.grade, grade.reason)?;
    writeln!(out, "{}", serde_json::to_string(&summary)?)?;
    Ok(ExitCode::SUCCESS)
}
