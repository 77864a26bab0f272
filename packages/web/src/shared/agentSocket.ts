import type { AgentClientToServerEvents, AgentServerToClientEvents } from '@xiaoer/protocol';
import { io, type Socket } from 'socket.io-client';

/** The `/agent` socket, typed with the protocol's event maps (what it hears, what it sends). */
export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

/**
 * Opens the `/agent` socket with the session cookie. WebSocket first: one connection is one node,
 * so a cluster needs no sticky sessions; long-polling only where WebSocket cannot get through.
 * The console's socket (issue #18) watches: it never makes its owner "here" for routing (RT-8).
 */
export function connectAgentSocket(app: 'workbench' | 'console'): AgentSocket {
  return io('/agent', {
    withCredentials: true,
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    ...(app === 'console' ? { auth: { app: 'console' } } : {}),
  });
}
