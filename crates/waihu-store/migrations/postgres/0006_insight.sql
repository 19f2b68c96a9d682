-- Learning from calls (PostgreSQL): A/B script variants of a task, the variant a
-- call ran, indexes that page a task's / script version's / tenant's calls in id
-- order (ids are UUIDv7, so creation order), and hourly per-task rollups kept in
-- the transaction that ends a call, so reports over a million calls read a few
-- thousand rows. Hours are UTC (`YYYY-MM-DDTHH`); reports fold them into local days.
ALTER TABLE tasks ADD COLUMN variant_b_script_version_id UUID REFERENCES script_versions(id);
ALTER TABLE tasks ADD COLUMN split_percent INTEGER
    CHECK (split_percent IS NULL OR (split_percent >= 1 AND split_percent <= 99));
ALTER TABLE calls ADD COLUMN variant TEXT CHECK (variant IS NULL OR variant IN ('A', 'B'));

CREATE INDEX calls_task_page ON calls(task_id, id);
CREATE INDEX calls_version_page ON calls(script_version_id, id);
CREATE INDEX calls_tenant_page ON calls(tenant_id, id);

-- One row per task, UTC hour and variant ('' when the task has none) of ended calls.
CREATE TABLE call_rollup (
    tenant_id    UUID NOT NULL REFERENCES tenants(id),
    task_id      UUID NOT NULL REFERENCES tasks(id),
    hour         TEXT NOT NULL,
    variant      TEXT NOT NULL DEFAULT '',
    attempts     BIGINT NOT NULL DEFAULT 0,
    answered     BIGINT NOT NULL DEFAULT 0,
    talk_ms      BIGINT NOT NULL DEFAULT 0,
    grade_a      BIGINT NOT NULL DEFAULT 0,
    grade_b      BIGINT NOT NULL DEFAULT 0,
    grade_c      BIGINT NOT NULL DEFAULT 0,
    grade_d      BIGINT NOT NULL DEFAULT 0,
    grade_e      BIGINT NOT NULL DEFAULT 0,
    grade_f      BIGINT NOT NULL DEFAULT 0,
    leads        BIGINT NOT NULL DEFAULT 0,
    opt_outs     BIGINT NOT NULL DEFAULT 0,
    complaints   BIGINT NOT NULL DEFAULT 0,
    refused      BIGINT NOT NULL DEFAULT 0,
    interrupted  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, hour, variant)
);
CREATE INDEX call_rollup_tenant ON call_rollup(tenant_id, hour);

-- Gate refusals per task, UTC hour and refusing rule (a refusal with several
-- rules counts once under each).
CREATE TABLE refusal_rollup (
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    task_id    UUID NOT NULL REFERENCES tasks(id),
    hour       TEXT NOT NULL,
    rule       TEXT NOT NULL,
    refused    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, hour, rule)
);

-- Calls that ended before this migration.
INSERT INTO call_rollup (tenant_id, task_id, hour, variant, attempts, answered, talk_ms,
    grade_a, grade_b, grade_c, grade_d, grade_e, grade_f, leads, opt_outs, complaints,
    refused, interrupted)
SELECT k.tenant_id, k.task_id, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), '',
    COUNT(*) FILTER (WHERE k.attempt_id IS NOT NULL),
    COUNT(*) FILTER (WHERE k.answered_at IS NOT NULL OR k.outcome = 'answered'),
    COALESCE(SUM(k.duration_ms) FILTER (WHERE k.answered_at IS NOT NULL OR k.outcome = 'answered'), 0),
    COUNT(*) FILTER (WHERE k.grade = 'A'), COUNT(*) FILTER (WHERE k.grade = 'B'),
    COUNT(*) FILTER (WHERE k.grade = 'C'), COUNT(*) FILTER (WHERE k.grade = 'D'),
    COUNT(*) FILTER (WHERE k.grade = 'E'), COUNT(*) FILTER (WHERE k.grade = 'F'),
    COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM leads l WHERE l.call_id = k.id)),
    COUNT(*) FILTER (WHERE k.opt_out),
    COUNT(*) FILTER (WHERE k.intents LIKE '%"complaint"%'),
    COUNT(*) FILTER (WHERE k.outcome = 'refused'),
    COUNT(*) FILTER (WHERE k.outcome = 'interrupted')
FROM calls k
WHERE k.task_id IS NOT NULL AND k.state = 'done'
GROUP BY 1, 2, 3;

CREATE FUNCTION waihu_0006_try_jsonb(t TEXT) RETURNS JSONB AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$ LANGUAGE plpgsql IMMUTABLE;

INSERT INTO refusal_rollup (tenant_id, task_id, hour, rule, refused)
SELECT k.tenant_id, k.task_id, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'),
    COALESCE(r.value ->> 'rule', 'unknown'), COUNT(*)
FROM calls k
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(waihu_0006_try_jsonb(k.gate) -> 'reasons') = 'array'
         THEN waihu_0006_try_jsonb(k.gate) -> 'reasons' ELSE '[]'::jsonb END) r
WHERE k.task_id IS NOT NULL AND k.outcome = 'refused'
GROUP BY 1, 2, 3, 4;

-- Refusals whose decision names no rule count under `unknown`, as new ones do.
INSERT INTO refusal_rollup (tenant_id, task_id, hour, rule, refused)
SELECT k.tenant_id, k.task_id, to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), 'unknown', COUNT(*)
FROM calls k
WHERE k.task_id IS NOT NULL AND k.outcome = 'refused'
    AND COALESCE(CASE WHEN jsonb_typeof(waihu_0006_try_jsonb(k.gate) -> 'reasons') = 'array'
        THEN jsonb_array_length(waihu_0006_try_jsonb(k.gate) -> 'reasons') END, 0) = 0
GROUP BY 1, 2, 3
ON CONFLICT (task_id, hour, rule) DO UPDATE SET refused = refusal_rollup.refused + excluded.refused;

DROP FUNCTION waihu_0006_try_jsonb(TEXT);
