//! `waihu script check FILE` (the linter) and `waihu script chat FILE` (the text
//! simulator) work on a file without touching the database; `waihu script
//! upload|publish|list` keep a tenant's scripts as numbered versions in it. Only a
//! linter-clean version can be published, and only a published one can run in a task.

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
    /// Store a script file as the next version of the tenant's script NAME, with
    /// the linter's findings (a version with findings is kept but cannot be published).
    Upload {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// The script's name within the tenant.
        #[arg(long)]
        name: String,
        /// The script (YAML).
        file: PathBuf,
        /// Publish it at once if it is linter-clean.
        #[arg(long)]
        publish: bool,
    },
    /// Publish a stored version (default: the newest) so that tasks can run it.
    Publish {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
        /// The script's name.
        #[arg(long)]
        name: String,
        /// The version number (default: the newest).
        #[arg(long)]
        version: Option<i32>,
    },
    /// List the tenant's stored scripts.
    List {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
}

/// Runs a script subcommand.
pub async fn run(ctx: &super::Context, cmd: ScriptCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ScriptCommand::Check { file } => check(&file),
        ScriptCommand::Chat { file, vars } => chat(&file, &vars),
        ScriptCommand::Upload {
            tenant,
            name,
            file,
            publish,
        } => upload(ctx, &tenant, &name, &file, publish).await,
        ScriptCommand::Publish {
            tenant,
            name,
            version,
        } => publish_version(ctx, &tenant, &name, version).await,
        ScriptCommand::List { tenant } => list(ctx, &tenant).await,
    }
}

/// The linter's verdict on a script text, as stored with each version
/// (`waihu_dialog::lint::lint_summary`, shared with the back office).
pub fn lint_summary(yaml: &str) -> (waihu_store::LintSummary, Vec<waihu_dialog::script::Finding>) {
    let v = waihu_dialog::lint::lint_summary(yaml);
    let summary = waihu_store::LintSummary {
        errors: v.errors,
        warnings: v.warnings,
        findings_json: v.findings_json,
    };
    (summary, v.findings)
}

async fn upload(
    ctx: &super::Context,
    tenant: &str,
    name: &str,
    file: &Path,
    publish: bool,
) -> anyhow::Result<ExitCode> {
    let yaml =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 64 && !name.chars().any(char::is_control),
        "--name must be 1 to 64 printable characters"
    );
    let store = ctx.store().await?;
    let tenant = super::tenant::resolve(&store, tenant).await?;
    let (summary, findings) = lint_summary(&yaml);
    let actor = waihu_store::Actor::raw(ctx.cli_actor());
    let mut v = store
        .save_script_version(tenant.id, name, &yaml, summary, &actor)
        .await?;
    let shown = file.display().to_string();
    for f in &findings {
        println!("{}", f.render(&shown));
    }
    println!(
        "stored {name} version {} ({} finding(s))",
        v.version,
        findings.len()
    );
    let mut code = ExitCode::SUCCESS;
    if publish {
        if findings.is_empty() {
            v = store
                .publish_script_version(tenant.id, v.id, &actor)
                .await?;
            println!("published {name} version {}", v.version);
        } else {
            eprintln!("error: not published: fix the findings above first");
            code = ExitCode::FAILURE;
        }
    }
    store.close().await;
    Ok(code)
}

async fn publish_version(
    ctx: &super::Context,
    tenant: &str,
    name: &str,
    version: Option<i32>,
) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let tenant = super::tenant::resolve(&store, tenant).await?;
    let v = store
        .find_script_version(tenant.id, name, version)
        .await?
        .with_context(|| match version {
            Some(n) => format!("tenant {} has no script {name:?} version {n}", tenant.name),
            None => format!("tenant {} has no script {name:?}", tenant.name),
        })?;
    let actor = waihu_store::Actor::raw(ctx.cli_actor());
    let v = store
        .publish_script_version(tenant.id, v.id, &actor)
        .await?;
    println!("published {name} version {}", v.version);
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn list(ctx: &super::Context, tenant: &str) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let tenant = super::tenant::resolve(&store, tenant).await?;
    for s in store.list_scripts(tenant.id).await? {
        let published = s
            .published_version
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        println!(
            "{}\tlatest {}\tpublished {published}\t{}",
            s.name,
            s.latest_version,
            s.updated_at.to_rfc3339()
        );
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
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
