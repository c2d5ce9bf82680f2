/** Field errors as the server sends them: {"errors": {field: [msg, …]}}. */
export type FieldErrors = Record<string, string[]>;

export interface MappedErrors {
  /** errors for fields that the form shows */
  fields: FieldErrors;
  /** non_field_errors plus errors for fields the form does not show */
  nonField: string[];
  /** neighbourhood name suggestions for the address field */
  suggestions: string[];
}

const STATUS_TEXT: Record<number, string> = {
  0: '서버에 연결할 수 없어요. 네트워크를 확인해 주세요.',
  400: '입력한 내용을 확인해 주세요.',
  401: '로그인이 필요해요.',
  403: '권한이 없어요.',
  404: '찾을 수 없어요.',
  408: '응답이 너무 늦어요. 잠시 후 다시 시도해 주세요.',
  413: '보낸 내용이 너무 커요.',
  429: '요청이 너무 많아요. 잠시 후 다시 시도해 주세요.',
  500: '서버에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.',
  502: '지금 서버에 연결할 수 없어요. 잠시 후 다시 시도해 주세요.',
  503: '지금은 사용할 수 없어요. 잠시 후 다시 시도해 주세요.',
  504: '서버가 제때 응답하지 않았어요. 잠시 후 다시 시도해 주세요.',
};

const UNKNOWN_TEXT = '알 수 없는 오류가 생겼어요. 잠시 후 다시 시도해 주세요.';

/** The friendly sentence for a status alone, used whenever the body cannot be trusted. */
export function statusText(status: number): string {
  if (STATUS_TEXT[status]) return STATUS_TEXT[status];
  if (status >= 500) return STATUS_TEXT[500];
  return UNKNOWN_TEXT;
}

/**
 * Whether trying the same request again may help: a network failure, a
 * timeout, a rate limit or trouble on the server (or a proxy in front of it).
 */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** An answer's body as the app reads it. */
export interface Answer {
  body: unknown;
  /** the body is not what the MealBuddy server sends (HTML from a proxy, plain text, empty, broken JSON) */
  unexpected: boolean;
}

/**
 * Read an answer's text. The server always answers JSON (a bare string, an
 * object or a list); anything else comes from something in between (an
 * nginx 502 page, a captive portal) and is never shown: it becomes
 * unexpected with no body.
 */
export function readAnswer(contentType: string | null, text: string): Answer {
  if (!text.trim()) return { body: null, unexpected: true };
  const type = (contentType ?? '').toLowerCase();
  if (type && !type.includes('json')) return { body: null, unexpected: true };
  try {
    return { body: JSON.parse(text), unexpected: false };
  } catch {
    return { body: null, unexpected: true };
  }
}

/** The longest server sentence shown as it is; longer text is not a message meant for people. */
const MESSAGE_MAX = 300;

/** A server string fit to show: short, and not markup. */
function shown(s: unknown): s is string {
  return typeof s === 'string' && s.trim() !== '' && s.length <= MESSAGE_MAX && !/<[a-z!/]/i.test(s);
}

function asStringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * Split a 400 body into per-field errors (for the fields the form has),
 * form-level errors and address suggestions. Nothing the server said is lost:
 * errors on fields the form does not know go to nonField.
 */
export function mapServerErrors(body: unknown, knownFields: readonly string[]): MappedErrors {
  const out: MappedErrors = { fields: {}, nonField: [], suggestions: [] };
  if (typeof body === 'string') {
    out.nonField.push(body);
    return out;
  }
  if (!body || typeof body !== 'object') return out;
  const b = body as Record<string, unknown>;
  const errors = b.errors;
  if (errors && typeof errors === 'object' && !Array.isArray(errors)) {
    for (const [key, val] of Object.entries(errors as Record<string, unknown>)) {
      const msgs = asStringList(val);
      if (msgs.length === 0) continue;
      if (key !== 'non_field_errors' && knownFields.includes(key)) {
        out.fields[key] = msgs;
      } else {
        out.nonField.push(...msgs);
      }
    }
  }
  out.suggestions = asStringList(b.suggestions);
  return out;
}

/**
 * One human sentence for any error answer (bare JSON string, {detail},
 * {errors}, or the status alone). Gateway errors (502, 504), unexpected
 * bodies and anything that looks like markup get the status's sentence,
 * so raw proxy pages never reach the screen.
 */
export function errorText(status: number, body: unknown, unexpected = false): string {
  if (status === 0 || unexpected || status === 502 || status === 504) return statusText(status);
  if (shown(body)) return body;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (shown(b.detail)) return b.detail;
    if (shown(b.message) && status >= 400) return b.message;
    if (b.errors && typeof b.errors === 'object') {
      const m = mapServerErrors(body, []);
      const first = m.nonField.find(shown);
      if (first) return first;
    }
  }
  return statusText(status);
}

export function hasErrors(e: FieldErrors): boolean {
  return Object.values(e).some((m) => m.length > 0);
}
