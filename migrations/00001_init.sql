-- +goose Up
-- Users. email_key is the lower-cased email so uniqueness is case-insensitive
-- in any SQL dialect. dong_code is NULL when the address did not resolve to a
-- neighbourhood of the dataset (free-text compatibility mode).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL UNIQUE,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    address       TEXT    NOT NULL,
    dong_code     TEXT,
    search_range  INTEGER NOT NULL DEFAULT 0,
    is_active     INTEGER NOT NULL DEFAULT 1,
    is_staff      INTEGER NOT NULL DEFAULT 0,
    cred_version  INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL
);

-- Web UI sessions: only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Posts. area is the key the board matches on: the neighbourhood's dataset
-- code when the writer's address resolved, else "@" + the address string.
-- closed is the writer's own "done" flag; is_compelete is derived from it and
-- the member count.
CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    writer_id     INTEGER NOT NULL REFERENCES users(id),
    title         TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    address       TEXT    NOT NULL,
    area          TEXT    NOT NULL,
    target_number INTEGER NOT NULL,
    closed        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL
);
CREATE INDEX posts_area_id ON posts(area, id DESC);
CREATE INDEX posts_area_category_id ON posts(area, category, id DESC);
CREATE INDEX posts_writer ON posts(writer_id);

-- One chat room per post. deleted_at is set when the writer deletes the room
-- while the post stays.
CREATE TABLE chat_rooms (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL UNIQUE REFERENCES posts(id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    deleted_at TEXT
);

CREATE TABLE room_members (
    room_id   INTEGER NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    joined_at TEXT    NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user ON room_members(user_id);

CREATE TABLE room_bans (
    room_id   INTEGER NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    banned_at TEXT    NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- Chat messages; user_id is NULL for the system's join/leave notices.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    room_id    INTEGER NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users(id),
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX messages_room_id ON messages(room_id, id);

-- +goose Down
DROP TABLE messages;
DROP TABLE room_bans;
DROP TABLE room_members;
DROP TABLE chat_rooms;
DROP TABLE posts;
DROP TABLE sessions;
DROP TABLE users;
