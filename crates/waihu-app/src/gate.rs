//! The one place that gathers the facts for a dial attempt from storage and asks the
//! pure compliance gate. Every dial — task call, retry, test call, verification call
//! — goes through [`Gatekeeper::decide`]; `waihu gate check` shows its answer.
//!
//! Per dial the number's facts (consent, do-not-call, attempts) are read fresh in
//! one query; the policy and the caller number come from [`GateSettings`] when the
//! caller keeps one (the dialler does), else from the store too.

mod settings;

pub use settings::{caller_facts, GateSettings, DIALLER_TTL};

use crate::pii::Pii;
use crate::{AppError, AppResult};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use waihu_compliance::{
    AttemptCounts, CheckScope, Decision, DialRequest, DncFacts, Facts, Jurisdiction, Policy,
    PolicyOverride, Purpose, TaskFacts, TenantStatus,
};
use waihu_store::{PolicyScope, Store, Tenant};

/// What the gate was asked, beyond the number.
#[derive(Debug, Clone)]
pub struct GateQuestion {
    /// The tenant calling.
    pub tenant: Tenant,
    /// The callee's E.164 number.
    pub number: String,
    /// The purpose of the call.
    pub purpose: Purpose,
    /// The caller number, when one is chosen.
    pub caller_number: Option<String>,
    /// The jurisdiction; default: the number's country.
    pub jurisdiction: Option<Jurisdiction>,
    /// A real dial (caller number required) or a contact-level question.
    pub scope: CheckScope,
}

/// Gathers facts and decides.
pub struct Gatekeeper<'a> {
    /// The database.
    pub store: &'a Store,
    /// Number hashing.
    pub pii: &'a Pii,
    /// Policies and caller numbers kept for a few seconds (the dialler's); none:
    /// read from the store on every decision.
    pub settings: Option<&'a GateSettings>,
}

impl Gatekeeper<'_> {
    /// The gate's decision for one attempt at `now`.
    pub async fn decide(&self, q: &GateQuestion, now: DateTime<Utc>) -> AppResult<Decision> {
        self.decide_in_task(q, None, now).await
    }

    /// The gate's decision for one attempt of a task (its state, windows and
    /// dates are checked too).
    pub async fn decide_in_task(
        &self,
        q: &GateQuestion,
        task: Option<&TaskFacts>,
        now: DateTime<Utc>,
    ) -> AppResult<Decision> {
        let hash = self.pii.hash(&q.number);
        let number = self.store.number_facts(q.tenant.id, &hash, now).await?;
        let consents: Vec<_> = number.contacts.iter().map(|c| c.consent.clone()).collect();
        let zone_override = number
            .contacts
            .iter()
            .find_map(|c| c.zone_override.as_deref())
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
        let (dnc, history) = (number.dnc, number.attempts);
        let caller = match &q.caller_number {
            Some(n) => Some(match self.settings {
                Some(s) => s.caller(self.store, n).await?,
                None => caller_facts(self.store, n).await?,
            }),
            None => None,
        };
        let jurisdiction = q
            .jurisdiction
            .or_else(|| Jurisdiction::for_number(&q.number))
            .unwrap_or(Jurisdiction::CN);
        let policy = match self.settings {
            Some(s) => s.policy(self.store, q.tenant.id, jurisdiction).await?,
            None => Arc::new(effective_policy(self.store, Some(q.tenant.id), jurisdiction).await?),
        };
        let facts = Facts {
            policy: &policy,
            consents: &consents,
            dnc: DncFacts {
                tenant: dnc.tenant,
                platform: dnc.platform,
                registry: dnc.registry,
            },
            attempts: AttemptCounts {
                last_24h: history.last_24h,
                last_30d: history.last_30d,
                verification_last_24h: history.verification_last_24h,
            },
            zone_override,
            tenant_status: match q.tenant.status {
                waihu_store::TenantStatus::Active => TenantStatus::Active,
                waihu_store::TenantStatus::Suspended => TenantStatus::Suspended,
            },
            task,
            caller_number: caller.as_ref(),
        };
        let request = DialRequest {
            tenant: q.tenant.id,
            number: q.number.clone(),
            purpose: q.purpose.clone(),
            scope: q.scope,
        };
        let decision = waihu_compliance::check(&request, &facts, now);
        for reason in decision.reasons() {
            metrics::counter!("waihu_gate_denials_total", "rule" => reason.rule.id()).increment(1);
        }
        Ok(decision)
    }
}

/// The policy in force for a tenant in a jurisdiction: the operator's (or the
/// built-in default), tightened by the tenant's override. An override that no longer
/// tightens (the operator tightened since) is ignored in favour of the platform's.
pub async fn effective_policy(
    store: &Store,
    tenant: Option<waihu_core::TenantId>,
    jurisdiction: Jurisdiction,
) -> AppResult<Policy> {
    let platform = match store
        .get_policy(PolicyScope::Platform, jurisdiction.as_str())
        .await?
    {
        Some(doc) => serde_json::from_str::<Policy>(&doc).map_err(|e| AppError::Corrupt {
            what: format!("{} platform policy", jurisdiction.as_str()),
            why: e.to_string(),
        })?,
        None => Policy::default_for(jurisdiction),
    };
    let Some(tenant) = tenant else {
        return Ok(platform);
    };
    let Some(doc) = store
        .get_policy(PolicyScope::Tenant(tenant), jurisdiction.as_str())
        .await?
    else {
        return Ok(platform);
    };
    let o: PolicyOverride = serde_json::from_str(&doc).map_err(|e| AppError::Corrupt {
        what: format!("tenant {} policy", jurisdiction.as_str()),
        why: e.to_string(),
    })?;
    match platform.tighten(&o) {
        Ok(p) => Ok(p),
        Err(e) => {
            tracing::warn!(%tenant, error = %e, "tenant policy no longer tightens the platform's; using the platform's");
            Ok(platform)
        }
    }
}

/// Parses a number as typed by a person (`138 1234 5678`, `+1 212 555 0100`) into
/// E.164, mainland China being the default region.
pub fn parse_number(text: &str) -> AppResult<String> {
    let mut n = waihu_contacts::phone::Normaliser::new(phonenumber::country::Id::CN);
    n.normalise(text)
        .ok()
        .ok_or_else(|| AppError::Invalid(format!("{text:?} is not a valid phone number")))
}
