import type { LiveBoard } from '@xiaoer/protocol';
import { useEffect, useRef, useState } from 'react';
import { connectAgentSocket } from '../shared/agentSocket';
import { api } from '../shared/api';

/**
 * The live board of the console's shop (issue #18), kept current: read once the console's socket
 * connects, then again whenever the server says the shop changed (`live:changed`: statuses, loads,
 * the queue, the MET-5 alert). The console's socket is no workbench: it never makes its owner
 * "here" for routing (RT-8). `receivedAt` is when the board arrived, by this browser's clock.
 */
export function useLiveBoard(shopId: string) {
  const [board, setBoard] = useState<(LiveBoard & { receivedAt: number }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const reading = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });

  useEffect(() => {
    let closed = false;
    // One read at a time; a change that comes meanwhile asks for one more read after it.
    const load = async (): Promise<void> => {
      const r = reading.current;
      if (r.busy) {
        r.again = true;
        return;
      }
      r.busy = true;
      try {
        do {
          r.again = false;
          const next = await api('GET', '/api/admin/live');
          if (closed) return;
          setBoard({ ...next, receivedAt: Date.now() });
          setError(null);
        } while (r.again && !closed);
      } catch (e) {
        if (!closed) setError((e as Error).message);
      } finally {
        r.busy = false;
      }
    };
    const socket = connectAgentSocket('console');
    socket.on('connect', () => {
      setConnected(true);
      void load();
    });
    socket.on('disconnect', () => setConnected(false));
    socket.on('live:changed', (e) => {
      if (e.shopId === shopId) void load();
    });
    void load();
    return () => {
      closed = true;
      socket.close();
    };
  }, [shopId]);

  return { board, error, connected };
}
