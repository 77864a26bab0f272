// The QR-code and barcode reader's thread (see image-codes.ts): decodes one image at a time with
// ZXing-C++ compiled to WebAssembly (zxing-wasm, which reads PNG, JPEG and GIF itself; WebP is
// decoded to pixels first by libwebp in WebAssembly, @jsquash/webp). Both .wasm files ship in
// their npm packages and are read from disk: nothing is downloaded at run time.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);

const zxing = await import('zxing-wasm/reader');
const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
await zxing.prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
  fireImmediately: true,
});

let webp;
async function decodeWebp(bytes) {
  if (!webp) {
    const mod = await import('@jsquash/webp/decode.js');
    const dir = require.resolve('@jsquash/webp/decode.js').replace(/decode\.js$/, '');
    await mod.init(new WebAssembly.Module(readFileSync(`${dir}codec/dec/webp_dec.wasm`)));
    webp = mod.default;
  }
  const image = await webp(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { data: image.data, width: image.width, height: image.height };
}

const options = { formats: [], tryHarder: true, tryRotate: true, tryInvert: true, maxNumberOfSymbols: 16 };

parentPort.on('message', async ({ id, bytes, mime }) => {
  try {
    const input = mime === 'image/webp' ? await decodeWebp(bytes) : bytes;
    const results = await zxing.readBarcodes(input, options);
    const failed = results.find((r) => !r.isValid && r.error && !r.format);
    if (failed) return parentPort.postMessage({ id, error: failed.error });
    const texts = [...new Set(results.filter((r) => r.isValid && r.text).map((r) => r.text))];
    parentPort.postMessage({ id, texts });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error instanceof Error ? error.message : error) });
  }
});
parentPort.postMessage({ ready: true });
