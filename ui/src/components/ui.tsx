import { Component, ErrorInfo, InputHTMLAttributes, ReactNode, useId, useState } from 'react';
import type { ApiError } from '../lib/api';
import { Link } from '../lib/router';

export function Loading({ label = '불러오는 중' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

export function Alert({
  kind = 'error',
  children,
  testId,
}: {
  kind?: 'error' | 'info' | 'success';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className={`alert alert-${kind}`}
      role={kind === 'error' ? 'alert' : 'status'}
      data-testid={testId ?? `alert-${kind}`}
    >
      {children}
    </div>
  );
}

export function ErrorPanel({
  title = '문제가 생겼어요',
  message,
  onRetry,
}: {
  title?: string;
  message: string;
  onRetry?: () => void;
}) {
  return (
    <section className="panel error-panel" role="alert" data-testid="error-panel">
      <h2>{title}</h2>
      <p>{message}</p>
      <div className="row">
        {onRetry && (
          <button type="button" className="btn" onClick={onRetry}>
            다시 시도
          </button>
        )}
        <Link className="btn btn-ghost" to="/">
          처음으로
        </Link>
      </div>
    </section>
  );
}

/**
 * A failed load inside a page: the friendly message, and 다시 시도 when a
 * retry may help (network, timeout, rate limit, server trouble).
 */
export function ErrorNote({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="alert alert-error error-note" role="alert" data-testid="error-note">
      <span>{error.message}</span>
      {onRetry && error.retryable && (
        <button type="button" className="btn" onClick={onRetry}>
          다시 시도
        </button>
      )}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  errors?: string[];
  hint?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** Label + control + hint + errors beside the field, wired with aria-describedby. */
export function Field({ label, name, errors, hint, children }: FieldProps) {
  const base = useId();
  const id = `${base}-${name}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = errors && errors.length ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${errId ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: !!errId })}
      {hint && (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      )}
      {errId && (
        <ul className="field-errors" id={errId} data-testid={`error-${name}`}>
          {errors!.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'name' | 'value' | 'onChange' | 'aria-describedby' | 'aria-invalid' | 'children'
>;

interface TextFieldProps extends InputProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  hint?: ReactNode;
  testId?: string;
  /** a password field with a 보기 toggle (aria-pressed) that shows what was typed */
  revealable?: boolean;
}

/**
 * A labelled text input wired to its hint and errors (aria-describedby,
 * aria-invalid): the pattern every form repeated. A revealable password
 * gets a 44 px 보기 button inside the field.
 */
export function TextField({ label, name, value, onChange, errors, hint, testId, revealable, type = 'text', ...rest }: TextFieldProps) {
  const [shown, setShown] = useState(false);
  return (
    <Field label={label} name={name} errors={errors} hint={hint}>
      {({ id, describedBy, invalid }) => {
        const input = (
          <input
            {...rest}
            id={id}
            name={name}
            type={revealable && shown ? 'text' : type}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            data-testid={testId}
          />
        );
        if (!revealable) return input;
        return (
          <div className="reveal">
            {input}
            <button
              type="button"
              className="reveal-toggle"
              aria-pressed={shown}
              aria-controls={id}
              aria-label={`${label} 보기`}
              onClick={() => setShown((v) => !v)}
              data-testid={testId ? `${testId}-reveal` : undefined}
            >
              보기
            </button>
          </div>
        );
      }}
    </Field>
  );
}

/**
 * The form-level errors (role="alert"), and a polite live region that reads
 * every error after a failed submit (useForm's announcement). The region is
 * always in the page: one that appears together with its text is often not read.
 */
export function FormErrors({ errors, announcement = '' }: { errors: string[]; announcement?: string }) {
  return (
    <>
      <p className="sr-only" role="status" aria-live="polite" data-testid="form-announcement">
        {announcement}
      </p>
      {errors.length > 0 && (
        <div className="alert alert-error" role="alert" data-testid="form-errors">
          {errors.length === 1 ? (
            errors[0]
          ) : (
            <ul>
              {errors.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(error, info.componentStack);
  }
  render() {
    if (this.state.error) {
      return (
        <ErrorPanel
          title="화면을 그리는 중에 문제가 생겼어요"
          message="새로고침하거나 잠시 후 다시 시도해 주세요."
          onRetry={() => window.location.reload()}
        />
      );
    }
    return this.props.children;
  }
}
