//! The back office's task creation, tenant settings, operator console and
//! dashboard figures, pages and API: the same rules as the CLI with errors that
//! name their field, tenant isolation (another tenant's list, script, number or
//! push target is refused or 404), roles (auditors read, agents are kept out of
//! administration, only the operator runs the platform console), anti-CSRF, and
//! secrets that never come back.

use crate::campaign::{token, worlds, World};
use crate::support::Resp;
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;
use waihu_store::{Actor, TaskStateName};

const GOOD_NUMBER: &str = "+861012345678";
const UNVERIFIED: &str = "+861087654321";
const B_NUMBER: &str = "+862112345678";

/// Publishes the clean versions, registers caller numbers (one verified for
/// each tenant, one unverified for ta) and gives ta a quota of 4 lines.
async fn prepare(w: &World) {
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

async fn ta_list(w: &World) -> Uuid {
    w.h.store.list_contact_lists(w.s.ta).await.unwrap()[0].id
}

async fn tb_list(w: &World) -> Uuid {
    w.h.store.list_contact_lists(w.s.tb).await.unwrap()[0].id
}

async fn trunk_id(w: &World, name: &str) -> Uuid {
    w.h.store.find_trunk(name).await.unwrap().unwrap().id
}

fn field_of(r: &Resp) -> String {
    r.json()["error"]["field"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn tasks_are_created_in_the_browser_with_the_clis_rules() {
    for w in worlds().await {
        prepare(&w).await;
        let list = ta_list(&w).await.to_string();
        let other_list = tb_list(&w).await.to_string();
        let trunk = trunk_id(&w, "ta-trunk").await.to_string();
        let version = w.a.clean.to_string();
        let mut alice = w.h.login("alice").await;

        let form = alice.get("/tasks/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains(GOOD_NUMBER), "verified number offered");
        assert!(
            !form.body.contains(UNVERIFIED),
            "unverified number not offered"
        );
        assert!(
            !form.body.contains(B_NUMBER),
            "another tenant's number not offered"
        );
        assert!(form.body.contains("ta-list") && !form.body.contains("tb-list"));
        assert!(
            form.body.contains(&version),
            "the published version is offered"
        );
        assert!(
            !form.body.contains(&w.a.dirty.to_string()),
            "unpublished not offered"
        );

        let fields = |lines: &'static str, number: &'static str, list: String| {
            vec![
                ("name", "spring-push".to_string()),
                ("purpose", "marketing".to_string()),
                ("script_version_id", version.clone()),
                ("list_ids", list),
                ("caller_number", number.to_string()),
                ("trunk_id", trunk.clone()),
                ("lines", lines.to_string()),
                ("windows", "09:00-12:00, 14:00-18:00".to_string()),
                ("retry", String::new()),
                ("lead_grade", "C".to_string()),
                ("starts_at", "2026-03-02T09:00".to_string()),
                ("ends_at", "2026-03-09".to_string()),
            ]
        };
        let post = |f: Vec<(&'static str, String)>| f;
        // Broken rules re-draw the form with the field at fault; nothing is stored.
        for (f, field) in [
            (post(fields("9", GOOD_NUMBER, list.clone())), "lines"),
            (post(fields("2", UNVERIFIED, list.clone())), "caller_number"),
            (post(fields("2", B_NUMBER, list.clone())), "caller_number"),
            (
                post(fields("2", GOOD_NUMBER, other_list.clone())),
                "list_ids",
            ),
        ] {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = alice.post("/tasks", &pairs).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                r.body
            );
            assert!(
                r.body.contains(&format!("data-field=\"{field}\"")),
                "{field}: {}",
                r.body
            );
            assert!(
                r.body.contains("value=\"spring-push\""),
                "typed values kept"
            );
        }
        let mut bad_version = fields("2", GOOD_NUMBER, list.clone());
        bad_version[2].1 = w.b.clean.to_string();
        let pairs: Vec<(&str, &str)> = bad_version.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = alice.post("/tasks", &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("data-field=\"script_version_id\""),
            "another tenant's version"
        );
        assert!(w
            .h
            .store
            .find_task(w.s.ta, "spring-push")
            .await
            .unwrap()
            .is_none());

        // Without the anti-CSRF token: refused.
        let good = fields("2", GOOD_NUMBER, list.clone());
        let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = alice.post_raw("/tasks", &pairs).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let r = alice.post("/tasks", &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let task =
            w.h.store
                .find_task(w.s.ta, "spring-push")
                .await
                .unwrap()
                .unwrap();
        assert_eq!(r.location(), format!("/tasks/{}?done=1", task.id));
        assert_eq!(task.state, TaskStateName::Draft);
        assert_eq!((task.lines, task.lead_grade.as_str()), (2, "C"));
        assert_eq!(task.list_ids, vec![ta_list(&w).await]);
        assert_eq!(task.caller_number, GOOD_NUMBER);
        assert!(
            task.windows_json.contains("14:00-18:00"),
            "{}",
            task.windows_json
        );
        assert_eq!(
            task.starts_at.unwrap().to_rfc3339(),
            "2026-03-02T09:00:00+00:00"
        );
        // The same name again: a conflict, shown on the form.
        let r = alice.post("/tasks", &pairs).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

        // An A/B task: a second published version on 30 % of the contacts.
        let actor = waihu_store::Actor::cli("t");
        let second =
            w.h.store
                .save_script_version(
                    w.s.ta,
                    "ta-welcome",
                    &crate::campaign_seed::CLEAN.replace("您需要吗？", "您想试试吗？"),
                    waihu_web::campaign::scripts::lint(crate::campaign_seed::CLEAN).0,
                    &actor,
                )
                .await
                .unwrap();
        w.h.store
            .publish_script_version(w.s.ta, second.id, &actor)
            .await
            .unwrap();
        let form = alice.get("/tasks/new").await;
        assert!(form.body.contains("name=\"variant_b_script_version_id\""));
        let mut ab = fields("2", GOOD_NUMBER, list.clone());
        ab[0].1 = "ab-push".into();
        for (variant, split, field) in [
            ("not-an-id".to_string(), "30", "variant_b_script_version_id"),
            (second.id.to_string(), "100", "split_percent"),
            (w.a.dirty.to_string(), "30", "variant_b_script_version_id"),
            (w.b.clean.to_string(), "30", "variant_b_script_version_id"),
        ] {
            let mut f = ab.clone();
            f.push(("variant_b_script_version_id", variant));
            f.push(("split_percent", split.to_string()));
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = alice.post("/tasks", &pairs).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                r.body
            );
            assert!(
                r.body.contains(&format!("data-field=\"{field}\"")),
                "{field}: {}",
                r.body
            );
        }
        let mut f = ab.clone();
        f.push(("variant_b_script_version_id", second.id.to_string()));
        f.push(("split_percent", "30".to_string()));
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = alice.post("/tasks", &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let task =
            w.h.store
                .find_task(w.s.ta, "ab-push")
                .await
                .unwrap()
                .unwrap();
        let v = task.variant.expect("variant B stored");
        assert_eq!((v.script_version_id, v.split_percent), (second.id, 30));

        // Agents and auditors do not create tasks.
        for user in ["agnes", "audrey"] {
            let mut b = w.h.login(user).await;
            assert_eq!(
                b.get("/tasks/new").await.status,
                StatusCode::FORBIDDEN,
                "{user}"
            );
            assert_eq!(
                b.post("/tasks", &pairs).await.status,
                StatusCode::FORBIDDEN,
                "{user}"
            );
        }
    }
}

#[tokio::test]
async fn the_api_creates_tasks_with_stable_errors() {
    for w in worlds().await {
        prepare(&w).await;
        let tok = token(&w.h, w.s.ta).await;
        let body = |lines: u32, lists: Vec<Uuid>| {
            json!({
                "name": "api-task",
                "script_version_id": w.a.clean,
                "list_ids": lists,
                "caller_number": GOOD_NUMBER,
                "trunk_id": Uuid::nil(),
                "lines": lines,
            })
        };
        let trunk = trunk_id(&w, "ta-trunk").await;
        let mut ok = body(2, vec![ta_list(&w).await]);
        ok["trunk_id"] = json!(trunk);
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/tasks",
                Some(&tok),
                Some(body(2, vec![ta_list(&w).await])),
            )
            .await;
        assert_eq!(
            (r.status, r.code(), field_of(&r)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid".into(),
                "trunk_id".into()
            )
        );
        let mut over = ok.clone();
        over["lines"] = json!(5);
        let r =
            w.h.api(Method::POST, "/api/v1/tasks", Some(&tok), Some(over))
                .await;
        assert_eq!(
            (r.code(), field_of(&r)),
            ("invalid".into(), "lines".into()),
            "{}",
            r.body
        );
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("quota of 4"));
        let mut other = ok.clone();
        other["list_ids"] = json!([tb_list(&w).await]);
        let r =
            w.h.api(Method::POST, "/api/v1/tasks", Some(&tok), Some(other))
                .await;
        assert_eq!(field_of(&r), "list_ids");
        let mut windows = ok.clone();
        windows["windows"] = json!("nine to five");
        let r =
            w.h.api(Method::POST, "/api/v1/tasks", Some(&tok), Some(windows))
                .await;
        assert_eq!(field_of(&r), "windows");
        let mut unknown = ok.clone();
        unknown["colour"] = json!("red");
        let r =
            w.h.api(Method::POST, "/api/v1/tasks", Some(&tok), Some(unknown))
                .await;
        assert_eq!(
            r.code(),
            "invalid",
            "unknown fields are refused: {}",
            r.body
        );

        let r =
            w.h.api(Method::POST, "/api/v1/tasks", Some(&tok), Some(ok.clone()))
                .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["state"], "draft");
        assert_eq!(r.json()["lead_grade"], "B");
        let r =
            w.h.api(Method::POST, "/api/v1/tasks", Some(&tok), Some(ok.clone()))
                .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::CONFLICT, "conflict".into())
        );

        // An agent's session may not; without the CSRF header a session may not either.
        let mut agnes = w.h.login("agnes").await;
        let csrf = agnes.csrf().await;
        let r = agnes
            .api(Method::POST, "/api/v1/tasks", Some(&csrf), ok.clone())
            .await;
        assert_eq!(r.code(), "forbidden");
        let mut alice = w.h.login("alice").await;
        let r = alice.api(Method::POST, "/api/v1/tasks", None, ok).await;
        assert_eq!(r.code(), "csrf_failed");
    }
}

