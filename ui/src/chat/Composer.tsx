import { FormEvent, KeyboardEvent, useState } from 'react';
import { MESSAGE_MAX } from '../lib/constants';
import { charCount, validateMessage } from '../lib/validation';

interface Props {
  stopped: boolean;
  /** the last chat.error from the server, shown until the next input error */
  serverError: string | null;
  send: (text: string) => void;
}

/** The message box: counter, Enter to send (not while an IME composes). */
export function Composer({ stopped, serverError, send }: Props) {
  const [text, setText] = useState('');
  const [inputError, setInputError] = useState('');
  const len = charCount(text.trim());
  const over = len > MESSAGE_MAX;

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
    // Korean IME: Enter while composing only confirms the syllable.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && e.keyCode !== 229) {
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
        rows={1}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (inputError) setInputError('');
        }}
        onKeyDown={onKey}
        placeholder={stopped ? '연결이 끊겼어요' : '메시지를 입력하세요'}
        disabled={stopped}
        aria-describedby="chat-counter"
        aria-invalid={over || undefined}
        data-testid="message-input"
      />
      <span id="chat-counter" className={`counter${over ? ' over' : ''}`} data-testid="message-counter" aria-live="off">
        {len}/{MESSAGE_MAX}
      </span>
      <button type="submit" className="btn btn-primary" disabled={stopped || over || len === 0} data-testid="send-button">
        보내기
      </button>
    </form>
  );
}
