-- Learning from calls (SQLite): A/B script variants of a task, the variant a call
-- ran, indexes that page a task's / script version's / tenant's calls in id order
-- (ids are UUIDv7, so creation order), and hourly per-task rollups kept in the
-- transaction that ends a call, so reports over a million calls read a few
-- thousand rows. Hours are UTC (`YYYY-MM-DDTHH`); reports fold them into local days.
ALTER TABLE tasks ADD COLUMN variant_b_script_version_id BLOB REFERENCES script_versions(id);
ALTER TABLE tasks ADD COLUMN split_percent INTEGER
    CHECK (split_percent IS NULL OR (split_percent >= 1 AND split_percent <= 99));
ALTER TABLE calls ADD COLUMN variant TEXT CHECK (variant IS NULL OR variant IN ('A', 'B'));

CREATE INDEX calls_task_page ON calls(task_id, id);
CREATE INDEX calls_version_page ON calls(script_version_id, id);
CREATE INDEX calls_tenant_page ON calls(tenant_id, id);

-- One row per task, UTC hour and variant ('' when the task has none) of ended calls.
CREATE TABLE call_rollup (
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    task_id      BLOB NOT NULL REFERENCES tasks(id),
    hour         TEXT NOT NULL,
    variant      TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    answered     INTEGER NOT NULL DEFAULT 0,
    talk_ms      INTEGER NOT NULL DEFAULT 0,
    grade_a      INTEGER NOT NULL DEFAULT 0,
    grade_b      INTEGER NOT NULL DEFAULT 0,
    grade_c      INTEGER NOT NULL DEFAULT 0,
    grade_d      INTEGER NOT NULL DEFAULT 0,
    grade_e      INTEGER NOT NULL DEFAULT 0,
    grade_f      INTEGER NOT NULL DEFAULT 0,
    leads        INTEGER NOT NULL DEFAULT 0,
    opt_outs     INTEGER NOT NULL DEFAULT 0,
    complaints   INTEGER NOT NULL DEFAULT 0,
    refused      INTEGER NOT NULL DEFAULT 0,
    interrupted  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, hour, variant)
);
CREATE INDEX call_rollup_tenant ON call_rollup(tenant_id, hour);

-- Gate refusals per task, UTC hour and refusing rule (a refusal with several
-- rules counts once under each).
CREATE TABLE refusal_rollup (
    tenant_id  BLOB NOT NULL REFERENCES tenants(id),
    task_id    BLOB NOT NULL REFERENCES tasks(id),
    hour       TEXT NOT NULL,
    rule       TEXT NOT NULL,
    refused    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, hour, rule)
);

-- Calls that ended before this migration.
INSERT INTO call_rollup (tenant_id, task_id, hour, variant, attempts, answered, talk_ms,
    grade_a, grade_b, grade_c, grade_d, grade_e, grade_f, leads, opt_outs, complaints,
    refused, interrupted)
SELECT k.tenant_id, k.task_id, substr(k.created_at, 1, 13), '',
    SUM(k.attempt_id IS NOT NULL),
    SUM(COALESCE(k.answered_at IS NOT NULL OR k.outcome = 'answered', 0)),
    SUM(CASE WHEN k.answered_at IS NOT NULL OR k.outcome = 'answered' THEN COALESCE(k.duration_ms, 0) ELSE 0 END),
    SUM(COALESCE(k.grade = 'A', 0)), SUM(COALESCE(k.grade = 'B', 0)), SUM(COALESCE(k.grade = 'C', 0)),
    SUM(COALESCE(k.grade = 'D', 0)), SUM(COALESCE(k.grade = 'E', 0)), SUM(COALESCE(k.grade = 'F', 0)),
    SUM(EXISTS (SELECT 1 FROM leads l WHERE l.call_id = k.id)),
    SUM(k.opt_out <> 0),
    SUM(COALESCE(k.intents LIKE '%"complaint"%', 0)),
    SUM(COALESCE(k.outcome = 'refused', 0)),
    SUM(COALESCE(k.outcome = 'interrupted', 0))
FROM calls k
WHERE k.task_id IS NOT NULL AND k.state = 'done'
GROUP BY k.tenant_id, k.task_id, substr(k.created_at, 1, 13);

INSERT INTO refusal_rollup (tenant_id, task_id, hour, rule, refused)
SELECT k.tenant_id, k.task_id, substr(k.created_at, 1, 13),
    COALESCE(json_extract(r.value, '$.rule'), 'unknown'), COUNT(*)
FROM calls k, json_each(CASE WHEN json_valid(k.gate) THEN json_extract(k.gate, '$.reasons') END) r
WHERE k.task_id IS NOT NULL AND k.outcome = 'refused'
GROUP BY 1, 2, 3, 4;

-- Refusals whose decision names no rule count under `unknown`, as new ones do.
INSERT INTO refusal_rollup (tenant_id, task_id, hour, rule, refused)
SELECT k.tenant_id, k.task_id, substr(k.created_at, 1, 13), 'unknown', COUNT(*)
FROM calls k
WHERE k.task_id IS NOT NULL AND k.outcome = 'refused'
    AND COALESCE(CASE WHEN json_valid(k.gate) THEN json_array_length(k.gate, '$.reasons') END, 0) = 0
GROUP BY 1, 2, 3
ON CONFLICT (task_id, hour, rule) DO UPDATE SET refused = refusal_rollup.refused + excluded.refused;
