// Command filldb fills a freshly migrated MealBuddy data folder with a large
// board and chat history, fast, for measurements (scripts/backup-measure.sh,
// scripts/cold-start.sh): by default 100,000 posts and 1,000,000 messages.
//
//	mealbuddy migrate up --data /tmp/mb      # the schema of the binary under test
//	go run ./scripts/filldb --data /tmp/mb --posts 100000 --messages 1000000
//
// It writes plain rows with bulk INSERTs in large transactions on its own
// connection (synchronous off, foreign keys off: the rows are consistent by
// construction), not through the store's API, which would spend one
// transaction per post. Only the columns of the first migration are written
// (later migrations add columns with defaults), so the file also suits an
// older binary that created the schema. Users get a placeholder password
// hash that no login accepts. It refuses a database that already has users
// or posts, and never runs while a server uses the folder on purpose: run it
// before serve.
package main

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/neighborhood"
)

type options struct {
	data     string
	posts    int
	messages int
	users    int
	center   string
	rng      int
	seed     uint64
}

func main() {
	var o options
	flag.StringVar(&o.data, "data", "./mealbuddy-data", "data folder whose mealbuddy.db is already migrated (mealbuddy migrate up)")
	flag.IntVar(&o.posts, "posts", 100_000, "posts to write (each with its room and 1–4 members)")
	flag.IntVar(&o.messages, "messages", 1_000_000, "chat messages to write, spread over the rooms")
	flag.IntVar(&o.users, "users", 0, "residents to create (default posts/20, at least 10)")
	flag.StringVar(&o.center, "center", "서울특별시 종로구 사직동", "the 행정동 the residents live around")
	flag.IntVar(&o.rng, "range", 2, "residents live in the 행정동 within this board range of the center (0, 1, 2)")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed (the same seed writes the same rows)")
	flag.Parse()
	if o.users == 0 {
		o.users = max(10, o.posts/20)
	}
	start := time.Now()
	if err := fill(o); err != nil {
		fmt.Fprintln(os.Stderr, "filldb:", err)
		os.Exit(1)
	}
	fmt.Printf("filldb: %d users, %d posts, %d messages in %s\n", o.users, o.posts, o.messages, time.Since(start).Round(time.Millisecond))
}

// rowsPerTx bounds a transaction, so that the WAL stays far below the
// database's size while filling.
const rowsPerTx = 100_000

