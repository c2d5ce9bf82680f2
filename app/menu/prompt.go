package menu

import (
	"fmt"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/app/weather"
	"github.com/mealbuddy/mealbuddy/internal/seoul"
)

// SystemPrompt is the first message of every menu conversation.
func SystemPrompt() string {
	return "당신은 동네 배달 공동주문 커뮤니티 밀버디(MealBuddy)의 메뉴 추천 도우미입니다. " +
		"사용자가 무엇을 먹을지 고민하면 지금 날씨와 시간, 사용자의 요청을 고려해 배달로 주문할 수 있는 메뉴 5가지를 추천하세요. " +
		"각 메뉴는 다음 14개 카테고리 중 하나에 속해야 하며, 메뉴 이름 옆에 카테고리를 괄호로 적으세요: " +
		strings.Join(Categories, " / ") + ". " +
		"메뉴마다 추천 이유를 한 문장으로 덧붙이고, 전체 답변은 짧고 친근한 한국어로 작성하세요. " +
		"음식이나 메뉴와 관계없는 질문에는 메뉴 추천을 도와드릴 수 있다고 정중히 안내하세요."
}

// ContextMessage describes the moment for the model: the date and time in
// Asia/Seoul and, when known, the weather.
func ContextMessage(now time.Time, w *weather.Report) string {
	t := now.In(seoul.Zone)
	ampm, h := "오전", t.Hour()
	if h >= 12 {
		ampm = "오후"
	}
	if h%12 == 0 {
		h = 12
	} else {
		h %= 12
	}
	weekday := [...]string{"일", "월", "화", "수", "목", "금", "토"}[t.Weekday()]
	var b strings.Builder
	fmt.Fprintf(&b, "현재 시각은 %d년 %d월 %d일 %s요일 %s %d시 %d분(한국 시간)입니다.",
		t.Year(), int(t.Month()), t.Day(), weekday, ampm, h, t.Minute())
	if w == nil {
		b.WriteString(" 날씨 정보는 없습니다.")
		return b.String()
	}
	f := w.Flat()
	fmt.Fprintf(&b, " 현재 날씨는 %s, 강수형태 %s, 강수량 %s, 기온 %s, 습도 %s, 풍속 %s입니다.",
		f["날씨"], f["강수형태"], f["강수량"], f["기온"], f["습도"], f["풍속"])
	return b.String()
}
