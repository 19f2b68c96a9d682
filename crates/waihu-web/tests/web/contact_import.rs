//! Importing contact files (page and API) through a fake importer: what reaches
//! it, the result page's row errors, roles, the anti-CSRF token, missing files,
//! and no importer.

use crate::contacts_support::token;
use crate::support::{multipart, scrape_csrf, Harness, Resp, Seed};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::TimeZone;
use serde_json::json;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use waihu_compliance::EvidenceRef;
use waihu_contacts::ImportOptions;
use waihu_store::Actor;
use waihu_web::contacts::import::{
    ContactImporter, ImportRejected, ImportSummaryDto, RowErrorView,
};

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
