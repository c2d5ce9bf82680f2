/** The 14 categories exactly as the server spells them. */
export const CATEGORIES = [
  '족발,보쌈',
  '찜,탕,찌개',
  '돈까스,회,일식',
  '피자',
  '고기구이',
  '양식',
  '치킨',
  '중식',
  '아시안',
  '백반,죽,국수',
  '도시락',
  '분식',
  '카페,디저트',
  '페스트푸드',
] as const;

export type Category = (typeof CATEGORIES)[number];

/**
 * How a category is shown. The API keeps the original service's values
 * (commas, and the misspelt "페스트푸드"); people read 족발·보쌈 and 패스트푸드.
 * Only the text on screen changes: filters and forms still send the value.
 */
export const CATEGORY_LABELS: Record<Category, string> = {
  '족발,보쌈': '족발·보쌈',
  '찜,탕,찌개': '찜·탕·찌개',
  '돈까스,회,일식': '돈까스·회·일식',
  피자: '피자',
  고기구이: '고기구이',
  양식: '양식',
  치킨: '치킨',
  중식: '중식',
  아시안: '아시안',
  '백반,죽,국수': '백반·죽·국수',
  도시락: '도시락',
  분식: '분식',
  '카페,디저트': '카페·디저트',
  페스트푸드: '패스트푸드',
};

/** The display label of a category value; an unknown value is shown as it is, commas as middle dots. */
export function categoryLabel(value: string): string {
  return Object.hasOwn(CATEGORY_LABELS, value) ? CATEGORY_LABELS[value as Category] : value.replaceAll(',', '·');
}

export const RANGES = [
  { value: 0, label: '우리 동네' },
  { value: 1, label: '가까운 동네(1.5km)' },
  { value: 2, label: '조금 먼 동네(4km)' },
] as const;

export const TITLE_MAX = 30;
export const MESSAGE_MAX = 300;
export const PASSWORD_MIN = 8;
export const TARGET_MIN = 2;
export const TARGET_MAX = 10;

export const ATTRIBUTION =
  '행정동 데이터: 통계청 SGIS 행정동 경계(공공누리 제1유형) 가공 vuski/admdongkor, CC BY 4.0';
