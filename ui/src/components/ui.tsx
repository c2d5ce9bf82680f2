import { Component, ErrorInfo, ReactNode, useId } from 'react';
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

export function FormErrors({ errors }: { errors: string[] }) {
  if (!errors.length) return null;
  return (
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
