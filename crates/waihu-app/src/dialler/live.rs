//! The dialler's side of the back office's live calls: one observer per call
//! that turns `waihu-call`'s [`LiveEvent`]s into the web hub's events, with the
//! call's tenant, task and masked number attached (the call layer knows none
//! of them, and never sees more than the masked number here).

use crate::live::{LiveHub, LiveKind};
use uuid::Uuid;
use waihu_call::{CallObserver, LiveEvent};
use waihu_core::TenantId;

/// Publishes one call's events to the hub.
pub struct HubObserver {
    /// The process's hub.
    pub hub: LiveHub,
    /// The call row's id.
    pub call_id: Uuid,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its task.
    pub task_id: Uuid,
    /// The task's name.
    pub task_name: String,
    /// The callee's number, masked.
    pub number_masked: String,
}

impl HubObserver {
    fn kind(&self, event: LiveEvent) -> LiveKind {
        match event {
            LiveEvent::Dialling => LiveKind::Started {
                task_name: self.task_name.clone(),
                number_masked: self.number_masked.clone(),
            },
            LiveEvent::Answered => LiveKind::Answered,
            LiveEvent::Robot { text, disclosure } => LiveKind::Robot { text, disclosure },
            LiveEvent::Callee {
                text,
                dtmf,
                intent,
                confidence,
            } => LiveKind::Callee {
                text,
                dtmf: dtmf.map(String::from),
                intent,
                confidence,
            },
            LiveEvent::Ended {
                outcome,
                script_outcome,
                grade,
            } => LiveKind::Ended {
                outcome: outcome.as_str().to_string(),
                script_outcome,
                grade: grade.map(String::from),
            },
        }
    }
}

impl CallObserver for HubObserver {
    fn event(&self, event: LiveEvent) {
        let kind = self.kind(event);
        self.hub
            .publish(self.tenant_id, self.call_id, self.task_id, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::Scope;
    use std::sync::Arc;

    #[test]
    fn a_call_appears_with_its_identity_and_leaves_when_it_ends() {
        let hub = LiveHub::new(Arc::new(waihu_core::SystemClock));
        let tenant = TenantId::new();
        let o = HubObserver {
            hub: hub.clone(),
            call_id: Uuid::new_v4(),
            tenant_id: tenant,
            task_id: Uuid::new_v4(),
            task_name: "t1".into(),
            number_masked: "139****0001".into(),
        };
        o.event(LiveEvent::Dialling);
        o.event(LiveEvent::Callee {
            text: None,
            dtmf: Some('5'),
            intent: "dtmf:5".into(),
            confidence: None,
        });
        let cur = hub.current(Scope::Tenant(tenant));
        assert_eq!(cur.len(), 1);
        assert_eq!(
            (cur[0].task_name.as_str(), cur[0].number_masked.as_str()),
            ("t1", "139****0001")
        );
        assert_eq!(cur[0].lines[0].dtmf.as_deref(), Some("5"));
        assert!(hub.current(Scope::Tenant(TenantId::new())).is_empty());
        o.event(LiveEvent::Ended {
            outcome: waihu_core::CallOutcome::Answered,
            script_outcome: Some("booked".into()),
            grade: Some('A'),
        });
        assert!(hub.current(Scope::All).is_empty());
    }
}
