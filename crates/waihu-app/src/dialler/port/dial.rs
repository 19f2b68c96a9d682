//! Placing one call: the task's trunk and caller number, the contact's script
//! version and variables, the recording path, the tenant's prompt library, the
//! do-not-call opt-out sink and the live observer, handed to `waihu-call`.

use super::script::{script_for, vars_of};
use super::StorePort;
use crate::dialler::live::HubObserver;
use crate::dialler::optout::DncOptOut;
use std::sync::Arc;
use uuid::Uuid;
use waihu_call::{CallRecord, ConversationSetup};
use waihu_campaign::TaskRun;
use waihu_sip::DialRequest;
use waihu_store::Claim;

impl StorePort {
    pub(super) async fn dial_inner(
        &self,
        task: &TaskRun,
        claim: &Claim,
        call: Uuid,
    ) -> Result<CallRecord, String> {
        let row = self.task(task.id).map_err(|e| e.0)?;
        let trunk = self.trunk(row.trunk_id).await.map_err(|e| e.0)?;
        let (version, _) = script_for(&row, claim.contact_id);
        let interpreter = self.interpreter(&row, version).await.map_err(|e| e.0)?;
        let number = self.number(claim).map_err(|e| e.0)?;
        let target = trunk
            .address
            .strip_prefix("sip:")
            .unwrap_or(&trunk.address)
            .to_string();
        let mut req = DialRequest::new(target, number);
        req.transport = match trunk.transport {
            waihu_store::Transport::Udp => waihu_sip::Transport::Udp,
            waihu_store::Transport::Tcp => waihu_sip::Transport::Tcp,
        };
        req.from = row.caller_number.trim_start_matches('+').to_string();
        if let (Some(u), Some(p)) = (&trunk.username, &trunk.password) {
            req.credentials = Some((u.clone(), p.clone()));
        }
        req.ring_timeout = self.ring_timeout;
        let record_to = match &self.recordings {
            Some(dir) => {
                let d = dir.join(task.tenant_id.to_string());
                std::fs::create_dir_all(&d).map_err(|e| format!("recordings: {e}"))?;
                Some(d.join(format!("{call}.wav")))
            }
            None => None,
        };
        let setup = ConversationSetup {
            interpreter,
            vars: vars_of(&claim.fields),
            engines: Arc::clone(&self.engines),
            opt_out: Arc::new(DncOptOut {
                store: self.store.clone(),
                tenant_id: task.tenant_id,
                hash: claim.number_hash,
                masked: claim.number_masked.clone(),
                call_id: call,
            }),
            record_to,
            prompt_dir: None,
            prompt_library: self.library(task.tenant_id),
            config: self.conversation.clone(),
            observer: self.live.as_ref().map(|hub| {
                Arc::new(HubObserver {
                    hub: hub.clone(),
                    call_id: call,
                    tenant_id: task.tenant_id,
                    task_id: task.id,
                    task_name: task.name.clone(),
                    number_masked: claim.number_masked.clone(),
                }) as Arc<dyn waihu_call::CallObserver>
            }),
        };
        waihu_call::place_call(&self.ua, req, setup, None)
            .await
            .map_err(|e| e.to_string())
    }
}
