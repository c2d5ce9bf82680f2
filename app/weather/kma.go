package weather

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/seoul"
)

// DefaultKMAURL is the base URL of the KMA short-term forecast service.
const DefaultKMAURL = "https://apis.data.go.kr/1360000/VilageFcstInfoService_2.0"

// maxBody bounds what we read from an upstream: 1000 forecast rows are ~150 KB.
const maxBody = 2 << 20

type kma struct {
	base   string
	key    string
	client *http.Client
	now    func() time.Time
}

// NewKMA returns a Provider backed by the KMA's getVilageFcst operation.
// baseURL defaults to DefaultKMAURL, client to DefaultClient() and now to
// time.Now. serviceKey may be given as data.go.kr shows it either "decoded" or
// already URL-encoded (containing %2B, %3D…); it is never double-encoded, and
// never appears in an error.
func NewKMA(baseURL, serviceKey string, client *http.Client, now func() time.Time) Provider {
	if baseURL == "" {
		baseURL = DefaultKMAURL
	}
	if client == nil {
		client = DefaultClient()
	}
	if now == nil {
		now = time.Now
	}
	return &kma{base: strings.TrimRight(baseURL, "/"), key: serviceKey, client: client, now: now}
}

// kmaItem is one row of a getVilageFcst answer. nx and ny are numbers; every
// value is a string.
type kmaItem struct {
	BaseDate  string `json:"baseDate"`
	BaseTime  string `json:"baseTime"`
	Category  string `json:"category"`
	FcstDate  string `json:"fcstDate"`
	FcstTime  string `json:"fcstTime"`
	FcstValue string `json:"fcstValue"`
	Nx        int    `json:"nx"`
	Ny        int    `json:"ny"`
}

type kmaEnvelope struct {
	Response *struct {
		Header struct {
			ResultCode string `json:"resultCode"`
			ResultMsg  string `json:"resultMsg"`
		} `json:"header"`
		// Body stays raw: with an error code it may be absent, and on NO_DATA the
		// service has been seen answering "items": "".
		Body json.RawMessage `json:"body"`
	} `json:"response"`
}

type kmaBody struct {
	Items struct {
		Item []kmaItem `json:"item"`
	} `json:"items"`
}

// kmaXMLError is the envelope the gateway answers with on key, quota and
// parameter errors, whatever dataType was asked for and usually with status 200.
type kmaXMLError struct {
	XMLName xml.Name `xml:"OpenAPI_ServiceResponse"`
	Header  struct {
		ErrMsg     string `xml:"errMsg"`
		AuthMsg    string `xml:"returnAuthMsg"`
		ReasonCode string `xml:"returnReasonCode"`
	} `xml:"cmmMsgHeader"`
}

func (k *kma) Current(ctx context.Context, lat, lon float64) (Report, error) {
	now := k.now()
	nx, ny := Grid(lat, lon)
	baseDate, baseTime := BaseTime(now)

	q := url.Values{}
	q.Set("pageNo", "1")
	q.Set("numOfRows", "1000")
	q.Set("dataType", "JSON")
	q.Set("base_date", baseDate)
	q.Set("base_time", baseTime)
	q.Set("nx", strconv.Itoa(nx))
	q.Set("ny", strconv.Itoa(ny))
	key := k.key
	if !strings.Contains(key, "%") {
		key = url.QueryEscape(key)
	}
	u := k.base + "/getVilageFcst?serviceKey=" + key + "&" + q.Encode()

	body, err := k.get(ctx, u)
	if err != nil {
		return Report{}, err
	}
	items, err := k.parse(body)
	if err != nil {
		return Report{}, err
	}
	r, err := fromKMA(items, now)
	if err != nil {
		return Report{}, unavailable("kma: "+err.Error(), nil, k.key)
	}
	return r, nil
}

func (k *kma) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable("kma: build request", err, k.key)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, unavailable("kma: request", err, k.key)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, unavailable("kma: read body", err, k.key)
	}
	if xe, ok := parseKMAXMLError(body); ok {
		return nil, unavailable(fmt.Sprintf("kma: status %d: %s (%s, reason %s)",
			resp.StatusCode, xe.Header.ErrMsg, xe.Header.AuthMsg, xe.Header.ReasonCode), nil, k.key)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, unavailable(fmt.Sprintf("kma: status %d", resp.StatusCode), nil, k.key)
	}
	return body, nil
}