#[tokio::test]
async fn settings_show_numbers_and_quota_and_manage_push_targets_without_secrets() {
    for w in worlds().await {
        prepare(&w).await;
        let mut alice = w.h.login("alice").await;
        let page = alice.get("/settings").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(GOOD_NUMBER) && page.body.contains(UNVERIFIED));
        assert!(!page.body.contains(B_NUMBER), "another tenant's number");
        assert!(page.body.contains("ta-crm") && !page.body.contains("tb-crm"));
        assert!(page.body.contains("<strong>4</strong>"), "the quota");

        let r = alice
            .post(
                "/settings/push-targets",
                &[
                    ("name", "sales-robot"),
                    ("kind", "wecom"),
                    (
                        "url",
                        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOTKEY77",
                    ),
                    ("min_grade", "A"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = alice
            .post(
                "/settings/push-targets",
                &[
                    ("name", "crm"),
                    ("kind", "webhook"),
                    ("url", "https://crm.example/hook"),
                    ("secret", "topsecret-123"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = alice.get("/settings").await;
        assert!(page.body.contains("sales-robot"));
        assert!(
            !page.body.contains("ROBOTKEY77"),
            "the robot's key is hidden"
        );
        assert!(
            !page.body.contains("topsecret-123"),
            "the secret is never shown"
        );

        let tok = token(&w.h, w.s.ta).await;
        let api =
            w.h.api(Method::GET, "/api/v1/settings", Some(&tok), None)
                .await;
        assert_eq!(api.status, StatusCode::OK);
        assert!(!api.body.contains("topsecret-123") && !api.body.contains("ROBOTKEY77"));
        let v = api.json();
        assert_eq!(v["line_quota"], 4);
        assert_eq!(v["caller_numbers"].as_array().unwrap().len(), 2);
        let crm = v["push_targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "crm")
            .unwrap()
            .clone();
        assert_eq!(crm["signed"], true);

        // Checked like the CLI: a webhook needs a secret, the URL must be http(s).
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/push-targets",
                Some(&tok),
                Some(json!({"name":"x","kind":"webhook","url":"https://a.example/h"})),
            )
            .await;
        assert_eq!(
            (r.code(), field_of(&r)),
            ("invalid".into(), "secret".into()),
            "{}",
            r.body
        );
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/push-targets",
                Some(&tok),
                Some(json!({"name":"x","kind":"feishu","url":"ftp://a.example/h"})),
            )
            .await;
        assert_eq!(field_of(&r), "url");
        let r =
            w.h.api(
                Method::POST,
                "/api/v1/push-targets",
                Some(&tok),
                Some(json!({"name":"x","kind":"pager","url":"https://a.example/h"})),
            )
            .await;
        assert_eq!(field_of(&r), "kind");

        // Disable one's own target; another tenant's is 404.
        let own =
            w.h.store
                .list_push_targets(w.s.ta)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.name == "crm")
                .unwrap();
        let theirs = w.h.store.list_push_targets(w.s.tb).await.unwrap()[0].clone();
        let r = alice
            .post(
                &format!("/settings/push-targets/{}/enabled", theirs.id),
                &[("enabled", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r =
            w.h.api(
                Method::POST,
                &format!("/api/v1/push-targets/{}/enabled", theirs.id),
                Some(&tok),
                Some(json!({"enabled": false})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(w.h.store.list_push_targets(w.s.tb).await.unwrap()[0].enabled);
        let r = alice
            .post(
                &format!("/settings/push-targets/{}/enabled", own.id),
                &[("enabled", "false")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let now =
            w.h.store
                .list_push_targets(w.s.ta)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.name == "crm")
                .unwrap();
        assert!(!now.enabled);
        let r = alice
            .post_raw(
                &format!("/settings/push-targets/{}/enabled", own.id),
                &[("enabled", "true")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");

        // Auditors read, agents do not see settings.
        let mut audrey = w.h.login("audrey").await;
        assert_eq!(audrey.get("/settings").await.status, StatusCode::OK);
        let r = audrey
            .post(
                &format!("/settings/push-targets/{}/enabled", own.id),
                &[("enabled", "true")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut agnes = w.h.login("agnes").await;
        assert_eq!(agnes.get("/settings").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_operator_manages_trunks_and_caller_numbers_and_sees_rates() {
    for w in worlds().await {
        let mut op = w.h.login("op").await;
        let page = op.get("/trunks").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("ta-trunk") && page.body.contains("tb-trunk"));
        let r = op
            .post(
                "/trunks",
                &[
                    ("name", "carrier-2"),
                    ("address", "sip.c2.invalid:5060"),
                    ("transport", "tcp"),
                    ("username", "acct"),
                    ("password", "trunk-pass-99"),
                    ("cps_limit", "8"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = op.get("/trunks").await;
        assert!(page.body.contains("carrier-2") && !page.body.contains("trunk-pass-99"));
        let r = op
            .post(
                "/trunks",
                &[("name", "bad"), ("address", "x:5060"), ("cps_limit", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Register, verify and assign a caller number (typed nationally).
        let r = op
            .post("/caller-numbers", &[("number", "010 8888 6666")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let n =
            w.h.store
                .get_caller_number("+861088886666")
                .await
                .unwrap()
                .unwrap();
        assert!(n.verified_at.is_none() && n.tenant_id.is_none());
        let r = op
            .post("/caller-numbers/verify", &[("number", "+861088886666")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let ta = w.s.ta.to_string();
        let r = op
            .post(
                "/caller-numbers/assign",
                &[("number", "+861088886666"), ("tenant_id", ta.as_str())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let n =
            w.h.store
                .get_caller_number("+861088886666")
                .await
                .unwrap()
                .unwrap();
        assert!(n.verified_at.is_some());
        assert_eq!(n.tenant_id, Some(w.s.ta));
        let r = op
            .post("/caller-numbers/verify", &[("number", "not a number")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(op
            .get("/caller-numbers")
            .await
            .body
            .contains("+861088886666"));

        let rates = op.get("/rates").await;
        assert_eq!(rates.status, StatusCode::OK);
        assert!(
            rates.body.contains(&format!("/tenants/{}", w.s.ta)),
            "links to suspend/resume"
        );

        // The API twins (session + CSRF header); tokens and tenant users are refused.
        let csrf = op.csrf().await;
        let r = op
            .api(
                Method::POST,
                "/api/v1/trunks",
                Some(&csrf),
                json!({"name":"c3","address":"sip.c3.invalid","cps_limit":2.5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["has_password"], false);
        let r = op
            .api(
                Method::POST,
                "/api/v1/caller-numbers",
                Some(&csrf),
                json!({"number":"+862188887777"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = op
            .api(
                Method::POST,
                "/api/v1/caller-numbers/assign",
                Some(&csrf),
                json!({"number":"+862188887777","tenant_id": Uuid::nil()}),
            )
            .await;
        assert_eq!(field_of(&r), "tenant_id");
        let r = op.api(Method::GET, "/api/v1/rates", None, json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        let ta_rates = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["tenant_name"] == "ta")
            .unwrap()
            .clone();
        assert_eq!(ta_rates["attempts"], 2, "{ta_rates}");
        let tok = token(&w.h, w.s.ta).await;
        for path in ["/api/v1/trunks", "/api/v1/rates"] {
            let r = w.h.api(Method::GET, path, Some(&tok), None).await;
            assert_eq!(r.code(), "forbidden", "{path}");
        }
        let r =
            w.h.api(Method::GET, "/api/v1/caller-numbers", Some(&tok), None)
                .await;
        let numbers: Vec<String> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["number"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            numbers,
            vec!["+861088886666".to_string()],
            "a tenant sees only its numbers"
        );
        let mut alice = w.h.login("alice").await;
        for path in ["/trunks", "/caller-numbers", "/rates"] {
            assert_eq!(
                alice.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        assert_eq!(
            alice
                .post(
                    "/trunks",
                    &[("name", "x"), ("address", "y"), ("cps_limit", "1")]
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_dashboard_shows_todays_figures_of_the_tenant_only() {
    for w in worlds().await {
        let mut alice = w.h.login("alice").await;
        let page = alice.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"today\""), "{}", page.body);
        assert!(page.body.contains("<svg"), "a server-drawn chart");
        assert!(
            page.body.contains(r#"data-label="A" data-value="1""#),
            "{}",
            page.body
        );
        let tok = token(&w.h, w.s.ta).await;
        let r =
            w.h.api(Method::GET, "/api/v1/dashboard", Some(&tok), None)
                .await;
        assert_eq!(r.status, StatusCode::OK);
        let v = r.json();
        // Each tenant has two ended calls (answered A, busy) and none live.
        assert_eq!(
            (
                v["calls"].as_i64(),
                v["answered"].as_i64(),
                v["live_calls"].as_i64()
            ),
            (Some(2), Some(1), Some(0)),
            "{v}"
        );
        assert_eq!(v["answer_rate"].as_f64(), Some(0.5));
        assert_eq!(v["grades"]["A"], 1);
        // Agents see the figures too; the operator gets the platform view.
        let mut agnes = w.h.login("agnes").await;
        assert!(agnes.get("/").await.body.contains("id=\"today\""));
        let mut op = w.h.login("op").await;
        assert!(!op.get("/").await.body.contains("id=\"today\""));
        let r = op
            .api(Method::GET, "/api/v1/dashboard", None, json!({}))
            .await;
        assert_eq!(r.code(), "forbidden");
    }
}

/// A stand-in for the binary's prompt library: accepts bodies starting with
/// `RIFF` or `ID3`, stores them under `<dir>/<tenant>/<hash>.wav`.
struct FakeAudio(std::path::PathBuf);

impl waihu_web::campaign::prompts::PromptAudio for FakeAudio {
    fn import(
        &self,
        tenant: waihu_core::TenantId,
        _name: &str,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<
        waihu_web::campaign::prompts::ImportedPrompt,
        waihu_web::campaign::prompts::PromptRejected,
    > {
        if !(bytes.starts_with(b"RIFF") || bytes.starts_with(b"ID3")) {
            return Err(waihu_web::campaign::prompts::PromptRejected {
                bad_input: true,
                message: "not a WAV or MP3 file".into(),
            });
        }
        let sha = format!(
            "{:064x}",
            bytes.len() as u128 * 7919 + u128::from(bytes[bytes.len() - 1])
        );
        let dir = self.0.join(tenant.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{sha}.wav")), bytes).unwrap();
        Ok(waihu_web::campaign::prompts::ImportedPrompt {
            file_name: file_name.into(),
            duration_ms: 1500,
            sha256: sha,
        })
    }

    fn wav_file(&self, tenant: waihu_core::TenantId, sha256: &str) -> Option<std::path::PathBuf> {
        let p = self
            .0
            .join(tenant.to_string())
            .join(format!("{sha256}.wav"));
        p.is_file().then_some(p)
    }
}

async fn upload(h: &crate::support::Harness, tok: &str, name: &str, ct: &str, body: &[u8]) -> Resp {
    let req = axum::http::Request::post(format!("/api/v1/prompts?name={name}"))
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", ct)
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap();
    h.send(req).await
}

#[tokio::test]
async fn prompts_are_uploaded_checked_listed_and_played_per_tenant() {
    for mut w in worlds().await {
        // Without the library the page says so and uploads are refused.
        let tok = token(&w.h, w.s.ta).await;
        let mut alice = w.h.login("alice").await;
        assert!(alice.get("/prompts").await.body.contains("prompts-off"));
        let r = upload(&w.h, &tok, "hello", "audio/wav", b"RIFF-1").await;
        assert_eq!(r.code(), "conflict");
        drop(alice);

        let lib = w.tmp.path().join("prompts");
        w.h.state =
            w.h.state
                .clone()
                .with_prompt_audio(std::sync::Arc::new(FakeAudio(lib)));
        let tok_b = token(&w.h, w.s.tb).await;
        let mut alice = w.h.login("alice").await;
        let page = alice.get("/prompts").await;
        assert!(
            page.body.contains("prompt-upload") && page.body.contains("data-csrf"),
            "{}",
            page.body
        );

        // Type, content, name and size are checked; nothing is stored on refusal.
        let r = upload(&w.h, &tok, "hello", "text/plain", b"RIFF-1").await;
        assert_eq!((r.code(), field_of(&r)), ("invalid".into(), "file".into()));
        let r = upload(&w.h, &tok, "hello", "audio/wav", b"<html>not audio").await;
        assert_eq!(
            (r.code(), field_of(&r)),
            ("invalid".into(), "file".into()),
            "{}",
            r.body
        );
        let r = upload(&w.h, &tok, "", "audio/wav", b"RIFF-1").await;
        assert_eq!(field_of(&r), "name");
        let big = vec![b'R'; waihu_web::campaign::prompts::MAX_UPLOAD + 10];
        let r = upload(&w.h, &tok, "big", "audio/wav", &big).await;
        assert_eq!(
            (r.code(), field_of(&r)),
            ("invalid".into(), "file".into()),
            "{}",
            r.body
        );
        assert!(w.h.store.list_prompts(w.s.ta).await.unwrap().is_empty());

        let r = upload(&w.h, &tok, "hello", "audio/wav", b"RIFF-a-wave").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = upload(&w.h, &tok, "hello", "audio/mpeg", b"ID3-other").await;
        assert_eq!(r.code(), "conflict", "a taken name");
        let r = upload(&w.h, &tok_b, "theirs", "audio/mpeg", b"ID3-b-sound").await;
        assert_eq!(r.status, StatusCode::CREATED);
        let theirs = r.json()["id"].as_str().unwrap().to_string();

        // Listed with a player; the audio is the tenant's only.
        let page = alice.get("/prompts").await;
        assert!(
            page.body.contains(&format!("src=\"/prompts/{id}/audio\"")),
            "{}",
            page.body
        );
        assert!(!page.body.contains("theirs"));
        let a = alice.get(&format!("/prompts/{id}/audio")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("content-type"), "audio/wav");
        assert_eq!(a.body, "RIFF-a-wave");
        assert_eq!(
            alice.get(&format!("/prompts/{theirs}/audio")).await.status,
            StatusCode::NOT_FOUND
        );
        let r =
            w.h.api(
                Method::GET,
                &format!("/api/v1/prompts/{theirs}/audio"),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r =
            w.h.api(Method::GET, "/api/v1/prompts", Some(&tok), None)
                .await;
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);

        // A stored hash that is not a hash never becomes a path.
        let evil =
            w.h.store
                .add_prompt(
                    w.s.ta,
                    "evil",
                    "x.wav",
                    1,
                    "../../../../etc/passwd",
                    &Actor::cli("t"),
                )
                .await
                .unwrap();
        assert_eq!(
            alice
                .get(&format!("/prompts/{}/audio", evil.id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Sessions need the anti-CSRF header; agents and auditors only listen.
        let csrf = alice.csrf().await;
        let r = alice
            .api(Method::POST, "/api/v1/prompts?name=x", None, json!({}))
            .await;
        assert_eq!(r.code(), "csrf_failed");
        let r = alice
            .api(
                Method::POST,
                "/api/v1/prompts?name=x",
                Some(&csrf),
                json!({}),
            )
            .await;
        assert_eq!(field_of(&r), "file", "JSON is not audio: {}", r.body);
        for user in ["agnes", "audrey"] {
            let mut b = w.h.login(user).await;
            assert_eq!(
                b.get(&format!("/prompts/{id}/audio")).await.status,
                StatusCode::OK,
                "{user}"
            );
            assert!(
                !b.get("/prompts").await.body.contains("prompt-upload"),
                "{user}"
            );
            let c = b.csrf().await;
            let r = b
                .api(Method::POST, "/api/v1/prompts?name=y", Some(&c), json!({}))
                .await;
            assert_eq!(r.code(), "forbidden", "{user}");
        }
    }
}
