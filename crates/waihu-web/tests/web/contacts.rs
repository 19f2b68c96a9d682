//! Contact lists and the do-not-call list, pages and API: tenant isolation by id,
//! numbers only ever masked (no response body carries a full number), reasons
//! required for do-not-call changes, roles (agents see nothing, auditors read),
//! the page's notice when the server has no PII key, and importing contact files
//! (page and API) through a fake importer: what reaches it, the result page's
//! row errors, roles, the anti-CSRF token, missing files, and no importer.

use crate::support::{multipart, scrape_csrf, Harness, Resp, Seed};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::TimeZone;
use serde_json::json;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use waihu_compliance::pii::{NumberCipher, PhoneKey};
use waihu_compliance::{ConsentEvidence, EvidenceRef, Purpose};
use waihu_contacts::ImportOptions;
use waihu_store::{Actor, ImportBatch, NewContact};
use waihu_web::campaign::contact_import::{
    ContactImporter, ImportRejected, ImportSummaryDto, RowErrorView,
};

const A1: &str = "+8613812345678";
const A2: &str = "+8613912345679";
const B1: &str = "+8618612345670";
const DNC: &str = "+8615012345678";

fn key() -> PhoneKey {
    PhoneKey::from_bytes([7; 32])
}

/// No body may carry a full number, in any common spelling.
fn assert_no_full_numbers(what: &str, r: &Resp) {
    for n in [A1, A2, B1, DNC] {
        let national = n.trim_start_matches("+86");
        assert!(
            !r.body.contains(national),
            "{what}: full number {national} in the body: {}",
            r.body
        );
    }
}

async fn seed_list(
    h: &Harness,
    tenant: waihu_core::TenantId,
    name: &str,
    numbers: &[&str],
) -> Uuid {
    let actor = Actor::cli("test");
    let list = h
        .store
        .ensure_contact_list(tenant, name, &actor)
        .await
        .unwrap();
    let cipher = NumberCipher::from_bytes([9; 32]);
    let evidence = ConsentEvidence {
        source: "web_form".into(),
        given_at: chrono::Utc.with_ymd_and_hms(2026, 1, 15, 2, 0, 0).unwrap(),
        purposes: vec![Purpose::parse("marketing").unwrap()],
        share_leads: true,
        evidence: EvidenceRef::Reference("FORM-2026-0115".into()),
        expires_at: None,
    };
    let contacts = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| NewContact {
            number_hash: key().hash(n),
            number_enc: cipher.seal(n),
            number_masked: waihu_compliance::pii::mask(n),
            fields: json!({ "name": format!("客户{i}"), "产品": "宽带" }),
            zone_override: None,
            evidence: 0,
        })
        .collect();
    h.store
        .import_contacts(
            tenant,
            list.id,
            ImportBatch {
                evidence: vec![evidence],
                contacts,
            },
            &actor,
        )
        .await
        .unwrap();
    list.id
}

