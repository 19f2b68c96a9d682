//! Creating tasks in the back office, page and API: the same rules as the CLI
//! with errors that name their field, another tenant's list, script version or
//! number refused, A/B variants, anti-CSRF, and agents and auditors kept out.

use crate::backoffice_support::{field_of, prepare, B_NUMBER, GOOD_NUMBER, UNVERIFIED};
use crate::campaign::{token, worlds, World};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;
use waihu_core::TaskState;

async fn ta_list(w: &World) -> Uuid {
    w.h.store.list_contact_lists(w.s.ta).await.unwrap()[0].id
}

async fn tb_list(w: &World) -> Uuid {
    w.h.store.list_contact_lists(w.s.tb).await.unwrap()[0].id
}

async fn trunk_id(w: &World, name: &str) -> Uuid {
    w.h.store.find_trunk(name).await.unwrap().unwrap().id
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
        assert_eq!(task.state, TaskState::Draft);
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
