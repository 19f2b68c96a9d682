//! A test harness: a fresh SQLite store, the app with a manual clock, a cookie-jar
//! "browser" that scrapes anti-CSRF tokens like a real form would carry them (in
//! urlencoded forms and hand-built `multipart/form-data` uploads alike), and
//! a seeded platform (operator; tenant A with admin, agent, auditor; tenant B with
//! its admin).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::TimeZone;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;
use waihu_core::{ManualClock, Role, TenantId, TenantName, UserId};
use waihu_store::testing::TestDatabase;
use waihu_store::{Actor, Store};
use waihu_web::{app, AppState, WebConfig};

/// One HTTP answer.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    pub fn location(&self) -> String {
        self.header("location")
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
    /// The error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// The app over a fresh database.
pub struct Harness {
    pub db: TestDatabase,
    pub store: Store,
    pub state: AppState,
    pub clock: ManualClock,
}

pub const PW: &str = "correct-horse-1";

/// Seeded ids.
pub struct Seed {
    pub ta: TenantId,
    pub tb: TenantId,
    pub alice: UserId,
    pub bob: UserId,
    pub agnes: UserId,
}

impl Harness {
    pub async fn new() -> Self {
        Self::on(waihu_store::testing::fresh_sqlite().unwrap()).await
    }

    /// The app over a given fresh database.
    pub async fn on(db: TestDatabase) -> Self {
        let store = db.store().await.unwrap();
        let clock = ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap());
        let state = AppState::with(store.clone(), Arc::new(clock.clone()), WebConfig::default());
        Self {
            db,
            store,
            state,
            clock,
        }
    }

    /// A seeded harness per backend the environment offers (SQLite always,
    /// PostgreSQL when `WAIHU_TEST_POSTGRES_URL` is set).
    pub async fn seeded_all() -> Vec<(Self, Seed)> {
        let mut out = Vec::new();
        for db in waihu_store::testing::fresh_databases().await.unwrap() {
            out.push(Self::seed(Self::on(db).await).await);
        }
        out
    }

    /// Operator `op`; tenant `ta` with `alice` (admin), `agnes` (agent), `audrey`
    /// (auditor); tenant `tb` with `bob` (admin). Every password is [`PW`].
    pub async fn seeded() -> (Self, Seed) {
        Self::seed(Self::new().await).await
    }

    async fn seed(h: Self) -> (Self, Seed) {
        let a = Actor::cli("test");
        let s = &h.store;
        s.create_user(None, "op", PW, Role::Operator, &a)
            .await
            .unwrap();
        let ta = s
            .create_tenant(&TenantName::parse("ta").unwrap(), &a)
            .await
            .unwrap()
            .id;
        let tb = s
            .create_tenant(&TenantName::parse("tb").unwrap(), &a)
            .await
            .unwrap()
            .id;
        let alice = s
            .create_user(Some(ta), "alice", PW, Role::Admin, &a)
            .await
            .unwrap()
            .id;
        let agnes = s
            .create_user(Some(ta), "agnes", PW, Role::Agent, &a)
            .await
            .unwrap()
            .id;
        s.create_user(Some(ta), "audrey", PW, Role::Auditor, &a)
            .await
            .unwrap();
        let bob = s
            .create_user(Some(tb), "bob", PW, Role::Admin, &a)
            .await
            .unwrap()
            .id;
        (
            h,
            Seed {
                ta,
                tb,
                alice,
                bob,
                agnes,
            },
        )
    }

    /// Runs SQL directly on the database, behind the store's back (tampering).
    pub async fn tamper(&self, sql: &str) {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&self.db.url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// A JSON API call with a bearer token.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// A browser for this app.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            h: self,
            cookies: BTreeMap::new(),
            extra: Vec::new(),
            peer: None,
        }
    }

    /// A browser logged in as `user`.
    pub async fn login(&self, user: &str) -> Browser<'_> {
        let mut b = self.browser();
        let r = b.login(user, PW).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login {user}: {}", r.body);
        b
    }
}

/// A cookie-keeping client.
pub struct Browser<'a> {
    h: &'a Harness,
    pub cookies: BTreeMap<String, String>,
    /// Extra headers sent with every request.
    pub extra: Vec<(String, String)>,
    /// The client address the server sees (as `serve` records it).
    pub peer: Option<std::net::SocketAddr>,
}

/// The `_csrf` value of the first form in a page.
pub fn scrape_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no _csrf field in page: {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn form_body(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

/// The boundary of the bodies [`multipart`] builds.
const BOUNDARY: &str = "----waihu-test-9f3c1e7a";

/// A `multipart/form-data` body, built by hand as a browser sends it: the text
/// `fields` in order, then the optional `file` part `(field, file name,
/// content)`. Returns the Content-Type (with the boundary) and the body.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, file_name, data)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, mut b: axum::http::request::Builder, body: Body) -> Resp {
        if !self.cookies.is_empty() {
            b = b.header(header::COOKIE, self.cookie_header());
        }
        for (k, v) in &self.extra {
            b = b.header(k.as_str(), v.as_str());
        }
        let mut req = b.body(body).unwrap();
        if let Some(peer) = self.peer {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        let r = self.h.send(req).await;
        for c in r.set_cookies() {
            let first = c.split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        r
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path), Body::empty()).await
    }

    /// Posts a form exactly as given (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let b =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(b, Body::from(form_body(fields))).await
    }

    /// Posts a `multipart/form-data` form exactly as given (no token added).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        let (content_type, body) = multipart(fields, file);
        let b = Request::post(path).header(header::CONTENT_TYPE, content_type);
        self.send(b, Body::from(body)).await
    }

    /// Uploads a `multipart/form-data` form with the session's anti-CSRF token
    /// as its first field, as the back office's upload forms carry it.
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_multipart(path, &all, file).await
    }

    /// The session's anti-CSRF token, read from a page as a form would carry it.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/account/password").await;
        scrape_csrf(&page.body)
    }

    /// Posts a form with the session's anti-CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Opens the login page and submits it.
    pub async fn login(&mut self, user: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let token = scrape_csrf(&page.body);
        self.post_raw(
            "/login",
            &[
                ("_csrf", &token),
                ("username", user),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    /// A JSON call with this browser's cookies (and optional CSRF header).
    pub async fn api(
        &mut self,
        method: Method,
        path: &str,
        csrf: Option<&str>,
        body: serde_json::Value,
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = csrf {
            b = b.header("x-csrf-token", t);
        }
        self.send(b, Body::from(body.to_string())).await
    }
}
