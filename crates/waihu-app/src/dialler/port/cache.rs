//! What the port loads and keeps for the run: tasks (as the last listing saw
//! them), trunks, parsed script versions and tenants' prompt libraries, each
//! opened once; and a claim's number, decrypted on demand.

use super::{err, StorePort};
use std::sync::Arc;
use uuid::Uuid;
use waihu_campaign::PortError;
use waihu_dialog::interp::Interpreter;
use waihu_speech::prompts::PromptLibrary;
use waihu_store::{Claim, Task, Trunk};

impl StorePort {
    pub(super) fn task(&self, id: Uuid) -> Result<Task, PortError> {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
            .ok_or_else(|| PortError(format!("task {id} is not loaded")))
    }

    pub(super) async fn trunk(&self, id: Uuid) -> Result<Trunk, PortError> {
        if let Some(t) = self
            .trunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(t.clone());
        }
        let t = self
            .store
            .get_trunk(id)
            .await
            .map_err(err)?
            .ok_or_else(|| PortError(format!("trunk {id} does not exist")))?;
        self.trunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, t.clone());
        Ok(t)
    }

    pub(super) async fn interpreter(
        &self,
        task: &Task,
        id: Uuid,
    ) -> Result<Arc<Interpreter>, PortError> {
        if let Some(i) = self
            .interpreters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(Arc::clone(i));
        }
        let version = self
            .store
            .get_script_version(task.tenant_id, id)
            .await
            .map_err(err)?
            .ok_or_else(|| PortError(format!("script version {id} does not exist")))?;
        let loaded = waihu_dialog::script::load_str(&version.yaml);
        let script = loaded
            .script
            .ok_or_else(|| PortError(format!("script version {id} does not parse")))?;
        let it = Arc::new(Interpreter::new(script).map_err(err)?);
        self.interpreters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::clone(&it));
        Ok(it)
    }

    /// The tenant's prompt library, opened once (none if it has no prompts yet).
    pub(super) fn library(&self, tenant: waihu_core::TenantId) -> Option<Arc<PromptLibrary>> {
        let dir = self.prompts.as_ref()?.join(tenant.to_string());
        let mut libs = self.libraries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = libs.get(&tenant) {
            return Some(Arc::clone(l));
        }
        if !dir.is_dir() {
            return None;
        }
        match PromptLibrary::open(&dir) {
            Ok(l) => {
                let l = Arc::new(l);
                libs.insert(tenant, Arc::clone(&l));
                Some(l)
            }
            Err(e) => {
                tracing::warn!(%tenant, error = %e, "cannot open the prompt library; prompts fall back to TTS");
                None
            }
        }
    }

    pub(super) fn number(&self, claim: &Claim) -> Result<String, PortError> {
        self.pii
            .open(&claim.number_enc, claim.tenant_id, claim.number_hash)
            .map_err(|e| PortError(format!("cannot decrypt a contact's number: {e}")))
    }
}
