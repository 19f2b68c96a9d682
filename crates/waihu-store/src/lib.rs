//! Storage: repositories on SQLite and PostgreSQL.
