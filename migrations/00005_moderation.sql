-- +goose Up
-- Moderation, sign-up modes and password reset (issue 15). Plain SQL that
-- PostgreSQL also reads: no SQLite-only types or functions.

-- A resident's report of a post, a chat message or a user. One report per
-- reporter and target: reporting again changes nothing. status is 'open'
-- until staff resolve it with an action (hide, disable-user, dismiss).
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target_type TEXT    NOT NULL CHECK (target_type IN ('post', 'message', 'user')),
    target_id   INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    body        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    action      TEXT,
    resolved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolved_at TEXT,
    created_at  TEXT    NOT NULL,
    UNIQUE (reporter_id, target_type, target_id)
);
CREATE INDEX reports_status_id ON reports(status, id);
CREATE INDEX reports_target ON reports(target_type, target_id);

-- blocker no longer sees blocked's posts and messages; blocked cannot join
-- blocker's orders.
CREATE TABLE user_blocks (
    blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX user_blocks_blocked ON user_blocks(blocked_id);

-- Posts and messages hidden by staff: kept for the record, never shown.
CREATE TABLE hidden_posts (
    post_id   INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    hidden_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    hidden_at TEXT    NOT NULL
);
CREATE TABLE hidden_messages (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    hidden_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    hidden_at  TEXT    NOT NULL
);

-- Every staff action, from the web app (actor_id) or the CLI (actor_id NULL,
-- actor names the operating-system user).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL
);

-- Accounts waiting for staff approval (--signup approval).
CREATE TABLE pending_users (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL
);

-- Invite codes (--signup invite). Only the SHA-256 of the code is stored.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT    NOT NULL UNIQUE,
    max_uses   INTEGER NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT,
    created_at TEXT    NOT NULL
);

-- One-time password reset tokens; only the SHA-256 is stored.
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    created_at TEXT    NOT NULL
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE invites;
DROP TABLE pending_users;
DROP TABLE audit_log;
DROP TABLE hidden_messages;
DROP TABLE hidden_posts;
DROP TABLE user_blocks;
DROP TABLE reports;
