import { FormEvent, KeyboardEvent, useLayoutEffect, useRef, useState } from 'react';
import { MESSAGE_MAX } from '../lib/constants';
import { charCount, validateMessage } from '../lib/validation';
import { COMPOSER_MAX_LINES, counterVisible, enterSends, isTouchDevice } from './compose';

interface Props {
  stopped: boolean;
  /** the last chat.error from the server, shown until the next input error */
  serverError: string | null;
  send: (text: string) => void;
}

/**
 * The message box. It grows with its text up to five lines, then scrolls.
 * Desktop: Enter sends, Shift+Enter is a newline; touch devices: Enter is a
 * newline and the button sends. Never sends while an IME composes. The
 * counter shows only near the limit.
 */
export function Composer({ stopped, serverError, send }: Props) {
  const [text, setText] = useState('');
  const [inputError, setInputError] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const len = charCount(text.trim());
  const over = len > MESSAGE_MAX;
  const showCounter = counterVisible(len, MESSAGE_MAX);

  // Grow to the text's height, at most COMPOSER_MAX_LINES lines (the
  // textarea is box-sizing: border-box), then scroll. Empty (the room's
  // first render, after a send) it is one line as the CSS lays it out
  // (rows=1, min-height) without measuring: a measure here forced a layout
  // of the whole room inside React's commit at start-up.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (text === '') {
      el.style.height = '';
      el.style.overflowY = 'hidden';
      return;
    }
    const cs = window.getComputedStyle(el);
    const px = (v: string) => parseFloat(v) || 0;
    const borders = px(cs.borderTopWidth) + px(cs.borderBottomWidth);
    const max = (px(cs.lineHeight) || 20) * COMPOSER_MAX_LINES + px(cs.paddingTop) + px(cs.paddingBottom) + borders;
    el.style.height = 'auto';
    const full = el.scrollHeight + borders;
    el.style.height = `${Math.ceil(Math.min(full, max))}px`;
    el.style.overflowY = full > max + 1 ? 'auto' : 'hidden';
  }, [text]);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const err = validateMessage(text);
    if (err) {
      setInputError(err);
      return;
    }
    setInputError('');
    send(text);
    setText('');
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    const n = e.nativeEvent;
    if (enterSends({ key: e.key, shiftKey: e.shiftKey, isComposing: n.isComposing, keyCode: n.keyCode }, isTouchDevice())) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      {(serverError || inputError) && (
        <p className="field-errors composer-error" role="alert" data-testid="chat-error">
          {inputError || serverError}
        </p>
      )}
      <label htmlFor="chat-input" className="sr-only">
        메시지
      </label>
      <textarea
        id="chat-input"
        ref={box}
        rows={1}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (inputError) setInputError('');
        }}
        onKeyDown={onKey}
        enterKeyHint="send"
        placeholder={stopped ? '연결이 끊겼어요' : '메시지를 입력하세요'}
        disabled={stopped}
        aria-describedby={showCounter ? 'chat-counter' : undefined}
        aria-invalid={over || undefined}
        data-testid="message-input"
      />
      {showCounter && (
        <span id="chat-counter" className={`counter${over ? ' over' : ''}`} data-testid="message-counter" aria-live="polite">
          {len}/{MESSAGE_MAX}
        </span>
      )}
      <button type="submit" className="btn btn-primary" disabled={stopped || over || len === 0} data-testid="send-button">
        보내기
      </button>
    </form>
  );
}
