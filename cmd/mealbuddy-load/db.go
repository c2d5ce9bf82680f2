package main

// Setup goes around the API (see the package comment): the driver writes
// users, posts, rooms and memberships straight into the server's SQLite
// file with plain SQL on the tables every release since the first
// migration has had, so that the same driver can set up a data folder for
// an older binary too (the store package would migrate the file to its own
// schema first, which an older server then refuses).

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the server's driver

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/internal/token"
)

// centerDong is the neighbourhood the board and mixed workloads read; the
// seed spreads posts over the dongs within range 2 of it.
const centerDong = "서울특별시 종로구 사직동"

// noLogin is not a valid argon2id hash: no one can log in as a load user
// made without a password.
const noLogin = "!load-test-user"

// loadDB is the server's database file, opened beside the running server.
type loadDB struct {
	db     *sql.DB
	secret []byte
	run    string // names this run's users apart from earlier runs'
	now    time.Time
}

func openDB(data string, secret []byte) (*loadDB, error) {
	path, err := filepath.Abs(filepath.Join(data, "mealbuddy.db"))
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'posts'`).Scan(&n); err != nil || n == 0 {
		db.Close()
		return nil, fmt.Errorf("%s: no posts table (start the server once with --data %s): %v", path, data, err)
	}
	return &loadDB{db: db, secret: secret, run: strconv.FormatInt(time.Now().UnixNano()%1e9, 36), now: time.Now()}, nil
}

func (l *loadDB) Close() error { return l.db.Close() }

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// user is one load user and its API token.
type user struct {
	id    int64
	email string
	token string
}

// createUsers inserts n users living in dong d (hash "" means noLogin) in
// one transaction, each with a fresh token.
func (l *loadDB) createUsers(ctx context.Context, prefix string, n int, d neighborhood.Dong, hash string) ([]user, error) {
	if hash == "" {
		hash = noLogin
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO users (email, email_key, username, password_hash, address, dong_code, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := make([]user, 0, n)
	for i := range n {
		name := fmt.Sprintf("%s%s%d", prefix, l.run, i)
		email := name + "@load.invalid"
		res, err := st.ExecContext(ctx, email, email, name, hash, d.Name, d.Code, ts(l.now))
		if err != nil {
			return nil, fmt.Errorf("insert user: %w", err)
		}
		id, _ := res.LastInsertId()
		tok, err := token.Issue(l.secret, id, 1, l.now)
		if err != nil {
			return nil, err
		}
		out = append(out, user{id: id, email: email, token: tok})
	}
	return out, tx.Commit()
}

// postRow is one post to insert with its room and members (members[0] is
// the writer).
type postRow struct {
	title, category string
	dong            neighborhood.Dong
	target          int
	members         []int64
}

// insertPosts writes posts, their rooms and memberships in one transaction
// and returns the room ids (a room's id is not its post's).
func (l *loadDB) insertPosts(ctx context.Context, rows []postRow) ([]int64, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	insPost, err := tx.PrepareContext(ctx, `INSERT INTO posts (writer_id, title, category, content, address, area, target_number, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer insPost.Close()
	insRoom, err := tx.PrepareContext(ctx, `INSERT INTO chat_rooms (post_id, created_at) VALUES (?, ?)`)
	if err != nil {
		return nil, err
	}
	defer insRoom.Close()
	insMember, err := tx.PrepareContext(ctx, `INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer insMember.Close()
	rooms := make([]int64, 0, len(rows))
	now := ts(l.now)
	for _, r := range rows {
		res, err := insPost.ExecContext(ctx, r.members[0], r.title, r.category, "부하 시험 글입니다. 같이 시켜요.",
			r.dong.Name, r.dong.Code, r.target, now)
		if err != nil {
			return nil, fmt.Errorf("insert post: %w", err)
		}
		postID, _ := res.LastInsertId()
		res, err = insRoom.ExecContext(ctx, postID, now)
		if err != nil {
			return nil, fmt.Errorf("insert room: %w", err)
		}
		roomID, _ := res.LastInsertId()
		for _, m := range r.members {
			if _, err := insMember.ExecContext(ctx, roomID, m, now); err != nil {
				return nil, fmt.Errorf("insert member: %w", err)
			}
		}
		rooms = append(rooms, roomID)
	}
	return rooms, tx.Commit()
}

// block makes each blocker block target: a viewer whose blocks hide a
// post on the board (target has one there) is served every board page
// from the database, past the shared page cache, which measures an
// uncached board on a binary without --no-board-cache.
func (l *loadDB) block(ctx context.Context, blockers []user, target int64) error {
	for _, b := range blockers {
		if _, err := l.db.ExecContext(ctx, `INSERT OR IGNORE INTO user_blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)`,
			b.id, target, ts(l.now)); err != nil {
			return fmt.Errorf("block: %w", err)
		}
	}
	return nil
}

// area is the center dong and the dongs within range 2 of it.
type area struct {
	center neighborhood.Dong
	near   []neighborhood.Dong // within range 2, center first
}

func centerArea() (area, error) {
	ix := neighborhood.Default()
	c, ok := ix.Resolve(centerDong)
	if !ok {
		return area{}, fmt.Errorf("%s: not in the dataset", centerDong)
	}
	a := area{center: c}
	for _, n := range ix.Within(c.Code, 2) {
		a.near = append(a.near, n.Dong)
	}
	return a, nil
}

// seed fills the board: posts over the dongs within range 2 of the center,
// a share of them in the center itself (so that range 0 reaches page 50
// too), each with a room, its writer and sometimes company. Target numbers
// are high so that joins rarely find a full room.
func seed(ctx context.Context, l *loadDB, posts int) error {
	a, err := centerArea()
	if err != nil {
		return err
	}
	// Writers: 4 per dong.
	writers := map[string][]user{}
	for _, d := range a.near {
		us, err := l.createUsers(ctx, "seed-"+d.Code+"-", 4, d, "")
		if err != nil {
			return err
		}
		writers[d.Code] = us
	}
	rng := rand.New(rand.NewPCG(11, 7))
	words := []string{"같이", "시켜요", "배달비", "나눠요", "오늘", "저녁", "점심", "야식", "최소주문", "맞춰요"}
	rows := make([]postRow, 0, 1000)
	flush := func() error {
		_, err := l.insertPosts(ctx, rows)
		rows = rows[:0]
		return err
	}
	for i := range posts {
		d := a.center
		if rng.IntN(100) >= 40 { // 40 % in the center, the rest around it
			d = a.near[rng.IntN(len(a.near))]
		}
		ws := writers[d.Code]
		w := ws[rng.IntN(len(ws))]
		members := []int64{w.id}
		if i%3 == 0 {
			if o := ws[rng.IntN(len(ws))]; o.id != w.id {
				members = append(members, o.id)
			}
		}
		rows = append(rows, postRow{
			title:    fmt.Sprintf("%s %s #%d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], i),
			category: menu.Categories[rng.IntN(len(menu.Categories))],
			dong:     d, target: 8 + rng.IntN(3), members: members,
		})
		if len(rows) == cap(rows) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Printf("seeded %d posts over %d dongs around %s (%s)\n", posts, len(a.near), a.center.Name, a.center.Code)
	return nil
}

// centerPosts lists up to n open posts of the center dong, newest first,
// with their rooms: what viewers open and join.
func (l *loadDB) centerPosts(ctx context.Context, code string, n int) (posts, rooms []int64, err error) {
	rows, err := l.db.QueryContext(ctx, `SELECT p.id, r.id FROM posts p JOIN chat_rooms r ON r.post_id = p.id
		WHERE p.area = ? AND p.closed = 0 AND r.deleted_at IS NULL AND p.target_number >= 8 ORDER BY p.id DESC LIMIT ?`, code, n)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, r int64
		if err := rows.Scan(&p, &r); err != nil {
			return nil, nil, err
		}
		posts, rooms = append(posts, p), append(rooms, r)
	}
	if len(posts) == 0 && rows.Err() == nil {
		return nil, nil, fmt.Errorf("no posts in %s: run --mode seed first", code)
	}
	return posts, rooms, rows.Err()
}

// chatRooms creates rooms × members users with one post per room in the
// center dong and every member joined.
func (l *loadDB) chatRooms(ctx context.Context, rooms, members int) ([]room, error) {
	a, err := centerArea()
	if err != nil {
		return nil, err
	}
	const perTx = 500
	out := make([]room, 0, rooms)
	for start := 0; start < rooms; start += perTx {
		n := min(perTx, rooms-start)
		us, err := l.createUsers(ctx, fmt.Sprintf("chat-%d-", start), n*members, a.center, "")
		if err != nil {
			return nil, err
		}
		rows := make([]postRow, n)
		for i := range rows {
			ids := make([]int64, members)
			for m := range ids {
				ids[m] = us[i*members+m].id
			}
			rows[i] = postRow{title: "부하 시험 " + l.run, category: "치킨", dong: a.center, target: members, members: ids}
		}
		ids, err := l.insertPosts(ctx, rows)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			r := room{id: id}
			for m := range members {
				r.tokens = append(r.tokens, us[i*members+m].token)
			}
			out = append(out, r)
		}
	}
	return out, nil
}
