package menu

// trait is what makes a dish fit a moment.
type trait uint32

const (
	hotSoup   trait = 1 << iota // 뜨끈한 국물
	stew                        // 든든한 찌개·찜·전골
	cold                        // 차갑고 시원한
	light                       // 가볍고 산뜻한
	heavy                       // 묵직하고 배부른
	lateNight                   // 야식
	breakfast                   // 아침
	lunch                       // 빠른 한 끼
	snack                       // 오후 간식
	sweet                       // 달콤한
	rainy                       // 비 오는 날 생각나는
	shareable                   // 여럿이 나눠 먹는
	spicy                       // 매운
	boyang                      // 보양식
)

func (t trait) has(x trait) bool { return t&x != 0 }

type dish struct {
	name     string
	category string
	traits   trait
}

// catalogue lists dishes that Korean delivery apps actually deliver, each in one
// of the 14 categories. The order is part of the recommender's determinism.
var catalogue = []dish{
	// 족발,보쌈
	{"족발", "족발,보쌈", heavy | lateNight | shareable},
	{"보쌈", "족발,보쌈", heavy | lateNight | shareable},
	{"불족발", "족발,보쌈", heavy | lateNight | shareable | spicy},
	{"냉채족발", "족발,보쌈", cold | lateNight | shareable},
	// 찜,탕,찌개
	{"김치찌개", "찜,탕,찌개", hotSoup | stew | lunch | rainy | spicy},
	{"된장찌개", "찜,탕,찌개", hotSoup | stew | lunch},
	{"부대찌개", "찜,탕,찌개", hotSoup | stew | rainy | shareable | spicy},
	{"순두부찌개", "찜,탕,찌개", hotSoup | stew | lunch | spicy},
	{"감자탕", "찜,탕,찌개", hotSoup | stew | heavy | shareable | lateNight},
	{"닭볶음탕", "찜,탕,찌개", stew | heavy | shareable | spicy},
	{"아귀찜", "찜,탕,찌개", heavy | shareable | spicy},
	{"갈비찜", "찜,탕,찌개", heavy | shareable},
	{"곱창전골", "찜,탕,찌개", hotSoup | stew | shareable | lateNight},
	{"삼계탕", "찜,탕,찌개", hotSoup | boyang},
	{"동태탕", "찜,탕,찌개", hotSoup | stew | rainy | spicy},
	// 돈까스,회,일식
	{"돈까스", "돈까스,회,일식", heavy | lunch},
	{"모둠회", "돈까스,회,일식", cold | light | shareable},
	{"물회", "돈까스,회,일식", cold | light},
	{"모둠초밥", "돈까스,회,일식", light | lunch},
	{"연어덮밥", "돈까스,회,일식", light | lunch},
	{"우동", "돈까스,회,일식", hotSoup | light | rainy},
	{"냉모밀", "돈까스,회,일식", cold | light | lunch},
	{"가츠동", "돈까스,회,일식", heavy | lunch},
	// 피자
	{"페퍼로니 피자", "피자", heavy | shareable | lateNight},
	{"포테이토 피자", "피자", heavy | shareable},
	{"고구마 피자", "피자", heavy | shareable | sweet},
	{"불고기 피자", "피자", heavy | shareable},
	// 고기구이
	{"삼겹살 구이", "고기구이", heavy | shareable},
	{"양념갈비", "고기구이", heavy | shareable},
	{"닭갈비", "고기구이", heavy | shareable | spicy},
	{"곱창구이", "고기구이", heavy | shareable | lateNight},
	{"오리 훈제 구이", "고기구이", shareable | boyang},
	// 양식
	{"크림 파스타", "양식", heavy | lunch},
	{"토마토 파스타", "양식", lunch},
	{"스테이크", "양식", heavy | shareable},
	{"리조또", "양식", lunch},
	{"함박스테이크", "양식", heavy | lunch},
	{"리코타 샐러드", "양식", light | cold},
	// 치킨
	{"후라이드 치킨", "치킨", heavy | lateNight | shareable},
	{"양념치킨", "치킨", heavy | lateNight | shareable | sweet},
	{"간장치킨", "치킨", heavy | lateNight | shareable},
	{"파닭", "치킨", heavy | lateNight | shareable},
	{"닭강정", "치킨", snack | sweet | shareable},
	// 중식
	{"짜장면", "중식", lunch | rainy},
	{"짬뽕", "중식", hotSoup | rainy | spicy | lunch},
	{"탕수육", "중식", heavy | shareable},
	{"마라탕", "중식", hotSoup | spicy},
	{"볶음밥", "중식", lunch},
	{"중국냉면", "중식", cold | lunch},
	{"깐풍기", "중식", heavy | shareable | lateNight},
	// 아시안
	{"쌀국수", "아시안", hotSoup | light | rainy | breakfast},
	{"팟타이", "아시안", lunch},
	{"분짜", "아시안", cold | light | lunch},
	{"나시고렝", "아시안", lunch},
	{"인도 커리", "아시안", heavy | spicy},
	{"반미", "아시안", light | breakfast | lunch},
	{"똠얌꿍", "아시안", hotSoup | spicy | rainy},
	// 백반,죽,국수
	{"전복죽", "백반,죽,국수", breakfast | light | hotSoup | boyang},
	{"야채죽", "백반,죽,국수", breakfast | light},
	{"단호박죽", "백반,죽,국수", breakfast | light | sweet},
	{"순대국밥", "백반,죽,국수", hotSoup | breakfast | lateNight | heavy},
	{"돼지국밥", "백반,죽,국수", hotSoup | breakfast | heavy | rainy},
	{"해장국", "백반,죽,국수", hotSoup | breakfast | lateNight},
	{"칼국수", "백반,죽,국수", hotSoup | rainy | lunch},
	{"수제비", "백반,죽,국수", hotSoup | rainy | lunch},
	{"잔치국수", "백반,죽,국수", light | lunch},
	{"물냉면", "백반,죽,국수", cold | light},
	{"비빔냉면", "백반,죽,국수", cold | spicy},
	{"콩국수", "백반,죽,국수", cold | light | boyang},
	{"막국수", "백반,죽,국수", cold | light},
	{"제육볶음 백반", "백반,죽,국수", heavy | lunch | spicy},
	{"해물파전", "백반,죽,국수", rainy | shareable | lateNight},
	// 도시락
	{"제육 도시락", "도시락", lunch | breakfast},
	{"치킨마요 덮밥", "도시락", lunch | breakfast},
	{"불고기 도시락", "도시락", lunch | breakfast},
	{"샐러드 도시락", "도시락", light | lunch | breakfast},
	// 분식
	{"떡볶이", "분식", snack | lateNight | spicy | shareable},
	{"로제떡볶이", "분식", snack | lateNight | shareable},
	{"김밥", "분식", breakfast | lunch | light | snack},
	{"라볶이", "분식", snack | spicy},
	{"순대", "분식", snack | lateNight},
	{"모둠튀김", "분식", snack | rainy},
	{"김치전", "분식", rainy | snack | shareable},
	{"어묵탕", "분식", hotSoup | rainy | lateNight},
	{"쫄면", "분식", cold | spicy | lunch},
	// 카페,디저트
	{"팥빙수", "카페,디저트", cold | sweet | snack},
	{"조각 케이크", "카페,디저트", sweet | snack},
	{"크로플", "카페,디저트", sweet | snack},
	{"아이스크림", "카페,디저트", cold | sweet | snack | lateNight},
	{"생과일주스", "카페,디저트", cold | light | snack},
	{"베이글", "카페,디저트", breakfast | light},
	{"샌드위치", "카페,디저트", breakfast | light | lunch},
	// 페스트푸드
	{"햄버거 세트", "페스트푸드", heavy | lunch | lateNight},
	{"치킨버거 세트", "페스트푸드", heavy | lunch},
	{"토스트", "페스트푸드", breakfast | snack},
	{"핫도그", "페스트푸드", snack},
	{"타코", "페스트푸드", lunch | snack},
}
