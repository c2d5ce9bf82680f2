-- +goose Up
-- My chats (issue 13): each member's read marker and mute switch. last_read_id
-- is the id of the last message the member has seen in the room (0: none);
-- it only moves forward. muted stops the room's message pushes for that
-- member, not the order steps that concern them.
ALTER TABLE room_members ADD COLUMN last_read_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE room_members ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE room_members DROP COLUMN muted;
ALTER TABLE room_members DROP COLUMN last_read_id;
