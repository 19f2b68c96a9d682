-- Contacts with consent evidence, do-not-call lists, caller numbers and the dial
-- attempt history the compliance gate reads (postgres). Phone numbers are stored only
-- as a keyed hash (HMAC-SHA256), AEAD ciphertext and a masked form.
CREATE TABLE contact_lists (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE consent_evidence (
    id             UUID PRIMARY KEY,
    tenant_id      UUID NOT NULL REFERENCES tenants(id),
    source         TEXT NOT NULL,
    given_at       TIMESTAMPTZ NOT NULL,
    purposes       TEXT NOT NULL,
    share_leads    BOOLEAN NOT NULL,
    evidence_kind  TEXT NOT NULL CHECK (evidence_kind IN ('ref', 'wording')),
    evidence       TEXT NOT NULL,
    expires_at     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX consent_evidence_tenant ON consent_evidence(tenant_id);

CREATE TABLE contacts (
    id                    UUID PRIMARY KEY,
    tenant_id             UUID NOT NULL REFERENCES tenants(id),
    list_id               UUID NOT NULL REFERENCES contact_lists(id),
    number_hash           BYTEA NOT NULL,
    number_enc            BYTEA NOT NULL,
    number_masked         TEXT NOT NULL,
    fields                TEXT NOT NULL,
    zone_override         TEXT,
    consent_id            UUID NOT NULL REFERENCES consent_evidence(id),
    consent_withdrawn_at  TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    -- Number first: the one index serves de-duplication per list and look-ups by
    -- number (a number is in few lists), so an import maintains one random index.
    UNIQUE (number_hash, list_id)
);
CREATE INDEX contacts_list ON contacts(list_id, created_at);

-- scope_key: 'platform', 'registry' or 'tenant:<uuid>' (NULL-free, so it can be a key).
CREATE TABLE dnc_entries (
    scope_key    TEXT NOT NULL,
    tenant_id    UUID REFERENCES tenants(id),
    number_hash  BYTEA NOT NULL,
    reason       TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope_key, number_hash)
);
CREATE INDEX dnc_entries_number ON dnc_entries(number_hash);

CREATE TABLE caller_numbers (
    number       TEXT PRIMARY KEY,
    tenant_id    UUID REFERENCES tenants(id),
    verified_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE dial_attempts (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants(id),
    number_hash  BYTEA NOT NULL,
    purpose      TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    outcome      TEXT
);
CREATE INDEX dial_attempts_number ON dial_attempts(number_hash, at);

-- Jurisdiction policies: the platform's (scope_key 'platform', set by the operator)
-- and tenants' stricter overrides (scope_key 'tenant:<uuid>'), as JSON documents.
CREATE TABLE policies (
    scope_key     TEXT NOT NULL,
    jurisdiction  TEXT NOT NULL,
    body          TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope_key, jurisdiction)
);
