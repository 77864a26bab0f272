/**
 * A local OpenAI-compatible model provider for tests (issue #15, #17): `/v1/embeddings` (texts
 * about shipping point one way, refunds another, the rest a third) and `/v1/chat/completions`
 * answering `reply`; `mode` slow never answers (the server gives up at its timeout, however slow the machine), down
 * answers 500.
 */
import { createServer, type Server } from 'node:http';

/** Texts about shipping (or a truck) point one way, refunds another, the rest a third. */
function vectorOf(text: string): number[] {
  if (/发货|寄|🚚/u.test(text)) return [1, 0.05, 0];
  if (/退款|退钱/u.test(text)) return [0, 1, 0.05];
  return [0.05, 0, 1];
}

export class ModelStub {
  mode: 'ok' | 'slow' | 'down' = 'ok';
  reply = '亲，我们的快递盒是牛皮纸色的哦';
  chats: { messages: { role: string; content: string }[] }[] = [];
  keys: (string | undefined)[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.keys.push(req.headers.authorization);
        if (this.mode === 'down') return void res.writeHead(500).end('down');
        const json = JSON.parse(body) as {
          input?: string[];
          messages?: { role: string; content: string }[];
        };
        // A chat is counted when it arrives (a slow one too: the server asked).
        if (req.url === '/v1/chat/completions') this.chats.push({ messages: json.messages! });
        const answer = () => {
          res.setHeader('content-type', 'application/json');
          if (req.url === '/v1/embeddings')
            return res.end(
              JSON.stringify({ data: json.input!.map((t, index) => ({ index, embedding: vectorOf(t) })) }),
            );
          if (req.url === '/v1/chat/completions')
            return res.end(
              JSON.stringify({ choices: [{ message: { role: 'assistant', content: this.reply } }] }),
            );
          res.writeHead(404).end('{}');
        };
        // Slow: no answer at all (the server abandons the call at its timeout; stop() closes it).
        if (this.mode !== 'slow') answer();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}/v1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
