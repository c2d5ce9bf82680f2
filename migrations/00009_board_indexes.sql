-- +goose Up
-- The board's indexes (issue 11).
--
-- The area indexes carry the writer. A viewer who blocks someone reads the
-- board without that writer's posts; with the writer in the index entry,
-- that check no longer reads each post's table row, which for page 50 was
-- 600 row reads a view. Same names, same order: only the trailing column
-- is new.
--
-- posts_category_id lists a category's posts newest first, with their
-- area: a board of many areas with a category walks it (store.walkByID)
-- instead of merging the areas' indexes, when the areas hold most of the
-- category's posts.
DROP INDEX posts_area_id;
DROP INDEX posts_area_category_id;
CREATE INDEX posts_area_id ON posts(area, id DESC, writer_id);
CREATE INDEX posts_area_category_id ON posts(area, category, id DESC, writer_id);
CREATE INDEX posts_category_id ON posts(category, id DESC, area, writer_id);

-- +goose Down
DROP INDEX posts_category_id;
DROP INDEX posts_area_id;
DROP INDEX posts_area_category_id;
CREATE INDEX posts_area_id ON posts(area, id DESC);
CREATE INDEX posts_area_category_id ON posts(area, category, id DESC);
