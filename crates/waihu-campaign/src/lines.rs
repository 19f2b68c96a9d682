//! Robot-line accounting: how many calls each task and each tenant has in
//! progress in this process, against the task's lines and the tenant's quota.
//! A call is only claimed when a line is free, so every answered call has a
//! robot to talk to — nobody is ever left on a silent line.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use waihu_core::TenantId;

use crate::port::TaskRun;

#[derive(Debug, Default)]
struct Counts {
    task: HashMap<Uuid, u32>,
    tenant: HashMap<TenantId, u32>,
}

/// Lines in use, shared by the scheduler and its call tasks.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    counts: Arc<Mutex<Counts>>,
}

/// A line held by one call; freed when dropped.
#[derive(Debug)]
pub struct LineGuard {
    lines: Lines,
    task: Uuid,
    tenant: TenantId,
}

impl Lines {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lines the task may take now.
    pub fn free_for(&self, task: &TaskRun) -> u32 {
        let c = self.lock();
        let task_used = c.task.get(&task.id).copied().unwrap_or(0);
        let tenant_used = c.tenant.get(&task.tenant_id).copied().unwrap_or(0);
        task.lines
            .saturating_sub(task_used)
            .min(task.tenant_quota.saturating_sub(tenant_used))
    }

    /// Takes one line for the task, if one is free.
    pub fn take(&self, task: &TaskRun) -> Option<LineGuard> {
        if self.free_for(task) == 0 {
            return None;
        }
        let mut c = self.lock();
        *c.task.entry(task.id).or_default() += 1;
        *c.tenant.entry(task.tenant_id).or_default() += 1;
        Some(LineGuard {
            lines: self.clone(),
            task: task.id,
            tenant: task.tenant_id,
        })
    }

    /// Lines in use by a task.
    pub fn in_use(&self, task: Uuid) -> u32 {
        self.lock().task.get(&task).copied().unwrap_or(0)
    }

    /// Lines in use by a tenant.
    pub fn tenant_in_use(&self, tenant: TenantId) -> u32 {
        self.lock().tenant.get(&tenant).copied().unwrap_or(0)
    }
}

impl Drop for LineGuard {
    fn drop(&mut self) {
        let mut c = self.lines.lock();
        if let Some(n) = c.task.get_mut(&self.task) {
            *n = n.saturating_sub(1);
        }
        if let Some(n) = c.tenant.get_mut(&self.tenant) {
            *n = n.saturating_sub(1);
        }
    }
}
