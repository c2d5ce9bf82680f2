package store

import (
	"context"
	"fmt"
	"strings"
)

// JoinedRooms returns which of roomIDs userID is a member of. It is one
// query on room_members' primary key (room_id, user_id): the board asks it
// once per page, for the viewer's "내 주문" marks.
func (s *Store) JoinedRooms(ctx context.Context, userID int64, roomIDs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool)
	if len(roomIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(roomIDs)+1)
	args = append(args, userID)
	for _, id := range roomIDs {
		args = append(args, id)
	}
	rows, err := s.r.QueryContext(ctx, joinedRoomsSQL(len(roomIDs)), args...)
	if err != nil {
		return nil, fmt.Errorf("joined rooms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan joined room: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// joinedRoomsSQL is JoinedRooms' query for n rooms (n > 0).
func joinedRoomsSQL(n int) string {
	return `SELECT room_id FROM room_members WHERE user_id = ? AND room_id IN (?` + strings.Repeat(`, ?`, n-1) + `)`
}
