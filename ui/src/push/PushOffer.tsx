import { useEffect, useState } from 'react';
import { dismissPushOffer, enablePush, pushOfferPending, pushState } from './push';

const RESULT: Record<string, string> = {
  on: '알림을 켰어요. 이 기기로 주문 소식을 알려 드릴게요.',
  denied: '알림이 차단되어 있어요. 브라우저 설정에서 허용하면 받을 수 있어요.',
  off: '알림을 켜지 못했어요. 내 정보에서 다시 켤 수 있어요.',
};

/**
 * "알림 받기", offered in the room right after joining its order (never on a
 * first load), only where pushes are possible and not yet on or refused.
 */
export function PushOffer({ roomId }: { roomId: string }) {
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState('');

  useEffect(() => {
    if (!pushOfferPending(roomId)) return;
    let live = true;
    pushState().then((st) => {
      if (!live) return;
      if (st === 'off') setShow(true);
      else dismissPushOffer(false);
    });
    return () => {
      live = false;
    };
  }, [roomId]);

  useEffect(() => {
    if (!result) return;
    const t = window.setTimeout(() => setShow(false), 6000);
    return () => window.clearTimeout(t);
  }, [result]);

  if (!show) return null;
  if (result)
    return (
      <div className="push-offer" role="status" data-testid="push-offer-result">
        <p>{result}</p>
      </div>
    );
  return (
    <div className="push-offer" role="region" aria-label="알림 받기" data-testid="push-offer">
      <p>
        <strong>주문 소식을 알림으로 받을까요?</strong>
        <br />
        <span className="small">새 메시지, 모집 마감, 주문과 도착을 이 기기로 알려 드려요.</span>
      </p>
      <div className="row">
        <button
          type="button"
          className="btn btn-primary btn-sm"
          disabled={busy}
          data-testid="push-offer-accept"
          onClick={async () => {
            setBusy(true);
            const st = await enablePush();
            dismissPushOffer(false);
            setBusy(false);
            setResult(RESULT[st] ?? RESULT.off);
          }}
        >
          {busy ? '켜는 중…' : '알림 받기'}
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={busy}
          data-testid="push-offer-later"
          onClick={() => {
            dismissPushOffer(true);
            setShow(false);
          }}
        >
          나중에
        </button>
      </div>
    </div>
  );
}
