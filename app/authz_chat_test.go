package app

// chatAuthorizationRoutes are the chat rows of TestAuthorization. Each row
// runs on a fresh room whose only member is its writer; staff may delete a
// room but not read it, and only the writer may ban.
func chatAuthorizationRoutes(otherID int64) []authRoute {
	banOther := func() any { return map[string]any{"target_user_id": otherID} }
	return []authRoute{
		{"GET", "/api/chat/{room}/", nil, map[string]int{"other": 403, "writer": 200, "staff": 403, "web": 200}},
		{"POST", "/api/chat/{room}/", nil, map[string]int{"other": 200, "writer": 200, "staff": 200, "web": 200}},
		{"DELETE", "/api/chat/{room}/", nil, map[string]int{"other": 403, "writer": 202, "staff": 202, "web": 202}},
		{"GET", "/api/chat/{room}/user/", nil, map[string]int{"other": 403, "writer": 200, "staff": 403, "web": 200}},
		// The writer cannot leave their own room.
		{"DELETE", "/api/chat/{room}/user/", nil, map[string]int{"other": 403, "writer": 400, "staff": 403, "web": 400}},
		// Banning a non-member keeps them out before they ever join.
		{"POST", "/api/chat/{room}/user/ban/", banOther, map[string]int{"other": 403, "writer": 202, "staff": 403, "web": 202}},
		{"GET", "/api/openAPI/foodchoicer/?lat=37.576&lon=126.969", nil, map[string]int{"other": 200, "writer": 200, "staff": 200, "web": 200}},
		{"DELETE", "/api/openAPI/foodchoicer/", nil, map[string]int{"other": 200, "writer": 200, "staff": 200, "web": 200}},
		{"POST", "/api/openAPI/foodchoicer/", func() any { return map[string]any{} }, map[string]int{"other": 400, "writer": 400, "staff": 400, "web": 400}},
	}
}
