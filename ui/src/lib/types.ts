export interface Neighborhood {
  code: string;
  name: string;
  lat: number;
  lon: number;
}

export interface User {
  id: number;
  username: string;
  email: string;
  address: string;
  range: number;
  is_staff: boolean;
  neighborhood: Neighborhood | null;
}

export interface UserRef {
  id: number;
  username: string;
  email: string;
}

export interface Post {
  id: number;
  title: string;
  created_at: string;
  category: string;
  address: string;
  content: string;
  is_compelete: boolean;
  target_number: number;
  join_number: number;
  chat_id: number;
  writer: UserRef;
  neighborhood: { code: string; name: string } | null;
  distance_km: number | null;
  is_joined?: boolean;
}

export interface Paginator {
  page_range: number[];
  current_page: number;
  prev_button: number | null;
  next_button: number | null;
}

export interface PostList {
  posts: Post[];
  paginator: Paginator;
}

export interface ChatMessage {
  id: number;
  message: string;
  created_at: string;
  chatroom: number;
  user: UserRef | null;
}

export interface ChatRoom {
  id: number;
  post_id: number;
  title: string;
  target_number: number;
  join_number: number;
  is_compelete: boolean;
  writer: UserRef;
  messages: ChatMessage[];
  has_more: boolean;
}

export interface NeighborhoodHit {
  code: string;
  name: string;
  sido: string;
  sigungu: string;
  dong: string;
  lat: number;
  lon: number;
}

/** The original service's flat weather object, plus our "detail". */
export interface Weather {
  강수형태: string;
  날씨: string;
  강수량: string;
  기온: string;
  습도: string;
  풍속: string;
  detail: {
    provider: string;
    time: string;
    temperature_c: number;
    sky: string;
    precipitation: string;
    precipitation_mm: number;
    humidity_pct: number;
    wind_ms: number;
  };
}

export interface OpenPostRef {
  id: number;
  title: string;
  category: string;
  join_number: number;
  target_number: number;
  distance_km: number | null;
}

export interface FoodSuggestion {
  menu: string;
  category: string;
  reason: string;
  open_posts: OpenPostRef[];
}

export interface FoodChoice {
  reply: string;
  suggestions: FoodSuggestion[];
}

export interface ConversationTurn {
  role: string;
  content: string;
}
