import type { MeResponse } from '@xiaoer/protocol';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api';

/** The logged-in agent (or null), with login and logout. */
export function useSession() {
  const [me, setMe] = useState<MeResponse | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    api<MeResponse>('GET', '/api/me')
      .then(setMe)
      .catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 401)) console.error(e);
      })
      .finally(() => setLoading(false));
  }, []);
  const login = useCallback(async (email: string, password: string) => {
    setMe(await api<MeResponse>('POST', '/api/auth/login', { email, password }));
  }, []);
  const logout = useCallback(async () => {
    await api('POST', '/api/auth/logout');
    setMe(null);
  }, []);
  return { me, setMe, loading, login, logout };
}
