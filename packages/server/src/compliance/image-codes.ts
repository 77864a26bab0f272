/**
 * CMP-3 for images (issue #14): the QR codes and barcodes in an image, decoded so the compliance
 * guard can check their text. The decoding runs in a worker thread (image-codes.worker.mjs, with
 * zxing-wasm), one image at a time, so a slow image never stalls the server's event loop and a
 * decode that runs past its time box is ended by terminating the thread. An image is refused
 * before decoding when its header is unreadable or its dimensions are absurd.
 */
import type { ImageCodes } from '@xiaoer/core';
import { imageSize } from 'image-size';
import { Worker } from 'node:worker_threads';

/** What reading an image gave: the texts of its codes, or why it could not be read. */
export type ImageCodesResult =
  | { ok: true; texts: string[] }
  | { ok: false; reason: 'unreadable' | 'too_large' | 'timeout'; message: string };

export interface ImageCodeReaderOptions {
  /** Images with more pixels are not decoded (default 40 million: a 48 MP phone photo is 8000×6000). */
  maxPixels?: number;
  /** Nor with a longer side (default 20 000: long product-detail screenshots are 750×15 000). */
  maxSide?: number;
  /** The time box of one decode (default 5 s). */
  timeoutMs?: number;
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

interface Job {
  id: number;
  resolve: (r: ImageCodesResult) => void;
  timer: NodeJS.Timeout;
}

/** Decodes QR codes and barcodes (QR, Data Matrix, Aztec, PDF417, EAN/UPC, Code 128…) in images. */
export class ImageCodeReader {
  private worker: Worker | undefined;
  private job: Job | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private readonly maxPixels: number;
  private readonly maxSide: number;
  private readonly timeoutMs: number;

  constructor(options: ImageCodeReaderOptions = {}) {
    this.maxPixels = options.maxPixels ?? 40_000_000;
    this.maxSide = options.maxSide ?? 20_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The texts of every code in the image; never throws (a corrupt image is `unreadable`). */
  read(bytes: Uint8Array): Promise<ImageCodesResult> {
    let size: { width: number; height: number; type?: string };
    try {
      size = imageSize(bytes);
    } catch (error) {
      return Promise.resolve({ ok: false, reason: 'unreadable', message: `not an image: ${String(error)}` });
    }
    const mime = size.type ? TYPES[size.type] : undefined;
    if (!mime)
      return Promise.resolve({ ok: false, reason: 'unreadable', message: `unsupported type ${size.type}` });
    const { width, height } = size;
    if (!(width > 0 && height > 0))
      return Promise.resolve({ ok: false, reason: 'unreadable', message: 'no dimensions' });
    if (width > this.maxSide || height > this.maxSide || width * height > this.maxPixels)
      return Promise.resolve({ ok: false, reason: 'too_large', message: `${width}×${height} is too large` });
    // One image at a time: the thread is single-threaded anyway, and its memory stays bounded.
    const run = this.tail.then(() => this.decode(bytes, mime));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Ends the worker thread (a later read starts a new one). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private decode(bytes: Uint8Array, mime: string): Promise<ImageCodesResult> {
    return new Promise((resolve) => {
      const worker = this.started();
      const id = ++this.seq;
      const timer = setTimeout(() => {
        this.fail({ ok: false, reason: 'timeout', message: `no answer within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      this.job = { id, resolve, timer };
      worker.ref();
      // A copy: the caller's buffer may be a slice of a pooled one.
      worker.postMessage({ id, bytes: new Uint8Array(bytes), mime });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./image-codes.worker.mjs', import.meta.url), {
      // The module's own code is plain JavaScript: no TypeScript loader needed in the thread.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.on('message', (m: { id?: number; texts?: string[]; error?: string; ready?: boolean }) => {
      if (m.ready || !this.job || m.id !== this.job.id) return;
      const job = this.job;
      this.job = undefined;
      clearTimeout(job.timer);
      worker.unref();
      job.resolve(
        m.error !== undefined
          ? { ok: false, reason: 'unreadable', message: m.error }
          : { ok: true, texts: m.texts ?? [] },
      );
    });
    worker.on('error', (error) => this.fail({ ok: false, reason: 'unreadable', message: String(error) }));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.fail({ ok: false, reason: 'unreadable', message: 'the reader stopped' });
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Ends the current job with `result` and the thread with it (a stuck decode cannot be interrupted). */
  private fail(result: ImageCodesResult): void {
    const job = this.job;
    if (!job) return;
    this.job = undefined;
    clearTimeout(job.timer);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    job.resolve(result);
  }
}

/** The upload an image message points at: `/uploads/<id>`. */
export interface UploadBytes {
  findUpload(id: string): Promise<{ data: Uint8Array | Buffer } | undefined>;
}

/**
 * The guard's port (ComplianceGuard `imageCodes`): reads `/uploads/<id>` from upload storage and
 * decodes it. Uploads never change, so the answer is remembered per upload (the last 1 000).
 * A missing upload shows nothing to the buyer: no codes.
 */
export function uploadImageCodes(uploads: UploadBytes, reader: ImageCodeReader): ImageCodes {
  const seen = new Map<string, string[] | null>();
  return async (_shopId, imageUrl) => {
    const id = /^\/uploads\/([A-Za-z0-9-]+)$/.exec(imageUrl)?.[1];
    if (!id) return null;
    const known = seen.get(id);
    if (known !== undefined) return known;
    const upload = await uploads.findUpload(id);
    if (!upload) return [];
    const result = await reader.read(upload.data);
    // A time-out may be the machine's load: it is not remembered.
    if (!result.ok && result.reason === 'timeout') return null;
    const texts = result.ok ? result.texts : null;
    if (seen.size >= 1_000) seen.delete(seen.keys().next().value as string);
    seen.set(id, texts);
    return texts;
  };
}
