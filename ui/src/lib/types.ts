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

export type OrderState = 'recruiting' | 'locked' | 'ordered' | 'arrived' | 'settled' | 'cancelled';

export interface FeeTier {
  from_total: number;
  fee: number;
}

/**
 * The group-order keys every post object and room payload carry (null order
 * keys and 0 money for a post without an order). Optional here so that an
 * older server's answer still type-checks as "no order".
 */
export interface OrderSummary {
  store_name?: string | null;
  menu_url?: string | null;
  delivery_fee?: number | null;
  fee_tiers?: FeeTier[] | null;
  min_order?: number | null;
  order_at?: string | null;
  pickup_spot?: string | null;
  pickup_note?: string | null;
  close_on_min?: boolean | null;
  order_state?: OrderState | null;
  food_total?: number;
  fee_now?: number;
  remaining_to_min?: number;
  fee_share?: number;
}

export interface Post extends OrderSummary {
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
  /** Detail only: the writer sent the viewer out of the room; a join would be refused. */
  is_banned?: boolean;
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

export interface CartItem {
  name: string;
  price: number;
  qty: number;
  note: string;
}

export type PaidMark = 'none' | 'sent' | 'confirmed';

export interface OrderMember {
  user: UserRef;
  items: CartItem[];
  subtotal: number;
  fee: number;
  to_pay: number;
  ready: boolean;
  paid: PaidMark;
}

/** GET /api/chat/<id>/order/ and the order.updated frame (docs/orders.md). */
export interface Order {
  state: OrderState;
  store_name: string;
  menu_url: string;
  delivery_fee: number;
  fee_tiers: FeeTier[];
  fee_now: number;
  min_order: number;
  order_at: string;
  pickup_spot: string;
  pickup_note: string;
  close_on_min: boolean;
  eta_minutes: number | null;
  can_unlock: boolean;
  food_total: number;
  remaining_to_min: number;
  fee_share: number;
  payment_info: string;
  members: OrderMember[];
}

export interface ChatRoom extends OrderSummary {
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

/** A room's post in GET /api/chat/ and the room.updated frame (issue 13). */
export interface ChatListPost {
  id: number;
  title: string;
  store_name: string | null;
  order_state: OrderState | null;
  order_at: string | null;
  is_compelete: boolean;
}

export interface ChatListMessage {
  id: number;
  /** cut to 100 characters by the server */
  message: string;
  created_at: string;
  /** null for a system message */
  user: { id: number; username: string } | null;
}

/** One of my rooms: GET /api/chat/ and the room.updated frame of /ws/me/. */
export interface ChatListItem {
  id: number;
  post: ChatListPost;
  last_message: ChatListMessage | null;
  unread: number;
  muted: boolean;
}

export interface ChatListPage {
  rooms: ChatListItem[];
  next: string | null;
}

/** Frames of /ws/me/. */
export type MeFrame = { type: 'room.updated'; room: ChatListItem } | { type: 'room.removed'; id: number };

/** A browser's PushSubscription as JSON (POST /api/push/subscriptions/). */
export interface PushSubscriptionBody {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
