-- Callee rights (SQLite): complaint tickets tied to the calls they name, tenants'
-- retention periods and the platform's rights settings. Complaint numbers are
-- stored as the keyed hash and the masked form only.
CREATE TABLE complaints (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB REFERENCES tenants(id),
    number_hash    BLOB NOT NULL,
    number_masked  TEXT NOT NULL,
    caller_number  TEXT,
    verified       INTEGER NOT NULL,
    description    TEXT NOT NULL,
    occurred_at    TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'closed')),
    tenant_answer  TEXT,
    answered_at    TEXT,
    resolution     TEXT,
    created_at     TEXT NOT NULL,
    acked_at       TEXT,
    closed_at      TEXT
);
CREATE INDEX complaints_tenant ON complaints(tenant_id, created_at);
CREATE INDEX complaints_number ON complaints(number_hash);
CREATE INDEX complaints_state ON complaints(state, created_at);

CREATE TABLE complaint_calls (
    complaint_id  BLOB NOT NULL REFERENCES complaints(id),
    call_id       BLOB NOT NULL REFERENCES calls(id),
    PRIMARY KEY (complaint_id, call_id)
);
CREATE INDEX complaint_calls_call ON complaint_calls(call_id);

CREATE TABLE tenant_retention (
    tenant_id         BLOB PRIMARY KEY REFERENCES tenants(id),
    recordings_days   INTEGER NOT NULL CHECK (recordings_days > 0),
    transcripts_days  INTEGER NOT NULL CHECK (transcripts_days > 0),
    results_days      INTEGER NOT NULL CHECK (results_days > 0),
    updated_at        TEXT NOT NULL
);

-- One row (id = 1): the operator's settings; absent means the defaults.
CREATE TABLE rights_settings (
    id                            INTEGER PRIMARY KEY CHECK (id = 1),
    complaint_threshold_per_1000  REAL NOT NULL CHECK (complaint_threshold_per_1000 >= 0),
    complaint_window_days         INTEGER NOT NULL CHECK (complaint_window_days > 0),
    retention_max_days            INTEGER NOT NULL CHECK (retention_max_days > 0),
    updated_at                    TEXT NOT NULL
);

-- Complaints and subject requests find calls by number and time.
CREATE INDEX calls_number ON calls(number_hash, created_at);
