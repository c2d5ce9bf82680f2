package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrTargetBelowMembers is returned when an edit would set target_number
// below the room's current member count.
var ErrTargetBelowMembers = errors.New("store: target below current members")

// UserRef is the public face of a user inside other objects.
type UserRef struct {
	ID       int64
	Username string
	Email    string
	// Deleted: the account was deleted by its owner (DeleteAccount).
	Deleted bool
}

// deletedHash replaces the password hash of a deleted account: it matches
// no password, and it marks the account as deleted (not merely disabled by
// the operator) without a schema change.
const deletedHash = "!deleted-account"

// deletedSQL is the Deleted column of a UserRef of users u.
const deletedSQL = `(u.password_hash = '` + deletedHash + `')`

// Post is a "let's order together" post with its room's state.
type Post struct {
	ID           int64
	Writer       UserRef
	Title        string
	Category     string
	Content      string
	Address      string
	Area         string
	TargetNumber int
	// Closed is the writer's own flag; see Complete.
	Closed     bool
	JoinNumber int
	// Complete is the original service's is_compelete: the post takes no
	// new members (see completeSQL).
	Complete    bool
	RoomID      int64
	RoomDeleted bool
	CreatedAt   time.Time
	// Order is the post's group order, nil when it has none.
	Order *PostOrder
}

// CompleteAt is Complete at a moment: an order whose deadline has passed
// takes no new members even before the scheduler has locked it.
func (p Post) CompleteAt(now time.Time) bool {
	return p.Complete || (p.Order != nil && !p.Order.OrderAt.After(now))
}

// DongCode is the neighbourhood code the post was written in, "" for a
// free-text address.
func (p Post) DongCode() string {
	if strings.HasPrefix(p.Area, "@") {
		return ""
	}
	return p.Area
}

// NewPost holds what CreatePost needs; Address and Area come from the writer.
type NewPost struct {
	WriterID     int64
	Title        string
	Category     string
	Content      string
	Address      string
	Area         string
	TargetNumber int
	// Order, if not nil, gives the post a group order.
	Order *OrderFields
	// MaxOpen, when positive, refuses the post with ErrTooManyOpenPosts if
	// the writer already has that many posts that are not complete.
	MaxOpen int
}

// ErrTooManyOpenPosts: the writer has NewPost.MaxOpen posts still open.
var ErrTooManyOpenPosts = errors.New("store: too many open posts")

// joinNumberSQL counts the members of room r.
const joinNumberSQL = `(SELECT COUNT(*) FROM room_members m WHERE m.room_id = r.id)`

// completeSQL is the one "complete" rule, for post p and its room r: the
// writer closed the post (deleting the room closes it too), the room is
// full, or its group order stopped recruiting (orderClosedSQL). Posts and
// rooms read it as a column; OpenPosts filters on it. An order's deadline
// needs the time: see Post.CompleteAt.
const completeSQL = `(p.closed OR ` + joinNumberSQL + ` >= p.target_number` + orderClosedSQL + `)`

// postSelect reads a post with its room. It has no column for
// completeSQL: written out, that would count the room's members and sum
// the order's items a second time for every row (the board reads ten rows
// a view; issue 11), so scanPost applies the same rule to the columns it
// reads anyway (the member count, the order's state and food total).
const postSelect = `SELECT p.id, u.id, u.username, u.email, p.title, p.category, p.content, p.address, p.area,
	p.target_number, p.closed, p.created_at, r.id, r.deleted_at IS NOT NULL,
	` + joinNumberSQL + `, ` + deletedSQL + postOrderCols + `
	FROM posts p JOIN users u ON u.id = p.writer_id JOIN chat_rooms r ON r.post_id = p.id` + postOrderJoin

