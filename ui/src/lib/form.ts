import { useCallback, useState } from 'react';
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
  /**
   * Run one submission. clientErrors (from the form's own checks) are shown
   * first and stop it; errors on fields the form does not show (e.g.
   * non_field_errors) go to formErrors. Otherwise send runs with busy set: a
   * 400 {"errors": …} is mapped onto the fields, any other failure becomes one
   * form error. Resolves to whether send succeeded.
   */
  submit: (clientErrors: FieldErrors, send: () => Promise<void>) => Promise<boolean>;
}

/** The errors / busy / 400-mapping that every form of the app shares. */
export function useForm(fields: readonly string[]): Form {
  const mounted = useMounted();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = useCallback(
    async (clientErrors: FieldErrors, send: () => Promise<void>) => {
      const mine = mapServerErrors({ errors: clientErrors }, fields);
      setErrors(mine.fields);
      setFormErrors(mine.nonField);
      setSuggestions([]);
      if (hasErrors(clientErrors)) return false;
      setBusy(true);
      try {
        await send();
        return true;
      } catch (err) {
        if (!mounted.current) return false;
        if (err instanceof ApiError && err.status === 400) {
          const m = mapServerErrors(err.body, fields);
          setErrors(m.fields);
          setFormErrors(m.nonField);
          setSuggestions(m.suggestions);
        } else setFormErrors([errorMessage(err)]);
        return false;
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    // fields is a module constant in every form, so submit is stable.
    [fields, mounted],
  );

  return { errors, formErrors, suggestions, busy, submit };
}
