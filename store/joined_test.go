package store

import (
	"context"
	"strings"
	"testing"
)

// TestJoinedRoomsUsesAnIndex: the board asks JoinedRooms on every view, so
// it must be answered from an index of room_members, never a scan.
func TestJoinedRoomsUsesAnIndex(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := st.r.QueryContext(ctx, `EXPLAIN QUERY PLAN `+joinedRoomsSQL(3), 1, 2, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "; ")
	if !strings.Contains(all, "USING") || strings.Contains(all, "SCAN room_members") {
		t.Errorf("JoinedRooms' plan: %s", all)
	}
	if got, err := st.JoinedRooms(ctx, 1, nil); err != nil || len(got) != 0 {
		t.Errorf("no rooms: %v %v", got, err)
	}
}
