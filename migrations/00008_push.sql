-- +goose Up
-- Web Push (issue 13). One row per browser subscription: the push service's
-- endpoint (unique: the same endpoint registered again changes its owner)
-- and the browser's public key and auth secret. session_hash names the web
-- session that registered it, so that ending that session (logout, password
-- change, expiry) removes it. A subscription registered with an API token
-- has no session; cred_version holds the token's credential version, and
-- the subscription is not used once the user's cred_version moved on (a
-- password change or deactivation revoked that token).
CREATE TABLE push_subscriptions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash TEXT    REFERENCES sessions(token_hash) ON DELETE CASCADE,
    cred_version INTEGER,
    endpoint     TEXT    NOT NULL UNIQUE,
    p256dh       TEXT    NOT NULL,
    auth         TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, updated_at);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_hash);

-- Reminders sent at most once: the deadline reminder of an order (key: its
-- order_at, so an edited deadline gets its own) and the settlement reminder
-- (due two hours after arrival). A row is written before the push goes out,
-- so a restart never sends one twice.
CREATE TABLE push_reminders (
    room_id INTEGER NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL CHECK (kind IN ('deadline', 'settle')),
    at      TEXT    NOT NULL,
    due_at  TEXT    NOT NULL,
    sent    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, kind, at)
);
CREATE INDEX push_reminders_due ON push_reminders(sent, due_at);

-- +goose Down
DROP TABLE push_reminders;
DROP TABLE push_subscriptions;
