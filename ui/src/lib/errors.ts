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
  413: '보낸 내용이 너무 커요.',
  429: '요청이 너무 많아요. 잠시 후 다시 시도해 주세요.',
  500: '서버에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.',
  503: '지금은 사용할 수 없어요. 잠시 후 다시 시도해 주세요.',
};

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

/** One human sentence for any error answer (bare JSON string, {errors}, or status). */
export function errorText(status: number, body: unknown): string {
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === 'string') return b.detail;
    if (typeof b.message === 'string' && status >= 400) return b.message;
    if (b.errors && typeof b.errors === 'object') {
      const m = mapServerErrors(body, []);
      if (m.nonField.length) return m.nonField[0];
    }
  }
  if (STATUS_TEXT[status]) return STATUS_TEXT[status];
  if (status >= 500) return STATUS_TEXT[500];
  return '알 수 없는 오류가 생겼어요.';
}

export function hasErrors(e: FieldErrors): boolean {
  return Object.values(e).some((m) => m.length > 0);
}
