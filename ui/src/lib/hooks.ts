import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort } from './api';
import { setPageTitle } from './title';

export interface Resource<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  setData: (d: T | null) => void;
}

/** GET a path (null = do nothing); aborts when the path changes. The answer renders as a transition. */
export function useApi<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    api<T>(path, { signal: ctl.signal })
      .then((d) => {
        // A transition: the answer renders in slices that yield to input
        // instead of one long task.
        startTransition(() => {
          if (ctl.signal.aborted) return;
          setData(d);
          setLoading(false);
        });
      })
      .catch((e) => {
        if (isAbort(e)) return;
        setError(e instanceof ApiError ? e : new ApiError(0, null));
        setLoading(false);
      });
    return () => ctl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

/** Is the component still mounted? For async handlers. */
export function useMounted() {
  const ref = useRef(true);
  useEffect(() => {
    ref.current = true;
    return () => {
      ref.current = false;
    };
  }, []);
  return ref;
}

export function useDocumentTitle(title: string) {
  useEffect(() => {
    setPageTitle(title);
  }, [title]);
}

export interface Coords {
  lat: number;
  lon: number;
}

export function geolocationErrorText(code: number): string {
  if (code === 1) return '위치 권한이 거부되었어요. 브라우저 설정에서 허용해 주세요.';
  if (code === 3) return '위치를 가져오는 데 시간이 너무 오래 걸려요.';
  return '현재 위치를 가져오지 못했어요.';
}

/** Promise wrapper around navigator.geolocation. */
export function currentPosition(): Promise<Coords> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('이 브라우저는 위치 정보를 지원하지 않아요.'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      (e) => reject(new Error(geolocationErrorText(e.code))),
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
    );
  });
}
