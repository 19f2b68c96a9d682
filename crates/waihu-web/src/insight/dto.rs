//! The JSON shapes of the insight API, converted explicitly from
//! `waihu-insight`'s types (which are not `Serialize` on purpose).

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;
use waihu_insight::ab::{Comparison, Difference, VariantStats};
use waihu_insight::funnel::Funnel;
use waihu_insight::keywords::{Contrasted, GroupKeywords, Ranked};
use waihu_insight::report::{Report, ReportRow};
use waihu_insight::unknown::Cluster;

/// One day (or the totals) of a task report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRowDto {
    /// `YYYY-MM-DD` (China Standard Time); absent on the totals row.
    pub day: Option<String>,
    /// Dial attempts (gate refusals excluded).
    pub attempts: u64,
    /// Answered calls.
    pub answered: u64,
    /// Answered / attempts.
    pub answer_rate: f64,
    /// Mean talk time of answered calls, seconds.
    pub avg_duration_secs: Option<f64>,
    /// Calls graded A..F, in that order.
    pub grades: [u64; 6],
    /// Leads.
    pub leads: u64,
    /// Gate refusals.
    pub refused: u64,
    /// Gate refusals per rule id.
    pub refusals: BTreeMap<String, u64>,
    /// Opt-outs.
    pub opt_outs: u64,
    /// Calls in which the callee complained.
    pub complaints: u64,
    /// Complaint tickets naming calls of the day (counted once, on the day of
    /// the earliest call they name).
    pub complaint_tickets: u64,
}

impl From<&ReportRow> for ReportRowDto {
    fn from(r: &ReportRow) -> Self {
        Self {
            day: r.day.map(|d| d.format("%Y-%m-%d").to_string()),
            attempts: r.attempts,
            answered: r.answered,
            answer_rate: r.answer_rate(),
            avg_duration_secs: r.avg_duration_secs(),
            grades: r.grades,
            leads: r.leads,
            refused: r.refused,
            refusals: r.refusals.clone(),
            opt_outs: r.opt_outs,
            complaints: r.complaints,
            complaint_tickets: r.complaint_tickets,
        }
    }
}

/// A task's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// The task.
    pub task_id: Uuid,
    /// Days with calls, oldest first.
    pub days: Vec<ReportRowDto>,
    /// Totals.
    pub total: ReportRowDto,
}

impl ReportDto {
    /// From a report.
    pub fn new(task_id: Uuid, r: &Report) -> Self {
        Self {
            task_id,
            days: r.days.iter().map(ReportRowDto::from).collect(),
            total: ReportRowDto::from(&r.total),
        }
    }
}

/// A branch taken at a node.
#[derive(Debug, Serialize, ToSchema)]
pub struct BranchDto {
    /// Intent label of the turn.
    pub intent: String,
    /// Next node, or `end:<outcome>`.
    pub target: String,
    /// Turns.
    pub count: u64,
}

/// One node of a funnel.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeDto {
    /// Node id.
    pub node: String,
    /// Calls that reached it.
    pub reached: u64,
    /// Entries, repeats included.
    pub entries: u64,
    /// Callee turns at it.
    pub turns: u64,
    /// Hang-ups there.
    pub hangups: u64,
    /// `reject` turns.
    pub refusals: u64,
    /// Opt-outs.
    pub opt_outs: u64,
    /// Silent turns.
    pub silences: u64,
    /// (Hang-ups + opt-outs) / reached.
    pub drop_off: f64,
    /// Branches, most frequent first.
    pub branches: Vec<BranchDto>,
    /// Calls that ended here, by script outcome.
    pub ended: BTreeMap<String, u64>,
}

/// A script version's funnel.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelDto {
    /// The version.
    pub script_version_id: Uuid,
    /// Answered calls counted.
    pub calls: u64,
    /// Nodes, most hang-ups first.
    pub nodes: Vec<NodeDto>,
    /// The flow graph as SVG.
    pub svg: String,
}

impl FunnelDto {
    /// From a funnel and its drawing.
    pub fn new(f: &Funnel, svg: String) -> Self {
        Self {
            script_version_id: f.script_version_id,
            calls: f.calls,
            nodes: f
                .nodes
                .iter()
                .map(|n| NodeDto {
                    node: n.node.clone(),
                    reached: n.reached,
                    entries: n.entries,
                    turns: n.turns,
                    hangups: n.hangups,
                    refusals: n.refusals,
                    opt_outs: n.opt_outs,
                    silences: n.silences,
                    drop_off: n.drop_off(),
                    branches: n
                        .branches
                        .iter()
                        .map(|b| BranchDto {
                            intent: b.intent.clone(),
                            target: b.target.clone(),
                            count: b.count,
                        })
                        .collect(),
                    ended: n.ended.clone(),
                })
                .collect(),
            svg,
        }
    }
}

/// A cluster of unrecognised utterances.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterDto {
    /// Its most frequent text.
    pub label: String,
    /// Utterances.
    pub count: u64,
    /// Distinct calls.
    pub calls: u64,
    /// Texts with their counts.
    pub variants: Vec<(String, u64)>,
    /// Example call ids (`/calls/{id}`).
    pub example_calls: Vec<Uuid>,
    /// Nodes with counts.
    pub nodes: Vec<(String, u64)>,
}