// scanPost reads a row of postSelect's columns, after the columns of
// before (ListPage's count).
func scanPost(row interface{ Scan(...any) error }, before ...any) (Post, error) {
	var p Post
	var created string
	var o postOrderScan
	err := row.Scan(append(append(before, &p.ID, &p.Writer.ID, &p.Writer.Username, &p.Writer.Email, &p.Title, &p.Category,
		&p.Content, &p.Address, &p.Area, &p.TargetNumber, &p.Closed, &created, &p.RoomID, &p.RoomDeleted,
		&p.JoinNumber, &p.Writer.Deleted), o.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, ErrNotFound
	}
	if err != nil {
		return Post{}, err
	}
	p.CreatedAt = parseTime(created)
	p.Order = o.order()
	// completeSQL: closed, full, or an order that stopped recruiting (orderClosedSQL).
	p.Complete = p.Closed || p.JoinNumber >= p.TargetNumber || p.Order != nil && p.Order.stoppedRecruiting()
	return p, nil
}

// CreatePost writes the post, its chat room and the writer's membership in
// one transaction.
func (s *Store) CreatePost(ctx context.Context, n NewPost) (Post, error) {
	var p Post
	err := s.tx(ctx, func(tx *wtx) error {
		if n.MaxOpen > 0 { // checked in the write transaction: concurrent writes cannot pass it together
			var open int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts p JOIN chat_rooms r ON r.post_id = p.id
				WHERE p.writer_id = ? AND NOT `+completeSQL, n.WriterID).Scan(&open); err != nil {
				return fmt.Errorf("count open posts: %w", err)
			}
			if open >= n.MaxOpen {
				return ErrTooManyOpenPosts
			}
		}
		now := formatTime(s.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO posts (writer_id, title, category, content, address, area, target_number, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.WriterID, n.Title, n.Category, n.Content, n.Address, n.Area, n.TargetNumber, now)
		if err != nil {
			return fmt.Errorf("insert post: %w", err)
		}
		postID, _ := res.LastInsertId()
		if n.Order != nil {
			if err := insertOrder(ctx, tx, postID, *n.Order); err != nil {
				return err
			}
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO chat_rooms (post_id, created_at) VALUES (?, ?)`, postID, now)
		if err != nil {
			return fmt.Errorf("insert room: %w", err)
		}
		roomID, _ := res.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`,
			roomID, n.WriterID, now); err != nil {
			return fmt.Errorf("insert member: %w", err)
		}
		p, err = scanPost(tx.QueryRowContext(ctx, postSelect+` WHERE p.id = ?`, postID))
		return err
	})
	return p, err
}

// PostByID finds one post.
func (s *Store) PostByID(ctx context.Context, id int64) (Post, error) {
	return scanPost(s.r.QueryRowContext(ctx, postSelect+` WHERE p.id = ?`, id))
}

// PostFilter selects posts for the board.
type PostFilter struct {
	Areas    []string // one or more area keys; empty matches nothing
	Category string   // "" for every category
	// Recruiting keeps only posts that take members at Now: not closed, not
	// full, and without an order or with one still recruiting before its
	// deadline (and not closed by close_on_min).
	Recruiting bool
	Now        time.Time
	Limit      int
	Offset     int

	// ExcludeWriters hides the posts of these writers (the viewer's blocks).
	ExcludeWriters []int64
}

// recruitingCond is the Recruiting filter on the posts row named t.
func recruitingCond(t string) string {
	return strings.ReplaceAll(` AND t.closed = 0
		AND t.target_number > (SELECT COUNT(*) FROM room_members m JOIN chat_rooms r ON r.id = m.room_id WHERE r.post_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.post_id = t.id AND (o.state <> 'recruiting' OR o.order_at <= ?
			OR (o.close_on_min = 1 AND o.min_order <= (SELECT COALESCE(SUM(i.price * i.qty), 0) FROM order_items i WHERE i.post_id = o.post_id))))`,
		"t.", t+".")
}

// postsFrom names the posts table of a board query. A merge of several
// areas with a category is held to the (area, category) index: SQLite
// would otherwise take posts_category_id for the order it gives, which
// walks the category's posts newest first, slow when the areas hold few
// of them.
func (f PostFilter) postsFrom() string {
	if f.Category != "" && len(f.Areas) > 1 {
		return `posts p INDEXED BY posts_area_category_id`
	}
	return `posts p`
}

// where is the board's condition on the posts p that f lists.
func (f PostFilter) where() (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(f.Areas)+1)
	if len(f.Areas) == 1 {
		b.WriteString(` WHERE p.area = ?`)
	} else {
		b.WriteString(` WHERE p.area IN (?` + strings.Repeat(`, ?`, max(len(f.Areas)-1, 0)) + `)`)
	}
	for _, a := range f.Areas {
		args = append(args, a)
	}
	if f.Category != "" {
		b.WriteString(` AND p.category = ?`)
		args = append(args, f.Category)
	}
	mod, modArgs := f.moderationFilter("p.")
	b.WriteString(mod)
	args = append(args, modArgs...)
	if f.Recruiting {
		b.WriteString(recruitingCond("p"))
		args = append(args, formatTime(f.Now))
	}
	return b.String(), args
}

// The board's SQL below serves the boards the index cannot (boardIndex.read):
// recruiting posts, whose state depends on members and orders.

// pageIDs selects the ids of one page, newest first, on the area index
// alone. With several areas SQLite walks each area's index entries newest
// first into a sorter that keeps Offset+Limit rows, and leaves an area as
// soon as its entries are older than the sorter's last (its early-out for
// IN with ORDER BY … LIMIT): the per-area merge without a statement per
// area. A UNION ALL of per-area LIMITs, merged by an outer ORDER BY, did
// the same job 4× slower at 35 areas (issue 11).
func (f PostFilter) pageIDs() (string, []any) {
	return f.pageIDsFrom(boundLimit, f.Offset)
}

// pageIDsFrom is pageIDs from the offset that the SQL expression offset
// gives, with the arguments offsetArgs.
func (f PostFilter) pageIDsFrom(offset string, offsetArgs ...any) (string, []any) {
	where, args := f.where()
	return `SELECT p.id FROM ` + f.postsFrom() + where + ` ORDER BY p.id DESC LIMIT ` + strconv.Itoa(f.Limit) +
		` OFFSET ` + offset, append(args, offsetArgs...)
}

// boundLimit is a LIMIT or OFFSET taken from an argument: an expression,
// so that the statement's text is the same for every page and one
// prepared statement serves them all. Written into the text, the numbers
// made a statement per page, which filled the reader pool's statement
// cache: each prepared statement holds ~50 KB on each reader connection
// (400 pages read from 8 goroutines took the process from 11 to 71 MB;
// 34 MB with one statement for them all).
// Not a bare "?": SQLite reads a bare parameter's value to plan a LIMIT,
// and such a statement ran 10–15 % slower (24.5 against 21.5 µs, one
// page of ids). A page's size stays written in: it is always postsPerPage
// on the board.
const boundLimit = `?+0`

// pageIDsSelect reads a page's ids alone (ListPageIDs).
const pageIDsSelect = `SELECT p.id FROM posts p`

// ListPosts returns a page of posts, newest first.
func (s *Store) ListPosts(ctx context.Context, f PostFilter) ([]Post, error) {
	if len(f.Areas) == 0 {
		return nil, nil
	}
	ids, ok, err := s.indexPosts(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	if ok {
		return s.PostsByIDs(ctx, ids)
	}
	query, args := f.listQuery()
	return s.queryPosts(ctx, "list posts", f.Limit, query, args...)
}

// listQuery is the query ListPosts runs when the index cannot answer. The
// page is picked on the area index first; only its rows are joined.
func (f PostFilter) listQuery() (string, []any) {
	ids, args := f.pageIDs()
	return postSelect + ` WHERE p.id IN (` + ids + `) ORDER BY p.id DESC`, args
}

// ListPostIDs returns the ids of a page of posts, newest first: the board
// renders the posts it has not kept (PostsByIDs) and reuses the others.
func (s *Store) ListPostIDs(ctx context.Context, f PostFilter) ([]int64, error) {
	if len(f.Areas) == 0 {
		return nil, nil
	}
	ids, ok, err := s.indexPosts(ctx, f)
	if err != nil || ok {
		return ids, err
	}
	query, args := f.pageIDs()
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list post ids: %w", err)
	}
	defer rows.Close()
	ids = make([]int64, 0, f.Limit)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan post id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// indexPosts is the ids of f's page (Offset, Limit; all when Limit is
// negative) from the board index; ok is false when it cannot answer.
func (s *Store) indexPosts(ctx context.Context, f PostFilter) (ids []int64, ok bool, err error) {
	countTo := -1
	if f.Limit >= 0 {
		countTo = f.Offset + f.Limit
	}
	ok, err = s.board.read(ctx, s, f, func(l *postLists) { ids, _ = l.walk(f, countTo, false) })
	return ids, ok, err
}

// pageQuery is the query ListPage runs when the index cannot answer: how
// many posts the board has, up to limit (-1: all), counted once
// (MATERIALIZED); and sel (postSelect or pageIDsSelect) of the page's
// posts, or the last page's when Offset is past the count: the page the
// board's paginator (app's newPaginator) shows for a page past the last
// one. The count is known only inside the statement, so the clamp is
// written in SQL. The count and the page are two reads of the index in one
// statement (one snapshot): the count needs no order and stops at limit,
// and the page skips index entries.
func (f PostFilter) pageQuery(limit int, sel string) (string, []any) {
	size := strconv.Itoa(f.Limit)
	offset := `(SELECT MAX(MIN(?, ((n + ` + size + ` - 1) / ` + size + ` - 1) * ` + size + `), 0) FROM counted)`
	count, args := f.countQuery(limit)
	ids, idsArgs := f.pageIDsFrom(offset, f.Offset)
	return `WITH counted(n) AS MATERIALIZED (` + count + `)
	SELECT (SELECT n FROM counted), ` + strings.TrimPrefix(sel, "SELECT ") + ` WHERE p.id IN (` + ids + `)
	ORDER BY p.id DESC`, append(args, idsArgs...)
}

// ListPage returns a page of posts, newest first, and how many posts f
// matches, counted up to atMost when it is positive (as CountPosts): the
// board's page and its paginator. An Offset past the posts gives the last
// page (f.Limit posts a page), as the paginator shows it. The board's
// atMost reaches ten pages past the page; a smaller one is counted as far
// as the page anyway, and only the count it returns is capped. A Limit of
// 0 or less reads nothing.
func (s *Store) ListPage(ctx context.Context, f PostFilter, atMost int) ([]Post, int, error) {
	if len(f.Areas) == 0 || f.Limit <= 0 {
		return nil, 0, nil
	}
	ids, total, ok, err := s.indexPage(ctx, f, atMost)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return listPage(ctx, s, f, atMost, postSelect, scanPost)
	}
	posts, err := s.PostsByIDs(ctx, ids)
	return posts, total, err
}

// ListPageIDs is ListPage with the posts' ids only: the board renders the
// posts it has not kept (PostsByIDs) and reuses the others.
func (s *Store) ListPageIDs(ctx context.Context, f PostFilter, atMost int) ([]int64, int, error) {
	if len(f.Areas) == 0 || f.Limit <= 0 {
		return nil, 0, nil
	}
	ids, total, ok, err := s.indexPage(ctx, f, atMost)
	if err != nil || ok {
		return ids, total, err
	}
	return listPage(ctx, s, f, atMost, pageIDsSelect, scanID)
}

// pageCountTo is how far ListPage counts for atMost: far enough to hold
// the page; -1 (SQLite's "no limit") counts all.
func pageCountTo(f PostFilter, atMost int) int {
	if atMost > 0 {
		return max(atMost, f.Offset+f.Limit)
	}
	return -1
}

// indexPage is ListPage's page and count from the board index; ok is false
// when it cannot answer.
func (s *Store) indexPage(ctx context.Context, f PostFilter, atMost int) (ids []int64, total int, ok bool, err error) {
	ok, err = s.board.read(ctx, s, f, func(l *postLists) { ids, total = l.walk(f, pageCountTo(f, atMost), true) })
	if err != nil {
		return nil, 0, false, fmt.Errorf("list page: %w", err)
	}
	if atMost > 0 {
		total = min(total, atMost)
	}
	return ids, total, ok, nil
}

func scanID(row interface{ Scan(...any) error }, before ...any) (int64, error) {
	var id int64
	return id, row.Scan(append(before, &id)...)
}

// listPage is ListPage in SQL (pageQuery), reading sel of each post with
// scan.
func listPage[T any](ctx context.Context, s *Store, f PostFilter, atMost int, sel string,
	scan func(row interface{ Scan(...any) error }, before ...any) (T, error)) ([]T, int, error) {
	query, args := f.pageQuery(pageCountTo(f, atMost), sel)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list page: %w", err)
	}
	defer rows.Close()
	page := make([]T, 0, f.Limit)
	total := 0 // every row carries the count; no row, no post
	for rows.Next() {
		v, err := scan(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("list page: scan: %w", err)
		}
		page = append(page, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list page: %w", err)
	}
	if atMost > 0 {
		total = min(total, atMost)
	}
	return page, total, nil
}

// queryPosts runs a query of postSelect's columns on the reader pool and
// scans its rows; what names the query in errors.
func (s *Store) queryPosts(ctx context.Context, what string, sizeHint int, query string, args ...any) ([]Post, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := make([]Post, 0, sizeHint)
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: scan post: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// PostsByIDs reads the posts with these ids (a page's worth), newest first;
// an id that no longer exists is left out.
func (s *Store) PostsByIDs(ctx context.Context, ids []int64) ([]Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// One statement text per count of ids: a page has at most ten.
	return s.queryPosts(ctx, "posts by ids", len(ids),
		postSelect+` WHERE p.id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`) ORDER BY p.id DESC`, args...)
}

// countQuery is the query CountPosts runs.
func (f PostFilter) countQuery(atMost int) (string, []any) {
	where, args := f.where()
	limit := ""
	if atMost > 0 {
		limit = ` LIMIT ` + boundLimit
		args = append(args, atMost)
	}
	return `SELECT COUNT(*) FROM (SELECT 1 FROM ` + f.postsFrom() + where + limit + `)`, args
}

// CountPosts counts the posts a filter matches (Limit and Offset ignored),
// stopping at atMost when it is positive: the paginator needs the exact
// count only up to ten pages past the current one.
func (s *Store) CountPosts(ctx context.Context, f PostFilter, atMost int) (int, error) {
	if len(f.Areas) == 0 {
		return 0, nil
	}
	countTo := -1 // all
	if atMost > 0 {
		countTo = atMost
	}
	var n int
	f.Offset, f.Limit = 0, 0
	ok, err := s.board.read(ctx, s, f, func(l *postLists) { _, n = l.walk(f, countTo, false) })
	if err != nil || ok {
		return n, err
	}
	query, args := f.countQuery(atMost)
	if err := s.r.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count posts: %w", err)
	}
	return n, nil
}

// OpenPosts returns the newest posts (at most limit) in areas that still take
// members: not complete, room not deleted (the menu recommender attaches
// them to its suggestions).
func (s *Store) OpenPosts(ctx context.Context, areas []string, limit int) ([]Post, error) {
	if len(areas) == 0 || limit <= 0 {
		return nil, nil
	}
	where, args := PostFilter{Areas: areas}.where()
	args = append(args, limit)
	return s.queryPosts(ctx, "open posts", limit, postSelect+where+` AND NOT `+completeSQL+` AND r.deleted_at IS NULL
		ORDER BY p.id DESC LIMIT ?`, args...)
}

// PostUpdate changes the non-nil fields.
type PostUpdate struct {
	Title        *string
	Category     *string
	Content      *string
	TargetNumber *int
	Closed       *bool
	// Order edits the order fields of a post that has an order (only while
	// it is recruiting: ErrOrderFrozen otherwise). NewOrder gives a post
	// without an order one; on a post with an order it is ErrOrderExists.
	Order    OrderFieldsUpdate
	NewOrder *OrderFields
}

// ErrOrderExists: an edit tried to create an order on a post that has one.
var ErrOrderExists = errors.New("store: the post already has an order")

// PostEdit is the outcome of an edit: the post after it and, when order
// fields changed, the system message written into its room.
type PostEdit struct {
	Post   Post
	Notice *Message
}

// UpdatePost applies a partial edit. A target below the current member count
// is ErrTargetBelowMembers and changes nothing.
func (s *Store) UpdatePost(ctx context.Context, id int64, up PostUpdate) (Post, error) {
	e, err := s.EditPost(ctx, id, up)
	return e.Post, err
}

// EditPost is UpdatePost that also reports the order notice.
func (s *Store) EditPost(ctx context.Context, id int64, up PostUpdate) (PostEdit, error) {
	var out PostEdit
	err := s.tx(ctx, func(tx *wtx) error {
		cur, err := scanPost(tx.QueryRowContext(ctx, postSelect+` WHERE p.id = ?`, id))
		if err != nil {
			return err
		}
		if up.TargetNumber != nil && *up.TargetNumber < cur.JoinNumber {
			return ErrTargetBelowMembers
		}
		switch {
		case up.NewOrder != nil && cur.Order != nil:
			return ErrOrderExists
		case up.NewOrder != nil:
			err = insertOrder(ctx, tx, id, *up.NewOrder)
		case !up.Order.Empty() && cur.Order == nil:
			err = ErrNoOrder
		case !up.Order.Empty():
			err = updateOrderFields(ctx, tx, id, up.Order)
		}
		if err != nil {
			return err
		}
		if (up.NewOrder != nil || !up.Order.Empty()) && !cur.RoomDeleted {
			m, err := s.insertSystemMessage(ctx, tx, cur.RoomID, noticeEdited)
			if err != nil {
				return err
			}
			out.Notice = &m
		}
		set := func(col string, v any) error {
			_, err := tx.ExecContext(ctx, `UPDATE posts SET `+col+` = ? WHERE id = ?`, v, id)
			return err
		}
		var errs []error
		if up.Title != nil {
			errs = append(errs, set("title", *up.Title))
		}
		if up.Category != nil {
			errs = append(errs, set("category", *up.Category))
		}
		if up.Content != nil {
			errs = append(errs, set("content", *up.Content))
		}
		if up.TargetNumber != nil {
			errs = append(errs, set("target_number", *up.TargetNumber))
		}
		if up.Closed != nil {
			// A deleted room keeps its post closed for good.
			errs = append(errs, set("closed", boolInt(*up.Closed || cur.RoomDeleted)))
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("update post: %w", err)
		}
		out.Post, err = scanPost(tx.QueryRowContext(ctx, postSelect+` WHERE p.id = ?`, id))
		return err
	})
	return out, err
}

// DeletePost removes a post with its room, members and messages.
func (s *Store) DeletePost(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete post: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// IsMember reports whether the user is a member of the room.
func (s *Store) IsMember(ctx context.Context, roomID, userID int64) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM room_members WHERE room_id = ? AND user_id = ?`, roomID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is member: %w", err)
	}
	return n > 0, nil
}
