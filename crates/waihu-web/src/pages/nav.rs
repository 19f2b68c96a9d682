//! The navigation: one table of entries with the roles that see them. A new area
//! adds its entry here (and its route in `pages::routes`).

use crate::i18n::Msg;
use waihu_core::Role;

/// A group of entries in the side bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Top-level entries (no heading).
    Main,
    /// The operator's platform console.
    Platform,
    /// A tenant's calling work: scripts, tasks, calls, leads.
    Campaign,
    /// A tenant's administration.
    Tenant,
    /// The caller's own account.
    Account,
}

impl Section {
    /// The heading, if the section has one.
    pub fn heading(self) -> Option<Msg> {
        match self {
            Section::Main => None,
            Section::Platform => Some(Msg::NavSectionPlatform),
            Section::Campaign => Some(Msg::NavSectionCampaign),
            Section::Tenant => Some(Msg::NavSectionTenant),
            Section::Account => Some(Msg::NavSectionAccount),
        }
    }
}

/// One side-bar link.
#[derive(Debug, Clone, Copy)]
pub struct NavItem {
    /// The page.
    pub href: &'static str,
    /// Its label.
    pub label: Msg,
    /// Where it is listed.
    pub section: Section,
    /// Who sees it (the handler checks again: hiding a link is not security).
    pub roles: &'static [Role],
}

const ALL: &[Role] = &[Role::Operator, Role::Admin, Role::Agent, Role::Auditor];
const TENANT_ALL: &[Role] = &[Role::Admin, Role::Agent, Role::Auditor];

/// Every entry, in display order.
pub const NAV: &[NavItem] = &[
    NavItem {
        href: "/",
        label: Msg::NavDashboard,
        section: Section::Main,
        roles: ALL,
    },
    NavItem {
        href: "/tenants",
        label: Msg::NavTenants,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/trunks",
        label: Msg::NavTrunks,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/caller-numbers",
        label: Msg::NavCallerNumbers,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/rates",
        label: Msg::NavRates,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/complaints",
        label: Msg::NavComplaints,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/users",
        label: Msg::NavUsers,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/audit",
        label: Msg::NavAudit,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/scripts",
        label: Msg::NavScripts,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/prompts",
        label: Msg::NavPrompts,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/tasks",
        label: Msg::NavTasks,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/live",
        label: Msg::NavLive,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/live",
        label: Msg::NavLive,
        section: Section::Platform,
        roles: &[Role::Operator],
    },
    NavItem {
        href: "/calls",
        label: Msg::NavCalls,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/leads",
        label: Msg::NavLeads,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/complaints",
        label: Msg::NavComplaints,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/insight",
        label: Msg::NavInsight,
        section: Section::Campaign,
        roles: TENANT_ALL,
    },
    NavItem {
        href: "/dead-letters",
        label: Msg::NavDeadLetters,
        section: Section::Campaign,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/contacts",
        label: Msg::NavContacts,
        section: Section::Tenant,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/dnc",
        label: Msg::NavDnc,
        section: Section::Tenant,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/users",
        label: Msg::NavUsers,
        section: Section::Tenant,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/settings",
        label: Msg::NavSettings,
        section: Section::Tenant,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/tokens",
        label: Msg::NavTokens,
        section: Section::Tenant,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/audit",
        label: Msg::NavAudit,
        section: Section::Tenant,
        roles: &[Role::Admin, Role::Auditor],
    },
    NavItem {
        href: "/account/password",
        label: Msg::NavPassword,
        section: Section::Account,
        roles: ALL,
    },
];

/// The entries `role` sees, grouped by section in order.
pub fn for_role(role: Role) -> Vec<(Section, Vec<&'static NavItem>)> {
    let mut out: Vec<(Section, Vec<&'static NavItem>)> = Vec::new();
    for item in NAV.iter().filter(|i| i.roles.contains(&role)) {
        match out.last_mut() {
            Some((s, items)) if *s == item.section => items.push(item),
            _ => out.push((item.section, vec![item])),
        }
    }
    out
}

/// Whether `href` is the active entry for `path`.
pub fn is_active(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}
