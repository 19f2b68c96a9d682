-- Failed sign-ins (SQLite), shared by every process on the database: an account's
-- failures from one client, from any client (client = ''), and one client's on any
-- account (account = '').
CREATE TABLE login_failures (
    account        TEXT NOT NULL,
    client         TEXT NOT NULL,
    failures       INTEGER NOT NULL,
    first_failure  TEXT NOT NULL,
    last_failure   TEXT NOT NULL,
    PRIMARY KEY (account, client)
);
CREATE INDEX login_failures_last ON login_failures(last_failure);