impl From<&Cluster> for ClusterDto {
    fn from(c: &Cluster) -> Self {
        Self {
            label: c.label.clone(),
            count: c.count,
            calls: c.calls,
            variants: c.variants.clone(),
            example_calls: c.example_calls.clone(),
            nodes: c.nodes.clone(),
        }
    }
}

/// A task's unrecognised utterances.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnknownDto {
    /// The task.
    pub task_id: Uuid,
    /// Clusters, most frequent first.
    pub clusters: Vec<ClusterDto>,
}

/// A ranked word.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankedDto {
    /// Word.
    pub word: String,
    /// Weight.
    pub weight: f64,
}

fn ranked(v: &[Ranked]) -> Vec<RankedDto> {
    v.iter()
        .map(|r| RankedDto {
            word: r.word.clone(),
            weight: r.weight,
        })
        .collect()
}

/// One group's keywords.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupKeywordsDto {
    /// Group key (grade letter or node id).
    pub group: String,
    /// Utterances.
    pub utterances: u64,
    /// TF-IDF ranking.
    pub tfidf: Vec<RankedDto>,
    /// TextRank ranking.
    pub textrank: Vec<RankedDto>,
}

impl From<&GroupKeywords> for GroupKeywordsDto {
    fn from(g: &GroupKeywords) -> Self {
        Self {
            group: g.group.clone(),
            utterances: g.utterances,
            tfidf: ranked(&g.tfidf),
            textrank: ranked(&g.textrank),
        }
    }
}

/// A contrasted word.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContrastDto {
    /// Word.
    pub word: String,
    /// Count in the first group.
    pub count_a: u64,
    /// Count in the second group.
    pub count_b: u64,
    /// Log-odds z-score (> 0: first group).
    pub z: f64,
}

/// Contrasts as DTOs.
pub fn contrast(v: &[Contrasted]) -> Vec<ContrastDto> {
    v.iter()
        .map(|c| ContrastDto {
            word: c.word.clone(),
            count_a: c.count_a,
            count_b: c.count_b,
            z: c.z,
        })
        .collect()
}

/// A task's keywords.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeywordsDto {
    /// The task.
    pub task_id: Uuid,
    /// The whole task.
    pub task: GroupKeywordsDto,
    /// Per grade.
    pub by_grade: Vec<GroupKeywordsDto>,
    /// Per node.
    pub by_node: Vec<GroupKeywordsDto>,
    /// A-grade against D-grade callees.
    pub grade_contrast: Vec<ContrastDto>,
    /// This task against the tenant's other tasks.
    pub task_contrast: Vec<ContrastDto>,
}

/// One variant's counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantDto {
    /// Attempts.
    pub attempts: u64,
    /// Answered.
    pub answered: u64,
    /// Leads.
    pub leads: u64,
    /// Opt-outs.
    pub opt_outs: u64,
    /// Mean turns per answered call.
    pub avg_turns: f64,
}

impl From<&VariantStats> for VariantDto {
    fn from(v: &VariantStats) -> Self {
        Self {
            attempts: v.attempts,
            answered: v.answered,
            leads: v.leads,
            opt_outs: v.opt_outs,
            avg_turns: v.turns.mean,
        }
    }
}

/// A compared metric.
#[derive(Debug, Serialize, ToSchema)]
pub struct DifferenceDto {
    /// Variant A.
    pub a: f64,
    /// Variant B.
    pub b: f64,
    /// B − A.
    pub diff: f64,
    /// 95 % interval of B − A.
    pub ci: Option<(f64, f64)>,
    /// Two-sided p-value (rates only).
    pub p_value: Option<f64>,
    /// The interval excludes zero.
    pub significant: bool,
}

impl From<&Difference> for DifferenceDto {
    fn from(d: &Difference) -> Self {
        Self {
            a: d.a,
            b: d.b,
            diff: d.diff,
            ci: d.ci,
            p_value: d.p_value,
            significant: d.significant(),
        }
    }
}

/// A task's A/B comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbDto {
    /// The task.
    pub task_id: Uuid,
    /// Whether the task runs two variants.
    pub has_variants: bool,
    /// Variant A.
    pub a: VariantDto,
    /// Variant B.
    pub b: VariantDto,
    /// Answer-to-lead rate.
    pub lead_rate: DifferenceDto,
    /// Opt-out rate.
    pub opt_out_rate: DifferenceDto,
    /// Average turns.
    pub avg_turns: DifferenceDto,
}

impl AbDto {
    /// From a comparison.
    pub fn new(task_id: Uuid, has_variants: bool, c: &Comparison) -> Self {
        Self {
            task_id,
            has_variants,
            a: VariantDto::from(&c.a),
            b: VariantDto::from(&c.b),
            lead_rate: DifferenceDto::from(&c.lead_rate),
            opt_out_rate: DifferenceDto::from(&c.opt_out_rate),
            avg_turns: DifferenceDto::from(&c.avg_turns),
        }
    }
}
