//! What the back-office modules (task creation, tenant settings, the operator
//! console, prompts) share: tenant A's and B's caller numbers, the quota and
//! published scripts they start from, and the field an API error names.

use crate::campaign::World;
use crate::support::Resp;
use waihu_store::Actor;

pub const GOOD_NUMBER: &str = "+861012345678";
pub const UNVERIFIED: &str = "+861087654321";
pub const B_NUMBER: &str = "+862112345678";

/// Publishes the clean versions, registers caller numbers (one verified for
/// each tenant, one unverified for ta) and gives ta a quota of 4 lines.
pub async fn prepare(w: &World) {
    let a = Actor::cli("t");
    let s = &w.h.store;
    s.publish_script_version(w.s.ta, w.a.clean, &a)
        .await
        .unwrap();
    s.publish_script_version(w.s.tb, w.b.clean, &a)
        .await
        .unwrap();
    for (n, t, verified) in [
        (GOOD_NUMBER, w.s.ta, true),
        (UNVERIFIED, w.s.ta, false),
        (B_NUMBER, w.s.tb, true),
    ] {
        s.add_caller_number(n, &a).await.unwrap();
        if verified {
            s.verify_caller_number(n, &a).await.unwrap();
        }
        s.assign_caller_number(n, t, &a).await.unwrap();
    }
    s.set_line_quota(w.s.ta, 4, &a).await.unwrap();
}

pub fn field_of(r: &Resp) -> String {
    r.json()["error"]["field"]
        .as_str()
        .unwrap_or("")
        .to_string()
}
