-- +goose Up
-- A post's group order (issue 12); a post without a row has no order.
-- fee_tiers is the store's own text encoding of the tiers (JSON array of
-- [from_total, fee] pairs), read and written only by the store. order_at is
-- the deadline in the store's fixed-width UTC format, so it sorts as text.
-- deadline_done is set once the deadline was applied (lock or cancel) or
-- when an unlock happens after it passed: the scheduler then leaves it alone
-- until order_at is edited.
CREATE TABLE orders (
    post_id       INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    state         TEXT    NOT NULL DEFAULT 'recruiting'
                  CHECK (state IN ('recruiting', 'locked', 'ordered', 'arrived', 'settled', 'cancelled')),
    store_name    TEXT    NOT NULL,
    menu_url      TEXT    NOT NULL DEFAULT '',
    delivery_fee  INTEGER NOT NULL,
    fee_tiers     TEXT    NOT NULL DEFAULT '[]',
    min_order     INTEGER NOT NULL,
    order_at      TEXT    NOT NULL,
    pickup_spot   TEXT    NOT NULL,
    pickup_note   TEXT    NOT NULL DEFAULT '',
    close_on_min  INTEGER NOT NULL DEFAULT 0,
    eta_minutes   INTEGER,
    payment_info  TEXT    NOT NULL DEFAULT '',
    unlocked      INTEGER NOT NULL DEFAULT 0,
    deadline_done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_deadline ON orders(state, deadline_done, order_at);

-- Each member's cart lines, in the order given.
CREATE TABLE order_items (
    post_id  INTEGER NOT NULL REFERENCES orders(post_id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    position INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    price    INTEGER NOT NULL,
    qty      INTEGER NOT NULL,
    note     TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, user_id, position)
);

-- A member's ready mark and payment; no row means not ready, paid 'none'.
CREATE TABLE order_members (
    post_id INTEGER NOT NULL REFERENCES orders(post_id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    ready   INTEGER NOT NULL DEFAULT 0,
    paid    TEXT    NOT NULL DEFAULT 'none' CHECK (paid IN ('none', 'sent', 'confirmed')),
    PRIMARY KEY (post_id, user_id)
);

-- +goose Down
DROP TABLE order_members;
DROP TABLE order_items;
DROP TABLE orders;
