-- Audit entries keyed with the audit key (HMAC-SHA256) name the key; entries
-- written before the switch-over keep their plain SHA-256 hash and no key id.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
