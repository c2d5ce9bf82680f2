-- +goose Up
-- The menu assistant's conversations (POST /api/openAPI/foodchoicer/). day is
-- the "service day" the message belongs to: the Asia/Seoul date of the moment
-- four hours earlier, so a day starts at 04:00 KST. Messages of other days are
-- stale and are dropped on the next write.
CREATE TABLE foodchat_messages (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX foodchat_messages_user_day ON foodchat_messages(user_id, day, id);

-- Questions asked per user and service day (10 a day).
CREATE TABLE foodchat_quota (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day       TEXT    NOT NULL,
    questions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE foodchat_quota;
DROP TABLE foodchat_messages;
