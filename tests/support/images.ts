/**
 * Real images for the image-code tests and the bench (issue #14): QR codes (qrcode), EAN-13
 * barcodes (bwip-js), photo-like noise, as PNG (pngjs) or JPEG (jpeg-js), made in the test.
 */
import bwipjs from 'bwip-js/node';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** An RGBA picture. */
export interface Pixels {
  width: number;
  height: number;
  data: Buffer;
}

/** A deterministic photo-like picture: smooth colour gradients with grain (no code in it). */
export function photo(width: number, height: number, seed = 1): Pixels {
  const data = Buffer.alloc(width * height * 4);
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0xffffffff;
  };
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const grain = (rand() - 0.5) * 40;
      data[i] = clamp(120 + 80 * Math.sin(x / 97) + grain);
      data[i + 1] = clamp(110 + 70 * Math.cos(y / 61) + grain);
      data[i + 2] = clamp(90 + 60 * Math.sin((x + y) / 143) + grain);
      data[i + 3] = 255;
    }
  return { width, height, data };
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** A QR code of `text`, `scale` pixels a module, black on white with a quiet zone. */
export function qrPixels(text: string, scale = 8): Pixels {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const margin = 4;
  const side = (n + margin * 2) * scale;
  const data = Buffer.alloc(side * side * 4, 255);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((r + margin) * scale + dy) * side + (c + margin) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }
  return { width: side, height: side, data };
}

/** `inner` pasted onto `outer` at (x, y). */
export function paste(outer: Pixels, inner: Pixels, x: number, y: number): Pixels {
  const data = Buffer.from(outer.data);
  for (let r = 0; r < inner.height && y + r < outer.height; r++) {
    const from = r * inner.width * 4;
    const width = Math.min(inner.width, outer.width - x);
    inner.data.copy(data, ((y + r) * outer.width + x) * 4, from, from + width * 4);
  }
  return { width: outer.width, height: outer.height, data };
}

export function png(p: Pixels): Buffer {
  const image = new PNG({ width: p.width, height: p.height });
  p.data.copy(image.data);
  return PNG.sync.write(image);
}

export function jpg(p: Pixels, quality = 85): Buffer {
  return Buffer.from(jpeg.encode({ width: p.width, height: p.height, data: p.data }, quality).data);
}

/** A photo-sized (1080×1080 by default) JPEG or PNG with a QR code of `text` in it. */
export function photoWithQr(text: string, format: 'png' | 'jpeg', side = 1080): Buffer {
  const qr = qrPixels(text, 6);
  const picture = paste(photo(side, side, 7), qr, Math.floor((side - qr.width) / 2), side - qr.width - 40);
  return format === 'png' ? png(picture) : jpg(picture);
}

/** An EAN-13 product barcode as a PNG (white background). */
export async function ean13Png(digits: string): Promise<Buffer> {
  return bwipjs.toBuffer({
    bcid: 'ean13',
    text: digits,
    scale: 3,
    height: 20,
    includetext: true,
    backgroundcolor: 'FFFFFF',
    paddingwidth: 20,
    paddingheight: 20,
  });
}

/** A PNG whose header claims `width`×`height` but holds almost nothing (a decompression bomb's shape). */
export function hugePngHeader(width: number, height: number): Buffer {
  const small = png(photo(4, 4));
  const out = Buffer.from(small);
  // IHDR data starts at byte 16: width, height (big-endian); its CRC follows the 13 data bytes.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  return out;
}

/** A WebP (default quality) of `p`, encoded by libwebp in WebAssembly (@jsquash/webp). */
export async function webp(p: Pixels): Promise<Buffer> {
  const require = createRequire(import.meta.url);
  const enc = await import('@jsquash/webp/encode.js');
  const dir = require.resolve('@jsquash/webp/encode.js').replace(/encode\.js$/, '');
  await enc.init(new WebAssembly.Module(readFileSync(`${dir}codec/enc/webp_enc.wasm`)));
  const image = { data: new Uint8ClampedArray(p.data), width: p.width, height: p.height, colorSpace: 'srgb' };
  return Buffer.from(await enc.default(image as ImageData));
}
