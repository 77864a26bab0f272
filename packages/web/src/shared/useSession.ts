import type { MeResponse } from '@xiaoer/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, currentShop, setCurrentShop, setUnauthenticatedHandler } from './api';

/** Why the login form is back: the session ended under us, or I changed my password. */
export type SessionNotice = 'expired' | 'passwordChanged';

/** The logged-in agent (or null), with login, logout, a fresh look at my access, and the shop I act in. */
export function useSession() {
  const [me, setMeState] = useState<MeResponse | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<SessionNotice | null>(null);
  const meRef = useRef(me);

  /** Me as the server sees me now; the shop it answered for is the one later calls act in. */
  const setMe = useCallback((m: MeResponse) => {
    // TEAM-4: a shop I no longer serve falls back to another one; remember the one in use.
    setCurrentShop(m.shop.id);
    meRef.current = m;
    setMeState(m);
  }, []);

  /** Back to the login form, saying why. */
  const end = useCallback((why: SessionNotice | null) => {
    meRef.current = null;
    setMeState(null);
    setNotice(why);
  }, []);

  useEffect(() => {
    // Any call refused for want of a session while logged in: the session ended (disabled,
    // password reset, logged out elsewhere).
    setUnauthenticatedHandler(() => {
      if (meRef.current) end('expired');
    });
    api('GET', '/api/me')
      .then(setMe)
      .catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 401)) console.error(e);
      })
      .finally(() => setLoading(false));
    return () => setUnauthenticatedHandler(null);
  }, [end, setMe]);

  const login = useCallback(
    async (email: string, password: string) => {
      let m = await api('POST', '/api/auth/login', { email, password });
      // The shop chosen last time in this browser, when this account serves it.
      const wanted = currentShop();
      if (wanted && wanted !== m.shop.id && m.shops.some((s) => s.id === wanted))
        m = await api('GET', '/api/me');
      setNotice(null);
      setMe(m);
    },
    [setMe],
  );

  const logout = useCallback(async () => {
    await api('POST', '/api/auth/logout');
    end(null);
  }, [end]);

  /**
   * My access may have changed (role, disabled, password reset): asks the server again. False when
   * the session is gone (the login form shows, saying so); throws when the server cannot be reached.
   */
  const refresh = useCallback(async (): Promise<boolean> => {
    try {
      setMe(await api('GET', '/api/me'));
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return false;
      throw e;
    }
  }, [setMe]);

  /** TEAM-4: acts in another shop of mine from now on. */
  const switchShop = useCallback(
    async (shopId: string) => {
      const previous = currentShop();
      setCurrentShop(shopId);
      try {
        setMe(await api('GET', '/api/me'));
      } catch (e) {
        setCurrentShop(previous);
        throw e;
      }
    },
    [setMe],
  );

  /** My password changed: every session of mine ended; log in again with the new one. */
  const passwordChanged = useCallback(() => end('passwordChanged'), [end]);

  return { me, setMe, loading, notice, login, logout, refresh, switchShop, passwordChanged };
}

/** What useSession gives the apps. */
export type Session = ReturnType<typeof useSession>;
