//! `waihu task create|start|pause|resume|stop|status|list|run`: a tenant's calling
//! tasks. `run` is the scheduler in the foreground (the server runs the same one):
//! it dials every running task until none is left.

use super::Context;
use anyhow::{bail, Context as _};
use chrono::{DateTime, Utc};
use std::process::ExitCode;
use waihu_campaign::{CallerNumberFacts, Delay, TaskCommand, TaskDraft};
use waihu_store::{Actor, NewTask, Store, Task, Tenant};

/// `waihu task run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Exit once no task is running and no call is in progress (default: run
    /// until Ctrl-C).
    #[arg(long)]
    pub until_idle: bool,
}

/// `waihu task run`: the scheduler in the foreground.
async fn run_foreground(ctx: &Context, args: RunArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let clock = std::sync::Arc::new(waihu_core::SystemClock);
    let dialler = crate::wiring::dialler(ctx, store.clone(), clock, None, None).await?;
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    waihu_app::dialler::run_foreground(dialler, store.clone(), args.until_idle, stop, |n| {
        if n > 0 {
            eprintln!("reconciled {n} call(s) left in flight by an earlier run");
        }
    })
    .await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Task subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TaskCommandArgs {
    /// Create a task (in state draft).
    Create(Box<CreateArgs>),
    /// Start a draft task: queue its contacts and begin dialling.
    Start(TaskRef),
    /// Pause a running task (calls in progress finish).
    Pause(TaskRef),
    /// Resume a paused task (contacts added to its lists meanwhile are queued too).
    Resume(TaskRef),
    /// Stop a task for good.
    Stop(TaskRef),
    /// A task's progress: contacts by state, calls by outcome, leads.
    Status {
        #[command(flatten)]
        task: TaskRef,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The tenant's tasks.
    List {
        /// The tenant (name or id).
        #[arg(long)]
        tenant: String,
    },
    /// Run the scheduler in the foreground until no task is running (Ctrl-C stops
    /// dialling and lets calls in progress finish).
    Run(RunArgs),
}

/// Names one task.
#[derive(Debug, Clone, clap::Args)]
pub struct TaskRef {
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// The task's name.
    pub name: String,
    /// Why (kept in the audit log).
    #[arg(long)]
    pub reason: Option<String>,
}

/// `waihu task create`.
#[derive(Debug, Clone, clap::Args)]
pub struct CreateArgs {
    /// The tenant (name or id).
    #[arg(long)]
    pub tenant: String,
    /// A name unique within the tenant.
    #[arg(long)]
    pub name: String,
    /// The script: NAME (its newest published version) or NAME@VERSION.
    #[arg(long)]
    pub script: String,
    /// A contact list to call (repeatable).
    #[arg(long = "list", required = true)]
    pub lists: Vec<String>,
    /// The caller number presented (verified and assigned to the tenant).
    #[arg(long)]
    pub caller_number: String,
    /// The trunk to dial through.
    #[arg(long)]
    pub trunk: String,
    /// The purpose of the calls; must lie within each contact's consent.
    #[arg(long, default_value = "marketing")]
    pub purpose: String,
    /// Robot lines (concurrent calls), within the tenant's quota.
    #[arg(long, default_value_t = 1)]
    pub lines: u32,
    /// Attempts per second for this task, below the trunk's limit.
    #[arg(long)]
    pub cps: Option<f64>,
    /// Calling windows in the callee's local time, JSON:
    /// `{"mon":["09:00-12:00","14:00-18:00"],…}` (default every day 09:00-20:00;
    /// the policy's calling hours apply on top).
    #[arg(long)]
    pub windows: Option<String>,
    /// Retry policy, JSON: `{"max_attempts":3,"after":{"busy":"30m","no_answer":"2h"}}`.
    #[arg(long)]
    pub retry: Option<String>,
    /// Higher first when the tenant's tasks compete for lines.
    #[arg(long, default_value_t = 0)]
    pub priority: i32,
    /// Calls graded at or above this become leads.
    #[arg(long, default_value = "B")]
    pub lead_grade: String,
    /// A/B test: a second script (NAME or NAME@VERSION, published, of the same
    /// tenant) run on `--split` percent of the contacts.
    #[arg(long, value_name = "SCRIPT")]
    pub variant_b: Option<String>,
    /// Percent of contacts on `--variant-b` (1–99; default 50). The choice per
    /// contact is fixed (a hash of the task and contact ids).
    #[arg(long, value_name = "PERCENT")]
    pub split: Option<i64>,
    /// No calls before (RFC 3339).
    #[arg(long)]
    pub starts: Option<DateTime<Utc>>,
    /// The task completes at (RFC 3339).
    #[arg(long)]
    pub ends: Option<DateTime<Utc>>,
}

/// Runs a task subcommand.
pub async fn run(ctx: &Context, cmd: TaskCommandArgs) -> anyhow::Result<ExitCode> {
    if let TaskCommandArgs::Run(args) = cmd {
        return run_foreground(ctx, args).await;
    }
    let store = ctx.store().await?;
    let actor = Actor::raw(ctx.cli_actor());
    let code = match cmd {
        TaskCommandArgs::Create(args) => {
            let tenant = super::tenant::resolve(&store, &args.tenant).await?;
            let task = create(&store, &tenant, &args, Delay::from_mins(1), &actor).await?;
            println!("created task {} ({}) in state draft", task.name, task.id);
            ExitCode::SUCCESS
        }
        TaskCommandArgs::Start(r) => transition(&store, &r, TaskCommand::Start, &actor).await?,
        TaskCommandArgs::Pause(r) => transition(&store, &r, TaskCommand::Pause, &actor).await?,
        TaskCommandArgs::Resume(r) => transition(&store, &r, TaskCommand::Resume, &actor).await?,
        TaskCommandArgs::Stop(r) => transition(&store, &r, TaskCommand::Stop, &actor).await?,
        TaskCommandArgs::Status { task, json } => {
            let (tenant, t) = find(&store, &task).await?;
            let counts = store.task_counts(tenant.id, t.id).await?;
            let doc = serde_json::json!({
                "task": t.name,
                "id": t.id.to_string(),
                "state": t.state.as_str(),
                "state_reason": t.state_reason,
                "contacts": counts.by_state,
                "outcomes": counts.by_outcome,
                "attempts": counts.attempts,
                "leads": counts.leads,
            });
            if json {
                println!("{doc}");
            } else {
                println!("{} ({}): {}", t.name, t.id, t.state.as_str());
                if let Some(r) = &t.state_reason {
                    println!("  reason: {r}");
                }
                for (k, v) in &counts.by_state {
                    println!("  contacts {k}: {v}");
                }
                for (k, v) in &counts.by_outcome {
                    println!("  calls {k}: {v}");
                }
                println!("  attempts: {}  leads: {}", counts.attempts, counts.leads);
            }
            ExitCode::SUCCESS
        }
        TaskCommandArgs::List { tenant } => {
            let tenant = super::tenant::resolve(&store, &tenant).await?;
            for t in store.list_tasks(tenant.id).await? {
                println!(
                    "{}\t{}\t{}\tlines {}\tpriority {}",
                    t.name,
                    t.id,
                    t.state.as_str(),
                    t.lines,
                    t.priority
                );
            }
            ExitCode::SUCCESS
        }
        TaskCommandArgs::Run(_) => unreachable!("handled above"),
    };
    store.close().await;
    Ok(code)
}

async fn find(store: &Store, r: &TaskRef) -> anyhow::Result<(Tenant, Task)> {
    let tenant = super::tenant::resolve(store, &r.tenant).await?;
    let task = match r.name.parse::<uuid::Uuid>() {
        Ok(id) => store.get_task(tenant.id, id).await?,
        Err(_) => store.find_task(tenant.id, &r.name).await?,
    }
    .with_context(|| format!("tenant {} has no task {:?}", tenant.name, r.name))?;
    Ok((tenant, task))
}

pub use waihu_app::tasks::apply_command;

async fn transition(
    store: &Store,
    r: &TaskRef,
    command: TaskCommand,
    actor: &Actor,
) -> anyhow::Result<ExitCode> {
    let (tenant, task) = find(store, r).await?;
    let t = apply_command(
        store,
        tenant.id,
        &task,
        command,
        r.reason.as_deref(),
        actor,
        Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("task {}: {e}", task.name))?;
    let counts = store.task_counts(tenant.id, t.id).await?;
    let queued: i64 = counts.by_state.values().sum();
    println!(
        "task {} is {} ({queued} contact(s) queued)",
        t.name,
        t.state.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

/// Validates and stores a new task. `min_retry` is the shortest retry delay
/// allowed (one minute; the demo uses seconds).
pub async fn create(
    store: &Store,
    tenant: &Tenant,
    args: &CreateArgs,
    min_retry: Delay,
    actor: &Actor,
) -> anyhow::Result<Task> {
    let quota = store.get_limits(tenant.id).await?.line_quota;
    let draft = TaskDraft {
        name: args.name.clone(),
        purpose: args.purpose.clone(),
        lines: args.lines,
        cps: args.cps,
        windows: args.windows.clone(),
        retry: args.retry.clone(),
        lead_grade: args.lead_grade.clone(),
        starts: args.starts,
        ends: args.ends,
    };
    let checked = draft
        .check(quota, min_retry)
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.field.replace('_', "-"), e.message))?;
    let (script_name, version) = match args.script.rsplit_once('@') {
        Some((n, v)) => (
            n,
            Some(v.parse::<i32>().with_context(|| {
                format!(
                    "--script {:?}: the version after @ must be a number",
                    args.script
                )
            })?),
        ),
        None => (args.script.as_str(), None),
    };
    let script = match version {
        Some(_) => {
            store
                .find_script_version(tenant.id, script_name, version)
                .await?
        }
        None => {
            let newest = store
                .find_script_version(tenant.id, script_name, None)
                .await?
                .with_context(|| format!("tenant {} has no script {script_name:?}", tenant.name))?;
            store
                .list_script_versions(tenant.id, newest.script_id)
                .await?
                .into_iter()
                .find(|v| v.published_at.is_some())
        }
    }
    .with_context(|| format!("--script {:?}: no such published version", args.script))?;
    if script.published_at.is_none() {
        bail!(
            "--script {:?}: version {} is not published (waihu script publish)",
            args.script,
            script.version
        );
    }
    let variant = variant_b(store, tenant, args).await?;
    let all_lists = store.list_contact_lists(tenant.id).await?;
    let mut list_ids = Vec::new();
    for l in &args.lists {
        let found = all_lists
            .iter()
            .find(|x| x.name == *l || x.id.to_string() == *l)
            .with_context(|| format!("tenant {} has no contact list {l:?}", tenant.name))?;
        list_ids.push(found.id);
    }
    let caller = store.get_caller_number(&args.caller_number).await?;
    waihu_campaign::draft::check_caller_number(
        &args.caller_number,
        caller.map(|c| CallerNumberFacts {
            assigned_here: c.tenant_id == Some(tenant.id),
            verified: c.verified_at.is_some(),
        }),
    )
    .map_err(|e| anyhow::anyhow!("--caller-number: {}", e.message))?;
    let trunk = store
        .find_trunk(&args.trunk)
        .await?
        .with_context(|| format!("no trunk {:?} (waihu trunk add)", args.trunk))?;
    let task = store
        .create_task_with_variant(
            tenant.id,
            NewTask {
                windows_json: checked.windows_json(),
                retry_json: checked.retry_json(),
                name: checked.name,
                purpose: checked.purpose.to_string(),
                script_version_id: script.id,
                caller_number: args.caller_number.clone(),
                trunk_id: trunk.id,
                list_ids,
                lines: checked.settings.lines,
                cps_limit: checked.settings.cps_limit,
                priority: args.priority,
                lead_grade: checked.lead.to_string(),
                starts_at: checked.starts,
                ends_at: checked.ends,
            },
            variant,
            actor,
        )
        .await?;
    Ok(task)
}

/// The A/B variant of `--variant-b`/`--split`: a published version of the
/// tenant's (NAME: its newest published one) and a split of 1–99 %.
async fn variant_b(
    store: &Store,
    tenant: &Tenant,
    args: &CreateArgs,
) -> anyhow::Result<Option<waihu_store::TaskVariant>> {
    let spec = match (&args.variant_b, args.split) {
        (None, None) => return Ok(None),
        (None, Some(_)) => bail!("--split needs --variant-b (the second script version)"),
        (Some(spec), _) => spec,
    };
    let split = waihu_campaign::Split::new(args.split.unwrap_or(50))
        .map_err(|e| anyhow::anyhow!("--split: {e}"))?;
    let (name, version) = match spec.rsplit_once('@') {
        Some((n, v)) => (
            n,
            Some(v.parse::<i32>().with_context(|| {
                format!("--variant-b {spec:?}: the version after @ must be a number")
            })?),
        ),
        None => (spec.as_str(), None),
    };
    let newest = store
        .find_script_version(tenant.id, name, version)
        .await?
        .with_context(|| {
            format!(
                "--variant-b {spec:?}: tenant {} has no such script version",
                tenant.name
            )
        })?;
    let chosen = match version {
        Some(_) => Some(newest),
        None => store
            .list_script_versions(tenant.id, newest.script_id)
            .await?
            .into_iter()
            .find(|v| v.published_at.is_some()),
    }
    .filter(|v| v.published_at.is_some())
    .with_context(|| {
        format!("--variant-b {spec:?}: not a published version (waihu script publish)")
    })?;
    Ok(Some(waihu_store::TaskVariant {
        script_version_id: chosen.id,
        split_percent: split.percent(),
    }))
}