func parseKMAXMLError(body []byte) (kmaXMLError, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '<' {
		return kmaXMLError{}, false
	}
	var xe kmaXMLError
	if err := xml.Unmarshal(b, &xe); err != nil {
		xe.Header.ErrMsg = "unparsable XML answer"
	}
	return xe, true
}

func (k *kma) parse(body []byte) ([]kmaItem, error) {
	var env kmaEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, unavailable("kma: decode answer", err, k.key)
	}
	if env.Response == nil {
		return nil, unavailable("kma: answer without response", nil, k.key)
	}
	h := env.Response.Header
	if h.ResultCode != "00" {
		return nil, unavailable(fmt.Sprintf("kma: result %s %s", h.ResultCode, h.ResultMsg), nil, k.key)
	}
	var b kmaBody
	if err := json.Unmarshal(env.Response.Body, &b); err != nil {
		return nil, unavailable("kma: decode body", err, k.key)
	}
	if len(b.Items.Item) == 0 {
		return nil, unavailable("kma: no forecast items", nil, k.key)
	}
	return b.Items.Item, nil
}

// fromKMA picks the forecast slot for the current hour (the first slot at or
// after now's hour; the last one if all are past) and maps its categories.
func fromKMA(items []kmaItem, now time.Time) (Report, error) {
	slots := map[string]map[string]string{}
	for _, it := range items {
		if len(it.FcstDate) != 8 || len(it.FcstTime) != 4 {
			continue
		}
		s := it.FcstDate + it.FcstTime
		if slots[s] == nil {
			slots[s] = map[string]string{}
		}
		slots[s][it.Category] = strings.TrimSpace(it.FcstValue)
	}
	keys := make([]string, 0, len(slots))
	for s, cats := range slots {
		if _, ok := cats["TMP"]; ok { // TMN/TMX-only rows are not a full slot
			keys = append(keys, s)
		}
	}
	if len(keys) == 0 {
		return Report{}, fmt.Errorf("no slot with a temperature")
	}
	sort.Strings(keys) // yyyymmddhhmm sorts chronologically
	want := now.In(seoul.Zone).Truncate(time.Hour).Format("200601021504")
	pick := keys[len(keys)-1]
	for _, s := range keys {
		if s >= want {
			pick = s
			break
		}
	}
	cats := slots[pick]
	at, err := time.ParseInLocation("200601021504", pick, seoul.Zone)
	if err != nil {
		return Report{}, fmt.Errorf("slot time %q: %w", pick, err)
	}
	r := Report{Provider: "kma", Time: at.UTC()}
	if r.TemperatureC, err = strconv.ParseFloat(cats["TMP"], 64); err != nil {
		return Report{}, fmt.Errorf("TMP %q: not a number", cats["TMP"])
	}
	r.HumidityPct = parseOr0(cats["REH"])
	r.WindMS = parseOr0(cats["WSD"])
	switch cats["SKY"] {
	case "1":
		r.Sky = SkyClear
	case "2", "3": // 2 (구름조금) is no longer issued; it is closest to 구름많음
		r.Sky = SkyCloudy
	case "4":
		r.Sky = SkyOvercast
	}
	switch cats["PTY"] {
	case "1", "5": // 5..7 are the nowcast's 빗방울/빗방울눈날림/눈날림
		r.Precipitation = PrecipRain
	case "2", "6":
		r.Precipitation = PrecipRainSnow
	case "3", "7":
		r.Precipitation = PrecipSnow
	case "4":
		r.Precipitation = PrecipShower
	default:
		r.Precipitation = PrecipNone
	}
	r.PrecipitationText = cats["PCP"]
	if r.PrecipitationText == "" {
		r.PrecipitationText = precipNoneText
	}
	r.PrecipitationMM = pcpMM(r.PrecipitationText)
	return r, nil
}

func parseOr0(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return v
}

// pcpMM reads the KMA's PCP text: "강수없음" → 0, "1mm 미만" → 0.5,
// "1.0mm" or "1.0" → 1, "30.0~50.0mm" → 30, "50.0mm 이상" → 50.
func pcpMM(s string) float64 {
	if strings.Contains(s, "없음") {
		return 0
	}
	if strings.Contains(s, "미만") {
		return 0.5
	}
	end := 0
	for end < len(s) && (s[end] == '.' || s[end] >= '0' && s[end] <= '9') {
		end++
	}
	return parseOr0(s[:end])
}
