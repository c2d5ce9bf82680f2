import { useEffect, useState } from 'react';
import { disablePush, enablePush, PushState, pushState } from './push';

const NOTE: Record<PushState, string> = {
  unsupported: '이 브라우저에서는 알림을 받을 수 없어요. 홈 화면에 추가한 앱이나 다른 브라우저에서 켜 보세요.',
  denied: '알림이 차단되어 있어요. 브라우저의 사이트 설정에서 알림을 허용해 주세요.',
  off: '새 메시지와 주문 소식을 이 기기로 받아요.',
  on: '이 기기로 새 메시지와 주문 소식을 받고 있어요.',
};

/** 내 정보: push notifications on this device, on or off. */
export function PushSwitch() {
  const [st, setSt] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    pushState().then((s) => live && setSt(s));
    return () => {
      live = false;
    };
  }, []);

  async function toggle(on: boolean) {
    setBusy(true);
    setFailed(false);
    let next: PushState;
    if (on) {
      next = await enablePush();
      setFailed(next === 'off');
    } else {
      await disablePush();
      next = await pushState();
    }
    setSt(next);
    setBusy(false);
  }

  return (
    <section className="panel" aria-labelledby="push-title" data-testid="push-settings" data-state={st ?? 'loading'}>
      <h2 id="push-title">알림</h2>
      {st === null ? (
        <p className="muted small">확인하는 중…</p>
      ) : (
        <>
          <label className="check">
            <input
              type="checkbox"
              role="switch"
              checked={st === 'on'}
              disabled={busy || st === 'unsupported' || st === 'denied'}
              onChange={(e) => toggle(e.target.checked)}
              data-testid="push-switch"
            />
            이 기기에서 알림 받기
          </label>
          <p className="muted small">{NOTE[st]}</p>
          {failed && <p className="field-errors">알림을 켜지 못했어요. 잠시 후 다시 시도해 주세요.</p>}
        </>
      )}
    </section>
  );
}
