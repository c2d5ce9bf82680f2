import { KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage, isAbort, qs } from '../lib/api';
import { Coords, currentPosition } from '../lib/hooks';
import type { NeighborhoodHit } from '../lib/types';

interface Props {
  value: string;
  onChange: (v: string) => void;
  errors?: string[];
  suggestions?: string[];
  /** a "혹시 이 동네인가요?" choice was tapped (after onChange with it); e.g. submit again */
  onPickSuggestion?: (name: string) => void;
  label?: string;
}

/**
 * Address (행정동) input with autocomplete from /api/neighborhoods/?q= and a
 * "현재 위치 사용" button (geolocation → /api/neighborhoods/locate/).
 * Location is asked for only on that tap, never on load; once known, the
 * search lists the nearest 행정동 first. The server's suggestions for an
 * address it could not resolve show as "혹시 이 동네인가요?" choices until
 * the field changes.
 * ARIA 1.2 combobox pattern: arrow keys move, Enter picks, Escape closes.
 */
export function AddressField({
  value,
  onChange,
  errors,
  suggestions,
  onPickSuggestion,
  label = '우리 동네 (행정동)',
}: Props) {
  const base = useId();
  const id = `${base}-address`;
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const [hits, setHits] = useState<NeighborhoodHit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState('');
  const [locating, setLocating] = useState(false);
  const [locateMsg, setLocateMsg] = useState<{ kind: 'ok' | 'err'; text: string } | null>(null);
  const typed = useRef(false);
  const [coords, setCoords] = useState<Coords | null>(null);
  const [noHits, setNoHits] = useState(false);
  // The value the server's suggestions answer; once the field changes they are stale.
  const [suggestedFor, setSuggestedFor] = useState<string | null>(null);
  useEffect(() => setSuggestedFor(suggestions?.length ? value : null), [suggestions]);
  const showSuggestions = !!suggestions?.length && suggestedFor === value;

  useEffect(() => {
    if (!typed.current) return;
    const q = value.trim();
    if (q.length < 1) {
      setHits([]);
      setOpen(false);
      setNoHits(false);
      return;
    }
    const ctl = new AbortController();
    const t = window.setTimeout(() => {
      setSearching(true);
      setSearchError('');
      const near = coords ? { lat: coords.lat.toFixed(4), lon: coords.lon.toFixed(4) } : {};
      api<{ neighborhoods: NeighborhoodHit[] }>(`/api/neighborhoods/${qs({ q, ...near })}`, { signal: ctl.signal })
        .then((r) => {
          const list = r.neighborhoods.slice(0, 10);
          setHits(list);
          setOpen(list.length > 0);
          setNoHits(list.length === 0);
          setActive(-1);
        })
        .catch((e) => {
          if (isAbort(e)) return;
          setHits([]);
          setOpen(false);
          setNoHits(false);
          setSearchError(errorMessage(e));
        })
        .finally(() => setSearching(false));
    }, 250);
    return () => {
      window.clearTimeout(t);
      ctl.abort();
    };
  }, [value, coords]);

  function pick(name: string) {
    typed.current = false;
    onChange(name);
    setOpen(false);
    setActive(-1);
    setLocateMsg(null);
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && hits.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % hits.length);
    } else if (e.key === 'ArrowUp' && hits.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a <= 0 ? hits.length - 1 : a - 1));
    } else if (e.key === 'Enter' && open && active >= 0) {
      e.preventDefault();
      pick(hits[active].name);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
    }
  }

  async function locate() {
    setLocating(true);
    setLocateMsg(null);
    try {
      const c = await currentPosition();
      setCoords(c);
      const n = await api<NeighborhoodHit>(`/api/neighborhoods/locate/${qs({ lat: c.lat, lon: c.lon })}`);
      pick(n.name);
      setLocateMsg({ kind: 'ok', text: `현재 위치: ${n.name}` });
    } catch (e) {
      setLocateMsg({ kind: 'err', text: e instanceof Error ? e.message : errorMessage(e) });
    } finally {
      setLocating(false);
    }
  }

  const hasErr = !!errors?.length;
  const describedBy = [hintId, hasErr ? errId : ''].filter(Boolean).join(' ');

  return (
    <div className={`field${hasErr ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="address-row">
        <div className="combo">
          <input
            id={id}
            name="address"
            type="text"
            role="combobox"
            autoComplete="off"
            aria-autocomplete="list"
            aria-expanded={open}
            aria-controls={listId}
            aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            aria-invalid={hasErr || undefined}
            aria-describedby={describedBy}
            data-testid="address-input"
            value={value}
            placeholder="예: 종로구 창신1동"
            onChange={(e) => {
              typed.current = true;
              setLocateMsg(null); // "현재 위치: …" no longer describes the field
              onChange(e.target.value);
            }}
            onKeyDown={onKey}
            onBlur={() => window.setTimeout(() => setOpen(false), 150)}
            onFocus={() => hits.length && typed.current && setOpen(true)}
          />
          <ul id={listId} role="listbox" className="combo-list" hidden={!open} aria-label="동네 검색 결과">
            {hits.map((h, i) => (
              <li
                key={h.code}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : undefined}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(h.name)}
              >
                {h.name}
              </li>
            ))}
          </ul>
        </div>
        <button type="button" className="btn btn-ghost" onClick={locate} disabled={locating} data-testid="locate-button">
          {locating ? '찾는 중…' : '현재 위치 사용'}
        </button>
      </div>
      <div className="hint" id={hintId} aria-live="polite">
        {searching
          ? '동네를 찾는 중…'
          : searchError ||
            (noHits && typed.current
              ? '맞는 동네가 없어요. 시·군·구와 동 이름(예: 강남구 역삼동)으로 찾아 주세요.'
              : coords
              ? '가까운 동네부터 보여 줘요. 목록에서 골라 주세요.'
              : '시·군·구와 동 이름(예: 역삼동)으로 검색하고 목록에서 골라 주세요.')}
      </div>
      {locateMsg && (
        <div
          className={locateMsg.kind === 'ok' ? 'hint hint-ok' : 'field-errors'}
          role="status"
          data-testid="locate-message"
        >
          {locateMsg.text}
        </div>
      )}
      {hasErr && (
        <ul className="field-errors" id={errId} data-testid="error-address">
          {errors!.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      {showSuggestions && (
        <div className="suggestions" data-testid="address-suggestions" role="group" aria-labelledby={`${id}-sugg`}>
          <span id={`${id}-sugg`}>혹시 이 동네인가요?</span>
          <ul>
            {suggestions!.map((s) => (
              <li key={s}>
                <button
                  type="button"
                  className="chip"
                  onClick={() => {
                    pick(s);
                    onPickSuggestion?.(s);
                  }}
                >
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