async fn token(h: &Harness, tenant: waihu_core::TenantId, name: &str) -> String {
    h.store
        .create_api_token(tenant, name, &Actor::cli("t"))
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn contact_lists_are_tenant_scoped_and_show_numbers_masked() {
    for (h, s) in Harness::seeded_all().await {
        check_contact_lists(&h, &s).await;
    }
}

async fn check_contact_lists(h: &Harness, s: &Seed) {
    let a_list = seed_list(h, s.ta, "春季回访", &[A1, A2]).await;
    let b_list = seed_list(h, s.tb, "b-only-list", &[B1]).await;
    h.store
        .withdraw_consent(
            s.ta,
            &key().hash(A2),
            "139****5679",
            "asked by phone",
            chrono::Utc::now(),
            &Actor::cli("t"),
        )
        .await
        .unwrap();

    // Tenant A's admin: the lists and the contacts, masked, with consent evidence.
    let mut alice = h.login("alice").await;
    let r = alice.get("/contacts").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("春季回访") && !r.body.contains("b-only-list"),
        "{}",
        r.body
    );
    let r = alice.get(&format!("/contacts/{a_list}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("138****5678") && r.body.contains("139****5679"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("web_form")
            && r.body.contains("FORM-2026-0115")
            && r.body.contains("客户0")
    );
    assert!(r.body.contains("已撤回同意"), "withdrawn shown: {}", r.body);
    assert_no_full_numbers("list page", &r);

    // The API, with A's token: lists, one list, its contacts paged.
    let ta = token(h, s.ta, "a-crm").await;
    let r = h
        .api(Method::GET, "/api/v1/contact-lists", Some(&ta), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], a_list.to_string());
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.json()["name"], "春季回访");
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}/contacts?limit=1"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let first = r.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["next_offset"], 1);
    assert_no_full_numbers("contacts api", &r);
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}/contacts?limit=1&offset=1"),
            Some(&ta),
            None,
        )
        .await;
    assert_no_full_numbers("contacts api page 2", &r);
    let second = r.json();
    assert!(second["next_offset"].is_null());
    let mut seen = Vec::new();
    for c in [&first["items"][0], &second["items"][0]] {
        let masked = c["number_masked"].as_str().unwrap().to_string();
        assert_eq!(c["consent"]["source"], "web_form");
        assert_eq!(c["consent"]["purposes"], json!(["marketing"]));
        assert_eq!(c["consent"]["reference"], "FORM-2026-0115");
        assert!(c.get("number_hash").is_none() && c.get("number_enc").is_none());
        // Only the second number's consent was withdrawn.
        assert_eq!(
            c["consent"]["withdrawn_at"].is_string(),
            masked == "139****5679",
            "{c}"
        );
        seen.push(masked);
    }
    seen.sort();
    assert_eq!(seen, ["138****5678", "139****5679"]);
    let r = h
        .api(
            Method::GET,
            &format!("/api/v1/contact-lists/{a_list}/contacts?limit=0"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "limit");

    // Tenant B's admin asking for A's list by id: 404, never the data.
    let mut bob = h.login("bob").await;
    for path in [
        format!("/contacts/{a_list}"),
        format!("/contacts/{a_list}?offset=1"),
    ] {
        let r = bob.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(!r.body.contains("春季回访") && !r.body.contains("138****5678"));
    }
    let r = bob.get("/contacts").await;
    assert!(r.body.contains("b-only-list") && !r.body.contains("春季回访"));
    assert_eq!(
        bob.get(&format!("/contacts/{b_list}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        bob.get("/contacts/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let tb = token(h, s.tb, "b-crm").await;
    for path in [
        format!("/api/v1/contact-lists/{a_list}"),
        format!("/api/v1/contact-lists/{a_list}/contacts"),
        format!("/api/v1/contact-lists/{}/contacts", Uuid::new_v4()),
    ] {
        let r = h.api(Method::GET, &path, Some(&tb), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.code(), "not_found");
        assert!(!r.body.contains("春季回访") && !r.body.contains("138****5678"));
    }
    let r = h
        .api(Method::GET, "/api/v1/contact-lists", Some(&tb), None)
        .await;
    assert!(!r.body.contains("春季回访") && r.body.contains("b-only-list"));
}

#[tokio::test]
async fn do_not_call_add_check_remove_need_reasons_and_stay_in_the_tenant() {
    for (h, s) in Harness::seeded_all().await {
        let mut h = h;
        h.state = h.state.clone().with_pii(key());
        check_dnc(&h, &s).await;
    }
}

async fn check_dnc(h: &Harness, s: &Seed) {
    let national = DNC.trim_start_matches("+86");
    let on_a = || async {
        h.store
            .dnc_membership(s.ta, &key().hash(DNC))
            .await
            .unwrap()
            .tenant
    };

    // Pages: check, add (reason required), check again, remove (reason required).
    let mut alice = h.login("alice").await;
    let r = alice.get("/dnc").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("action=\"/dnc/check\"") && r.body.contains("action=\"/dnc/remove\""));
    let r = alice.post("/dnc/check", &[("number", national)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("150****5678"), "{}", r.body);
    assert_no_full_numbers("check page", &r);
    let r = alice
        .post("/dnc", &[("number", national), ("reason", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!on_a().await, "nothing added without a reason");
    let r = alice
        .post("/dnc", &[("number", national), ("reason", "complaint")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("150****5678") && r.body.contains("已加入"),
        "{}",
        r.body
    );
    assert_no_full_numbers("add page", &r);
    assert!(on_a().await);
    let r = alice.post("/dnc/remove", &[("number", national)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(on_a().await, "not removed without a reason");
    let r = alice
        .post(
            "/dnc/remove",
            &[("number", national), ("reason", "entered by mistake")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("已移出"), "{}", r.body);
    assert!(!on_a().await);
    // The language switch on a result page leads back to the page.
    let r = alice.get("/dnc/check?lang=en").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/dnc");
    let r = alice.post("/dnc/check", &[("number", "12345")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // API: the same with A's token; B's token neither sees nor removes A's entry.
    let ta = token(h, s.ta, "a-crm").await;
    let tb = token(h, s.tb, "b-crm").await;
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc",
            Some(&ta),
            Some(json!({ "number": national })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "invalid");
    assert_eq!(r.json()["error"]["field"], "reason");
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc",
            Some(&ta),
            Some(json!({ "number": "not a number", "reason": "x" })),
        )
        .await;
    assert_eq!(r.json()["error"]["field"], "number");
    let body = json!({ "number": DNC, "reason": "complaint" });
    let r = h
        .api(Method::POST, "/api/v1/dnc", Some(&ta), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({ "number_masked": "150****5678", "added": true })
    );
    let r = h
        .api(Method::POST, "/api/v1/dnc", Some(&ta), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["added"], false);
    let check = json!({ "number": national });
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&ta),
            Some(check.clone()),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({ "number_masked": "150****5678", "tenant": true, "platform": false, "registry": false })
    );
    assert_no_full_numbers("check api", &r);
    let r = h.api(Method::GET, "/api/v1/dnc", Some(&ta), None).await;
    assert_eq!(
        r.json(),
        json!({ "tenant_entries": 1, "lookups_enabled": true })
    );
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&tb),
            Some(check.clone()),
        )
        .await;
    assert_eq!(r.json()["tenant"], false, "B does not see A's entry");
    let r = h
        .api(Method::DELETE, "/api/v1/dnc", Some(&tb), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(on_a().await, "B cannot remove A's entry");
    let r = h
        .api(
            Method::DELETE,
            "/api/v1/dnc",
            Some(&ta),
            Some(json!({ "number": DNC })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "reason");
    assert!(on_a().await);
    let r = h
        .api(Method::DELETE, "/api/v1/dnc", Some(&ta), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(!on_a().await);
    let r = h
        .api(Method::DELETE, "/api/v1/dnc", Some(&ta), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The audit log has every change, masked, with its reason; never the number.
    let audit = h.store.list_audit(s.ta, 100).await.unwrap();
    let dnc: Vec<_> = audit
        .iter()
        .filter(|e| e.action.starts_with("dnc."))
        .collect();
    assert_eq!(dnc.len(), 4, "{dnc:?}");
    for e in &dnc {
        assert_eq!(e.target, "number:150****5678");
        assert!(!e.details.contains(national));
    }
    assert!(dnc
        .iter()
        .any(|e| e.action == "dnc.remove" && e.details.contains("entered by mistake")));
    let r = alice.get("/audit").await;
    assert_no_full_numbers("audit page", &r);
}

#[tokio::test]
async fn without_the_pii_key_the_dnc_page_says_so() {
    let (h, s) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let r = alice.get("/dnc").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"dnc-disabled\"") && !r.body.contains("name=\"number\""),
        "{}",
        r.body
    );
    let ta = token(&h, s.ta, "a-crm").await;
    let r = h
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&ta),
            Some(json!({ "number": DNC })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = h.api(Method::GET, "/api/v1/dnc", Some(&ta), None).await;
    assert_eq!(r.json()["lookups_enabled"], false);
}

#[tokio::test]
async fn agents_see_nothing_of_contacts_or_dnc_and_auditors_only_read() {
    let (mut h, s) = Harness::seeded().await;
    h.state = h.state.clone().with_pii(key());
    let list = seed_list(&h, s.ta, "春季回访", &[A1]).await;
    let national = DNC.trim_start_matches("+86");

    let mut ag = h.login("agnes").await;
    let dash = ag.get("/").await.body;
    assert!(!dash.contains("href=\"/contacts\"") && !dash.contains("href=\"/dnc\""));
    for path in [
        "/contacts".to_string(),
        format!("/contacts/{list}"),
        "/dnc".to_string(),
    ] {
        let r = ag.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(!r.body.contains("138****5678"));
    }
    for path in ["/dnc/check", "/dnc", "/dnc/remove"] {
        let r = ag
            .post(path, &[("number", national), ("reason", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let csrf = ag.csrf().await;
    for (m, path) in [
        (Method::GET, "/api/v1/contact-lists".to_string()),
        (
            Method::GET,
            format!("/api/v1/contact-lists/{list}/contacts"),
        ),
        (Method::GET, "/api/v1/dnc".to_string()),
        (Method::POST, "/api/v1/dnc/check".to_string()),
        (Method::POST, "/api/v1/dnc".to_string()),
    ] {
        let r = ag
            .api(
                m.clone(),
                &path,
                Some(&csrf),
                json!({ "number": national, "reason": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {path}");
    }

    let mut au = h.login("audrey").await;
    let dash = au.get("/").await.body;
    assert!(dash.contains("href=\"/contacts\"") && dash.contains("href=\"/dnc\""));
    assert_eq!(au.get("/contacts").await.status, StatusCode::OK);
    let r = au.get(&format!("/contacts/{list}")).await;
    assert!(r.status == StatusCode::OK && r.body.contains("138****5678"));
    let r = au.get("/dnc").await;
    assert!(r.body.contains("action=\"/dnc/check\""));
    assert!(!r.body.contains("action=\"/dnc\"") && !r.body.contains("action=\"/dnc/remove\""));
    let r = au.post("/dnc/check", &[("number", national)]).await;
    assert_eq!(r.status, StatusCode::OK);
    for path in ["/dnc", "/dnc/remove"] {
        let r = au
            .post(path, &[("number", national), ("reason", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let csrf = au.csrf().await;
    for m in [Method::POST, Method::DELETE] {
        let r = au
            .api(
                m.clone(),
                "/api/v1/dnc",
                Some(&csrf),
                json!({ "number": national, "reason": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m}");
    }
    let r = au
        .api(
            Method::POST,
            "/api/v1/dnc/check",
            Some(&csrf),
            json!({ "number": national }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !h.store
            .dnc_membership(s.ta, &key().hash(DNC))
            .await
            .unwrap()
            .tenant
    );
    // A page form without the anti-CSRF token changes nothing.
    let mut al = h.login("alice").await;
    let r = al
        .post_raw("/dnc", &[("number", national), ("reason", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        !h.store
            .dnc_membership(s.ta, &key().hash(DNC))
            .await
            .unwrap()
            .tenant
    );
}

/// What the fake importer was handed.
#[derive(Debug, Clone)]
struct Received {
    tenant: waihu_core::TenantId,
    list: String,
    bytes: Vec<u8>,
    opts: ImportOptions,
    actor: String,
}

/// A stand-in for the binary's importer: reads the CSV's first column as the
/// number (11 digits, or it is a row error `invalid_number`), records what it
/// was given, and refuses a file starting with `broken` as a whole-file error.
#[derive(Default, Clone)]
struct FakeImporter {
    calls: Arc<Mutex<Vec<Received>>>,
}

const IMPORTED_LIST: Uuid = Uuid::from_u128(0x5eed_1157);

#[async_trait::async_trait]
impl ContactImporter for FakeImporter {
    async fn import(
        &self,
        tenant: waihu_core::TenantId,
        list_name: &str,
        bytes: Vec<u8>,
        opts: ImportOptions,
        actor: &Actor,
    ) -> Result<ImportSummaryDto, ImportRejected> {
        self.calls.lock().unwrap().push(Received {
            tenant,
            list: list_name.to_string(),
            bytes: bytes.clone(),
            opts,
            actor: actor.to_string(),
        });
        let text = String::from_utf8_lossy(&bytes);
        if text.starts_with("broken") {
            return Err(ImportRejected::File("no phone-number column found".into()));
        }
        let mut lines = text.lines();
        let column = lines.next().unwrap_or("").split(',').next().unwrap_or("");
        let (mut imported, mut errors) = (0, Vec::new());
        for (i, line) in lines.enumerate() {
            let raw = line.split(',').next().unwrap_or("");
            if raw.len() == 11 && raw.bytes().all(|b| b.is_ascii_digit()) {
                imported += 1;
            } else {
                errors.push(RowErrorView {
                    row: i as u64 + 2,
                    column: column.to_string(),
                    reason: "invalid_number".into(),
                    detail: format!("{raw:?} is not a phone number"),
                });
            }
        }
        Ok(ImportSummaryDto {
            list_id: IMPORTED_LIST,
            list_name: list_name.to_string(),
            imported,
            duplicates: 0,
            rejected: errors.len() as u64,
            on_dnc: 0,
            errors_total: errors.len() as u64,
            errors,
        })
    }
}

impl FakeImporter {
    fn calls(&self) -> Vec<Received> {
        self.calls.lock().unwrap().clone()
    }
}

/// A harness whose app imports with a [`FakeImporter`].
async fn importing() -> (Harness, Seed, FakeImporter) {
    let (mut h, s) = Harness::seeded().await;
    let fake = FakeImporter::default();
    h.state = h
        .state
        .clone()
        .with_contact_importer(Arc::new(fake.clone()));
    (h, s, fake)
}

/// Two good rows and a bad one (row 3).
const UPLOAD: &str = "手机号,姓名\n13812345678,张三\n12345,李四\n13912345679,王五\n";

/// The import form's fields, with import-wide consent evidence.
const FIELDS: [(&str, &str); 6] = [
    ("list", "春季导入"),
    ("encoding", "utf-8"),
    ("consent_source", "web_form"),
    ("consent_time", "2026-02-01 09:30"),
    ("consent_scope", "marketing"),
    ("consent_ref", "FORM-2026-0201"),
];

/// The text of the HTML element with `id`, up to the end of its `tag`.
fn element<'a>(html: &'a str, id: &str, tag: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start..];
    let end = rest
        .find(&format!("</{tag}>"))
        .unwrap_or_else(|| panic!("#{id} is not closed"));
    &rest[..end]
}

/// The value shown by the result page's counter `id`.
fn stat(html: &str, id: &str) -> String {
    let el = element(html, id, "div");
    let marker = "class=\"label\">";
    assert!(el.contains(marker), "#{id} has a label: {el}");
    let rest = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
    let marker = "class=\"value\">";
    let start = rest.find(marker).expect("a value") + marker.len();
    rest[start..].split('<').next().unwrap().to_string()
}

/// The rows of the result page's `#import-errors` table, cell by cell.
/// The text of an HTML fragment.
fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_string()
}

fn error_rows(html: &str) -> Vec<Vec<String>> {
    let table = element(html, "import-errors", "table");
    let body = table.split("<tbody>").nth(1).expect("a tbody");
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = inner.split("</td>").next().unwrap();
                    strip_tags(inner)
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn an_admins_upload_reaches_the_importer_and_the_page_lists_the_row_errors() {
    let (h, s, fake) = importing().await;
    let mut alice = h.login("alice").await;
    let page = alice.get("/contacts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("action=\"/contacts/import\"")
            && page.body.contains("enctype=\"multipart/form-data\"")
            && !page.body.contains("contacts-import-off"),
        "{}",
        page.body
    );
    let r = alice
        .upload(
            "/contacts/import",
            &FIELDS,
            Some(("file", "spring.csv", UPLOAD.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The importer got the file as sent, for the admin's tenant, with the form's
    // options and consent evidence.
    let calls = fake.calls();
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c.tenant, s.ta);
    assert_eq!(c.list, "春季导入");
    assert_eq!(c.bytes, UPLOAD.as_bytes());
    assert_eq!(c.actor, "user:alice");
    assert_eq!(c.opts.encoding, waihu_contacts::Encoding::Utf8);
    let consent = c.opts.consent.as_ref().expect("import-wide consent");
    assert_eq!(consent.source, "web_form");
    assert_eq!(
        consent.given_at,
        chrono::Utc.with_ymd_and_hms(2026, 2, 1, 1, 30, 0).unwrap(),
        "China time"
    );
    assert_eq!(
        consent.evidence,
        EvidenceRef::Reference("FORM-2026-0201".into())
    );

    // The result page: the counts, the bad row with its reason, a link to the list.
    assert!(
        element(&r.body, "import-done", "div").contains("春季导入"),
        "{}",
        r.body
    );
    assert_eq!(stat(&r.body, "import-imported"), "2");
    assert_eq!(stat(&r.body, "import-rejected"), "1");
    assert_eq!(stat(&r.body, "import-duplicates"), "0");
    assert_eq!(
        error_rows(&r.body),
        vec![vec![
            "3".to_string(),
            "手机号".into(),
            "号码无效 invalid_number".into(),
            "&quot;12345&quot; is not a phone number".into(),
        ]],
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains(&format!("href=\"/contacts/{IMPORTED_LIST}\"")));

    // A clean file: the table says there are no row errors.
    let r = alice
        .upload(
            "/contacts/import",
            &FIELDS,
            Some(("file", "ok.csv", b"phone\n13812345678\n")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = error_rows(&r.body);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].len(), 1, "one empty-table cell: {rows:?}");

    // A whole-file rejection: the form again, with why, and a 422.
    let r = alice
        .upload(
            "/contacts/import",
            &FIELDS,
            Some(("file", "bad.csv", b"broken\n")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = element(&r.body, "import-error", "div");
    assert!(
        err.contains("data-field=\"file\"") && err.contains("no phone-number column found"),
        "{err}"
    );
    assert!(
        r.body.contains("value=\"春季导入\""),
        "typed fields are kept"
    );
    assert_eq!(fake.calls().len(), 3);
}

#[tokio::test]
async fn only_admins_with_the_csrf_token_and_a_file_reach_the_importer() {
    let (h, s, fake) = importing().await;
    let file = Some(("file", "spring.csv", UPLOAD.as_bytes()));

    // Agents and auditors: 403, page and API, even with the session's token.
    for user in ["agnes", "audrey"] {
        let mut b = h.login(user).await;
        let r = b.upload("/contacts/import", &FIELDS, file).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}: {}", r.body);
        let csrf = b.csrf().await;
        b.extra.push(("x-csrf-token".into(), csrf));
        let r = b
            .post_multipart("/api/v1/contact-lists/import", &FIELDS, file)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} API: {}", r.body);
    }
    // The auditor reads the lists but is offered no import form.
    let mut au = h.login("audrey").await;
    let r = au.get("/contacts").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("/contacts/import"), "{}", r.body);

    // The admin without the anti-CSRF token, or with a wrong one: 403.
    let mut alice = h.login("alice").await;
    let r = alice
        .post_multipart("/contacts/import", &FIELDS, file)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let mut forged = vec![("_csrf", "not-the-token")];
    forged.extend_from_slice(&FIELDS);
    let r = alice
        .post_multipart("/contacts/import", &forged, file)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Logged out, even with a matching pre-login cookie: 403.
    let mut anon = h.browser();
    let pre = scrape_csrf(&anon.get("/login").await.body);
    let mut with_pre = vec![("_csrf", pre.as_str())];
    with_pre.extend_from_slice(&FIELDS);
    let r = anon
        .post_multipart("/contacts/import", &with_pre, file)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(fake.calls().is_empty(), "nothing reached the importer");

    // The admin with the token but no file part, or an empty one: 422 on `file`.
    for file in [None, Some(("file", "empty.csv", &b""[..]))] {
        let r = alice.upload("/contacts/import", &FIELDS, file).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            element(&r.body, "import-error", "div").contains("data-field=\"file\""),
            "{}",
            r.body
        );
        assert!(!r.body.contains("id=\"import-errors\""));
    }
    let token = token(&h, s.ta, "a-crm").await;
    let r = api_upload(&h, &token, &FIELDS, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "invalid");
    assert_eq!(r.json()["error"]["field"], "file");
    // Not multipart at all: a 400, not a crash.
    let r = h
        .api(
            Method::POST,
            "/api/v1/contact-lists/import",
            Some(&token),
            Some(json!({ "list": "x" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(fake.calls().is_empty(), "nothing reached the importer");
}

/// Posts a multipart import to the API with a bearer token.
async fn api_upload(
    h: &Harness,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Resp {
    let (content_type, body) = multipart(fields, file);
    let req = Request::post("/api/v1/contact-lists/import")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    h.send(req).await
}

#[tokio::test]
async fn the_api_import_answers_the_summary_with_its_row_errors() {
    let (h, s, fake) = importing().await;
    let token = token(&h, s.ta, "a-crm").await;
    let r = api_upload(
        &h,
        &token,
        &FIELDS,
        Some(("file", "spring.csv", UPLOAD.as_bytes())),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({
            "list_id": IMPORTED_LIST.to_string(),
            "list_name": "春季导入",
            "imported": 2,
            "duplicates": 0,
            "rejected": 1,
            "on_dnc": 0,
            "errors_total": 1,
            "errors": [{
                "row": 3,
                "column": "手机号",
                "reason": "invalid_number",
                "detail": "\"12345\" is not a phone number",
            }],
        })
    );
    let calls = fake.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tenant, s.ta);
    assert_eq!(calls[0].bytes, UPLOAD.as_bytes());
    assert!(calls[0].actor.starts_with("token:"), "{}", calls[0].actor);

    // A whole-file rejection and a bad field: 422 naming the field.
    let r = api_upload(&h, &token, &FIELDS, Some(("file", "b.csv", b"broken"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "file");
    let mut bad = FIELDS.to_vec();
    bad.push(("consent_expiry", "next year"));
    let r = api_upload(&h, &token, &bad, Some(("file", "a.csv", UPLOAD.as_bytes()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["field"], "consent_expiry");
    assert_eq!(
        fake.calls().len(),
        2,
        "a bad field never reaches the importer"
    );
}

#[tokio::test]
async fn without_an_importer_the_page_says_so_and_the_api_is_a_conflict() {
    let (h, s) = Harness::seeded().await;
    let mut alice = h.login("alice").await;
    let r = alice.get("/contacts").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("id=\"contacts-import-off\"") && !r.body.contains("name=\"file\""),
        "{}",
        r.body
    );
    let token = token(&h, s.ta, "a-crm").await;
    let r = api_upload(
        &h,
        &token,
        &FIELDS,
        Some(("file", "spring.csv", UPLOAD.as_bytes())),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.code(), "conflict");
    // The page's form posted anyway (an old tab): refused, never a result page.
    let r = alice
        .upload(
            "/contacts/import",
            &FIELDS,
            Some(("file", "spring.csv", UPLOAD.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(!r.body.contains("id=\"import-done\""));
}
