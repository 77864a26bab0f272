/**
 * Baseline for bench/chat: a bare Socket.IO 4 relay with the same namespaces and events as
 * xiaoer, doing nothing else (no storage, no auth, no assignment). Buyer i's messages go to
 * agent i mod AGENTS. Prints `{"port": N}` once listening.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const AGENTS = Number(process.env.AGENTS ?? 50);
const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 64 * 1024 });
let seq = 0;
io.of('/agent').on('connection', (socket) => {
  void socket.join(`agent:${String(socket.handshake.auth.agent)}`);
});
io.of('/buyer').on('connection', (socket) => {
  const agent = Number(socket.handshake.auth.buyer) % AGENTS;
  socket.on(
    'message:send',
    (payload: { clientId: string; body: { text: string } }, ack: (r: unknown) => void) => {
      const message = {
        clientId: payload.clientId,
        seq: ++seq,
        kind: 'text',
        body: payload.body,
        createdAt: Date.now(),
      };
      ack({ ok: true, data: { message } });
      io.of('/agent').to(`agent:${agent}`).emit('message:new', { message });
    },
  );
});
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
});
