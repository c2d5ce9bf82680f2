import { useState } from 'react';

interface Props {
  /** the page's path, e.g. /post/7/ */
  path: string;
  title: string;
}

/**
 * Shares a page: the Web Share API where the browser has it (phones open
 * KakaoTalk and the other apps from there), else copies the link, and when
 * even that is refused (no clipboard outside https) shows it to copy by hand.
 */
export function ShareButton({ path, title }: Props) {
  const [status, setStatus] = useState('');
  const [manual, setManual] = useState('');

  async function share() {
    const url = new URL(path, window.location.origin).href;
    setStatus('');
    setManual('');
    if (typeof navigator.share === 'function') {
      try {
        await navigator.share({ title, url });
        return;
      } catch (e) {
        // The visitor closed the sheet: nothing to do. Any other failure
        // (not allowed here): copy instead.
        if (e instanceof DOMException && e.name === 'AbortError') return;
      }
    }
    try {
      await navigator.clipboard.writeText(url);
      setStatus('링크를 복사했어요');
    } catch {
      setStatus('링크를 복사하지 못했어요. 아래 링크를 길게 눌러 복사해 주세요.');
      setManual(url);
    }
  }

  return (
    <div className="share">
      <button type="button" className="btn share-button" onClick={() => void share()} data-testid="share-button">
        공유하기
      </button>
      <span className="share-status" role="status" data-testid="share-status">
        {status}
      </span>
      {manual && (
        <input
          className="share-link"
          type="text"
          readOnly
          value={manual}
          aria-label="공유할 링크"
          onFocus={(e) => e.currentTarget.select()}
        />
      )}
    </div>
  );
}
