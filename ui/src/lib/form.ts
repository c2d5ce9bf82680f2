import { RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from './api';
import { FieldErrors, hasErrors, mapServerErrors } from './errors';
import { useMounted } from './hooks';

export interface Form {
  /** errors shown under the form's fields */
  errors: FieldErrors;
  /** errors for the whole form (non_field_errors, unknown fields, other statuses) */
  formErrors: string[];
  /** address suggestions from a 400 */
  suggestions: string[];
  busy: boolean;
  /** put on the <form>: after a failed submit the first invalid field in it gets the focus */
  formRef: RefObject<HTMLFormElement | null>;
  /** what a screen reader hears after a failed submit (render it in a live region: FormErrors does) */
  announcement: string;
  /**
   * Run one submission. clientErrors (from the form's own checks) are shown
   * first and stop it; errors on fields the form does not show (e.g.
   * non_field_errors) go to formErrors. Otherwise send runs with busy set: a
   * 400 {"errors": …} is mapped onto the fields, any other failure becomes one
   * form error. Resolves to whether send succeeded.
   */
  submit: (clientErrors: FieldErrors, send: () => Promise<void>) => Promise<boolean>;
}

/**
 * Live checking after a failed submit: the form's current values and its own
 * validator. A field that had an error and has been edited since is checked
 * again on every change, so its error goes away once it is fixed (and a
 * different client error replaces it). Untouched fields keep their errors.
 */
export interface LiveCheck {
  values: Record<string, unknown>;
  validate: () => FieldErrors;
}

/** The sentence a screen reader hears after a failed submit. */
export function announceErrors(fields: FieldErrors, formErrors: string[]): string {
  const msgs = [...formErrors, ...Object.values(fields).flat()];
  if (!msgs.length) return '';
  return `입력한 내용을 확인해 주세요. ${msgs.join(' ')}`;
}

/**
 * The errors of a live form after an edit: each field with an error that has
 * changed since the failed submit shows what the client check says now.
 */
export function recheck(
  errors: FieldErrors,
  sent: Record<string, unknown>,
  now: Record<string, unknown>,
  edited: Set<string>,
  client: FieldErrors,
): FieldErrors {
  let changed = false;
  const next: FieldErrors = { ...errors };
  for (const f of Object.keys(errors)) {
    if (!(f in now)) continue;
    if (!edited.has(f) && Object.is(now[f], sent[f])) continue;
    edited.add(f);
    const c = client[f] ?? [];
    if (c.join('\n') === (errors[f] ?? []).join('\n')) continue;
    changed = true;
    if (c.length) next[f] = c;
    else delete next[f];
  }
  return changed ? next : errors;
}

/** The errors / busy / 400-mapping / focus / announcement that every form of the app shares. */
export function useForm(fields: readonly string[], live?: LiveCheck): Form {
  const mounted = useMounted();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [failures, setFailures] = useState(0);
  const formRef = useRef<HTMLFormElement | null>(null);
  const failCount = useRef(0);
  // The values at the last failed submit, and the fields edited since.
  const sent = useRef<Record<string, unknown> | null>(null);
  const edited = useRef(new Set<string>());
  const liveRef = useRef(live);
  liveRef.current = live;

  const fail = useCallback((f: FieldErrors, nonField: string[]) => {
    setErrors(f);
    setFormErrors(nonField);
    sent.current = liveRef.current ? { ...liveRef.current.values } : null;
    edited.current = new Set();
    failCount.current += 1;
    // A trailing no-break space on every other failure, so that the same
    // errors twice are still announced (a live region speaks on change).
    setAnnouncement(announceErrors(f, nonField) + (failCount.current % 2 ? '' : '\u00a0'));
    setFailures(failCount.current);
  }, []);

  const submit = useCallback(
    async (clientErrors: FieldErrors, send: () => Promise<void>) => {
      const mine = mapServerErrors({ errors: clientErrors }, fields);
      setSuggestions([]);
      if (hasErrors(clientErrors)) {
        fail(mine.fields, mine.nonField);
        return false;
      }
      setErrors({});
      setFormErrors([]);
      setAnnouncement('');
      setBusy(true);
      try {
        await send();
        sent.current = null;
        return true;
      } catch (err) {
        if (!mounted.current) return false;
        if (err instanceof ApiError && err.status === 400) {
          const m = mapServerErrors(err.body, fields);
          fail(m.fields, m.nonField);
          setSuggestions(m.suggestions);
        } else fail({}, [errorMessage(err)]);
        return false;
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    // fields is a module constant in every form, so submit is stable.
    [fields, mounted, fail],
  );

  // After a failed submit (and once the errors are on screen), the focus
  // goes to the first invalid field, whose aria-describedby reads its error.
  useEffect(() => {
    if (failures === 0) return;
    const el = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  }, [failures]);

  const liveKey = live ? JSON.stringify(live.values) : '';
  useEffect(() => {
    const l = liveRef.current;
    if (!l || !sent.current) return;
    const at = sent.current;
    setErrors((old) => (Object.keys(old).length ? recheck(old, at, l.values, edited.current, l.validate()) : old));
  }, [liveKey]);

  return { errors, formErrors, suggestions, busy, formRef, announcement, submit };
}