func fill(o options) error {
	if o.posts < 1 || o.users < 1 || o.messages < 0 {
		return errors.New("--posts and --users must be at least 1, --messages at least 0")
	}
	ix := neighborhood.Default()
	center, ok := ix.Resolve(o.center)
	if !ok {
		return fmt.Errorf("no 행정동 matches %q", o.center)
	}
	dongs := []neighborhood.Dong{center}
	for _, n := range ix.Within(center.Code, o.rng) {
		if n.Dong.Code != center.Code {
			dongs = append(dongs, n.Dong)
		}
	}
	path := filepath.Join(o.data, "mealbuddy.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w (run `mealbuddy migrate up --data %s` first)", err, o.data)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM posts)`).Scan(&n); err != nil {
		return fmt.Errorf("%w (is %s migrated?)", err, path)
	}
	if n > 0 {
		return fmt.Errorf("%s already has users or posts; filldb fills an empty, migrated database", path)
	}

	b, err := newBulk(db)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(o.seed, 7))
	now := time.Now().UTC()
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
	const noLogin = "!filldb-user" // not an argon2id hash: no one logs in as these users

	homes := make([]neighborhood.Dong, o.users+1)
	for id := 1; id <= o.users; id++ {
		d := dongs[(id-1)%len(dongs)]
		homes[id] = d
		name := fmt.Sprintf("fill%06d", id)
		if err := b.exec(`INSERT INTO users (id, email, email_key, username, password_hash, address, dong_code, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, name+"@fill.invalid", name+"@fill.invalid", name, noLogin, d.Name, d.Code,
			ts(now.Add(-60*24*time.Hour))); err != nil {
			return err
		}
	}

	words := []string{"같이", "시켜요", "배달비", "나눠요", "오늘", "저녁", "점심", "야식", "먹을", "분", "구해요", "최소주문", "맞춰요", "근처", "사시는", "치킨", "피자", "떡볶이", "정문", "픽업"}
	text := func(min, spread int) string {
		var sb strings.Builder
		for k := min + r.IntN(spread); k > 0; k-- {
			sb.WriteString(words[r.IntN(len(words))])
			sb.WriteByte(' ')
		}
		return strings.TrimSpace(sb.String())
	}
	// The posts span the last 30 days; members are the writer and, for one
	// post in two, 1–3 neighbours.
	members := make([][]int, o.posts+1)
	span := 30 * 24 * time.Hour
	for id := 1; id <= o.posts; id++ {
		writer := 1 + r.IntN(o.users)
		d := homes[writer]
		created := now.Add(-span + time.Duration(id)*span/time.Duration(o.posts+1))
		target := 2 + r.IntN(9)
		closed := 0
		if r.IntN(20) == 0 {
			closed = 1
		}
		title := fmt.Sprintf("%s %s #%d", words[r.IntN(len(words))], words[r.IntN(len(words))], id)
		cat := menu.Categories[r.IntN(len(menu.Categories))]
		if err := b.exec(`INSERT INTO posts (id, writer_id, title, category, content, address, area, target_number, closed, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, writer, title, cat, text(4, 30), d.Name, d.Code, target, closed, ts(created)); err != nil {
			return err
		}
		if err := b.exec(`INSERT INTO chat_rooms (id, post_id, created_at) VALUES (?, ?, ?)`, id, id, ts(created)); err != nil {
			return err
		}
		ms := []int{writer}
		if id%2 == 0 {
			for k := 1 + r.IntN(min(3, target-1)); k > 0; k-- {
				m := 1 + r.IntN(o.users)
				if !contains(ms, m) {
					ms = append(ms, m)
				}
			}
		}
		for _, m := range ms {
			if err := b.exec(`INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`, id, m, ts(created)); err != nil {
				return err
			}
		}
		members[id] = ms
	}
	// Messages: room by room, in id order within each room, each a minute
	// after the last, from the room's members.
	for i := range o.messages {
		room := 1 + int(int64(i)*int64(o.posts)/int64(max(o.messages, 1)))
		ms := members[room]
		created := now.Add(-span + time.Duration(room)*span/time.Duration(o.posts+1) + time.Duration(i%1000)*time.Minute)
		if err := b.exec(`INSERT INTO messages (room_id, user_id, body, created_at) VALUES (?, ?, ?, ?)`,
			room, ms[i%len(ms)], text(2, 12), ts(created)); err != nil {
			return err
		}
	}
	if err := b.commit(); err != nil {
		return err
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// bulk runs inserts with prepared statements inside transactions of
// rowsPerTx rows.
type bulk struct {
	db    *sql.DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  int
}

func newBulk(db *sql.DB) (*bulk, error) {
	b := &bulk{db: db}
	return b, b.begin()
}

func (b *bulk) begin() error {
	tx, err := b.db.Begin()
	if err != nil {
		return err
	}
	b.tx, b.stmts, b.rows = tx, map[string]*sql.Stmt{}, 0
	return nil
}

func (b *bulk) exec(q string, args ...any) error {
	st, ok := b.stmts[q]
	if !ok {
		var err error
		if st, err = b.tx.Prepare(q); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		b.stmts[q] = st
	}
	if _, err := st.Exec(args...); err != nil {
		return fmt.Errorf("%s: %w", strings.Fields(q)[2], err)
	}
	b.rows++
	if b.rows >= rowsPerTx {
		if err := b.commit(); err != nil {
			return err
		}
		return b.begin()
	}
	return nil
}

func (b *bulk) commit() error {
	for _, st := range b.stmts {
		st.Close()
	}
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
