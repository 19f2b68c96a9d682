-- Campaigns (SQLite): tenant limits, scripts and prompts, trunks, tasks and their
-- contact queue, calls, leads and lead push. JSON columns are opaque TEXT owned by
-- the crates that write them. Contacts can be erased: their queue rows go with
-- them, calls and leads keep only the hash and masked number.
CREATE TABLE tenant_limits (
    tenant_id             BLOB PRIMARY KEY REFERENCES tenants(id),
    line_quota            INTEGER NOT NULL CHECK (line_quota >= 0),
    full_numbers_in_push  INTEGER NOT NULL
);

CREATE TABLE scripts (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE script_versions (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants(id),
    script_id      BLOB NOT NULL REFERENCES scripts(id),
    version        INTEGER NOT NULL,
    yaml           TEXT NOT NULL,
    lint_errors    INTEGER NOT NULL,
    lint_warnings  INTEGER NOT NULL,
    findings       TEXT NOT NULL,
    published_at   TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (script_id, version)
);

CREATE TABLE prompts (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    name         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE trunks (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    address     TEXT NOT NULL,
    transport   TEXT NOT NULL CHECK (transport IN ('udp', 'tcp')),
    username    TEXT,
    password    TEXT,
    cps_limit   REAL NOT NULL CHECK (cps_limit > 0),
    created_at  TEXT NOT NULL
);

CREATE TABLE tasks (
    id                 BLOB PRIMARY KEY,
    tenant_id          BLOB NOT NULL REFERENCES tenants(id),
    name               TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    script_version_id  BLOB NOT NULL REFERENCES script_versions(id),
    caller_number      TEXT NOT NULL,
    trunk_id           BLOB NOT NULL REFERENCES trunks(id),
    windows            TEXT NOT NULL,
    lines              INTEGER NOT NULL CHECK (lines >= 0),
    cps_limit          REAL,
    retry              TEXT NOT NULL,
    priority           INTEGER NOT NULL,
    lead_grade         TEXT NOT NULL CHECK (lead_grade IN ('A', 'B', 'C', 'D', 'E', 'F')),
    starts_at          TEXT,
    ends_at            TEXT,
    state              TEXT NOT NULL CHECK (state IN ('draft', 'running', 'paused', 'completed', 'stopped')),
    state_reason       TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX tasks_state ON tasks(state);

CREATE TABLE task_lists (
    task_id  BLOB NOT NULL REFERENCES tasks(id),
    list_id  BLOB NOT NULL REFERENCES contact_lists(id),
    PRIMARY KEY (task_id, list_id)
);

CREATE TABLE task_contacts (
    task_id       BLOB NOT NULL REFERENCES tasks(id),
    contact_id    BLOB NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id),
    state         TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'done')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    last_outcome  TEXT,
    done_reason   TEXT,
    claimed_by    TEXT,
    claimed_at    TEXT,
    PRIMARY KEY (task_id, contact_id)
);
CREATE INDEX task_contacts_due ON task_contacts(state, next_at);
-- Claims scan one task's due rows; counts group one task's rows by state.
-- Serves claims in order without sorting: contact ids are UUIDv7, so in creation order.
CREATE INDEX task_contacts_task ON task_contacts(task_id, state, next_at, contact_id);
CREATE INDEX task_contacts_contact ON task_contacts(contact_id);

CREATE TABLE calls (
    id                 BLOB PRIMARY KEY,
    tenant_id          BLOB NOT NULL REFERENCES tenants(id),
    task_id            BLOB REFERENCES tasks(id),
    contact_id         BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    attempt_id         BLOB REFERENCES dial_attempts(id),
    number_hash        BLOB NOT NULL,
    number_masked      TEXT NOT NULL,
    worker             TEXT,
    state              TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    created_at         TEXT NOT NULL,
    answered_at        TEXT,
    ended_at           TEXT,
    duration_ms        INTEGER,
    outcome            TEXT,
    sip_status         INTEGER,
    gate               TEXT NOT NULL,
    script_version_id  BLOB REFERENCES script_versions(id),
    script_outcome     TEXT,
    grade              TEXT,
    grade_reason       TEXT,
    opt_out            INTEGER NOT NULL DEFAULT 0,
    recording_stopped  INTEGER NOT NULL DEFAULT 0,
    recording_path     TEXT,
    transcript         TEXT,
    path               TEXT,
    intents            TEXT,
    turn_log           TEXT,
    latency_ms         INTEGER
);
CREATE INDEX calls_tenant ON calls(tenant_id, created_at);
CREATE INDEX calls_task ON calls(task_id, outcome);
CREATE INDEX calls_state ON calls(state, worker);
CREATE INDEX calls_contact ON calls(contact_id);

CREATE TABLE leads (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants(id),
    task_id        BLOB NOT NULL REFERENCES tasks(id),
    call_id        BLOB NOT NULL UNIQUE REFERENCES calls(id),
    contact_id     BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    number_masked  TEXT NOT NULL,
    robot_grade    TEXT NOT NULL,
    robot_reason   TEXT NOT NULL,
    shareable      INTEGER NOT NULL,
    agent_grade    TEXT,
    agent_note     TEXT,
    agent_id       BLOB REFERENCES users(id) ON DELETE SET NULL,
    regraded_at    TEXT,
    status         TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'closed')),
    created_at     TEXT NOT NULL
);
CREATE INDEX leads_tenant ON leads(tenant_id, created_at);
CREATE INDEX leads_task ON leads(task_id);
CREATE INDEX leads_contact ON leads(contact_id);

CREATE TABLE push_targets (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
    url         TEXT NOT NULL,
    secret      TEXT,
    min_grade   TEXT NOT NULL CHECK (min_grade IN ('A', 'B', 'C', 'D', 'E', 'F')),
    enabled     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE push_deliveries (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id),
    lead_id       BLOB NOT NULL REFERENCES leads(id),
    target_id     BLOB NOT NULL REFERENCES push_targets(id),
    state         TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    delivered_at  TEXT
);
CREATE INDEX push_deliveries_due ON push_deliveries(state, next_at);
CREATE INDEX push_deliveries_tenant ON push_deliveries(tenant_id, state);
