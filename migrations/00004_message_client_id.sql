-- +goose Up
-- The id a chat client gives a message it sends (chat frame field client_id),
-- NULL for system notices and for clients that send none. At most one message
-- per (room, sender, client_id) holds it: a resend after a lost
-- acknowledgement finds the stored message instead of storing a second one.
-- The store clears the id of a message older than a day when the same id
-- comes again, so a client may reuse its ids after a day.
ALTER TABLE messages ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX messages_client_id ON messages(room_id, user_id, client_id) WHERE client_id IS NOT NULL;

-- +goose Down
DROP INDEX messages_client_id;
ALTER TABLE messages DROP COLUMN client_id;
