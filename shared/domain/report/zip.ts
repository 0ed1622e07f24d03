import { Inflate } from 'fflate';

/**
 * A small ZIP reader that looks at the central directory before inflating anything, so a zip bomb is refused from its
 * declared sizes, and inflates only the entries asked for, chunk by chunk, stopping at their declared size (a lying
 * directory is caught too). No ZIP64, no encryption: XLSX written by Excel, LibreOffice or exceljs use neither.
 */

export interface ZipEntryInfo {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

export type ZipFailure =
  | { kind: 'corrupt'; detail: string }
  | { kind: 'zip-bomb'; detail: string }
  | { kind: 'unsupported'; detail: string };

export class ZipError extends Error {
  constructor(readonly failure: ZipFailure) {
    super(failure.detail);
    this.name = 'ZipError';
  }
}

export interface ZipLimits {
  maxUncompressedBytes: number;
  maxZipEntries: number;
  maxCompressionRatio: number;
  ratioGraceBytes: number;
}

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number) => ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;

const corrupt = (detail: string) => new ZipError({ kind: 'corrupt', detail });

const MB = (n: number) => `${String(Math.round((n / 1024 / 1024) * 10) / 10).replace('.', ',')} MB`;

/** Reads and checks the central directory. Throws ZipError. */
export function readCentralDirectory(bytes: Uint8Array, limits: ZipLimits): ZipEntryInfo[] {
  // End of central directory: 22 bytes + a comment of up to 65,535 bytes, at the end of the file.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 65_535; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('không tìm thấy mục lục của tệp nén (tệp bị cắt cụt hoặc hỏng)');
  const total = u16(bytes, eocd + 10);
  const cdSize = u32(bytes, eocd + 12);
  const cdOffset = u32(bytes, eocd + 16);
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipError({ kind: 'unsupported', detail: 'tệp nén dạng ZIP64 (quá lớn so với một báo cáo)' });
  }
  if (total > limits.maxZipEntries) {
    throw new ZipError({ kind: 'zip-bomb', detail: `tệp nén có ${total} thành phần, vượt giới hạn ${limits.maxZipEntries}` });
  }
  if (cdOffset + cdSize > eocd) throw corrupt('mục lục của tệp nén trỏ ra ngoài tệp');

  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  let declared = 0;
  for (let k = 0; k < total; k++) {
    if (p + 46 > eocd || u32(bytes, p) !== 0x02014b50) throw corrupt('mục lục của tệp nén bị hỏng');
    const flags = u16(bytes, p + 8);
    const method = u16(bytes, p + 10);
    const crc = u32(bytes, p + 16);
    const compressedSize = u32(bytes, p + 20);
    const uncompressedSize = u32(bytes, p + 24);
    const nameLen = u16(bytes, p + 28);
    const extraLen = u16(bytes, p + 30);
    const commentLen = u16(bytes, p + 32);
    const localOffset = u32(bytes, p + 42);
    if (p + 46 + nameLen > eocd) throw corrupt('mục lục của tệp nén bị hỏng');
    const rawName = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(p + 46, p + 46 + nameLen));
    const name = rawName.replaceAll('\\', '/').replace(/^\/+/, '');
    p += 46 + nameLen + extraLen + commentLen;

    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff) {
      throw new ZipError({ kind: 'unsupported', detail: 'tệp nén dạng ZIP64 (quá lớn so với một báo cáo)' });
    }
    declared += uncompressedSize;
    if (declared > limits.maxUncompressedBytes) {
      throw new ZipError({ kind: 'zip-bomb', detail: `dung lượng sau giải nén vượt ${MB(limits.maxUncompressedBytes)}` });
    }
    if (uncompressedSize >= limits.ratioGraceBytes && uncompressedSize / Math.max(compressedSize, 1) > limits.maxCompressionRatio) {
      const ratio = Math.round(uncompressedSize / Math.max(compressedSize, 1));
      throw new ZipError({ kind: 'zip-bomb', detail: `thành phần "${name.slice(0, 60)}" có tỷ lệ nén ${ratio}:1, vượt giới hạn ${limits.maxCompressionRatio}:1` });
    }
    if (localOffset + 30 > cdOffset) throw corrupt('mục lục của tệp nén trỏ sai vị trí dữ liệu');
    entries.push({ name, method, flags, crc, compressedSize, uncompressedSize, localOffset });
  }
  return entries;
}

let CRC_TABLE: Uint32Array | undefined;
export function crc32(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (CRC_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Inflates one entry, never producing more than its declared size nor more than `budget` bytes. Throws ZipError. */
export function extractEntry(bytes: Uint8Array, entry: ZipEntryInfo, budget: number): Uint8Array {
  const p = entry.localOffset;
  if (u32(bytes, p) !== 0x04034b50) throw corrupt(`thành phần "${entry.name.slice(0, 60)}" bị hỏng`);
  if (entry.flags & 1) throw new ZipError({ kind: 'unsupported', detail: 'tệp nén có đặt mật khẩu' });
  const start = p + 30 + u16(bytes, p + 26) + u16(bytes, p + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw corrupt(`thành phần "${entry.name.slice(0, 60)}" bị cắt cụt`);
  const data = bytes.subarray(start, end);
  const cap = Math.min(entry.uncompressedSize, budget);
  if (entry.uncompressedSize > budget) {
    throw new ZipError({ kind: 'zip-bomb', detail: 'dung lượng sau giải nén vượt giới hạn' });
  }

  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw corrupt(`thành phần "${entry.name.slice(0, 60)}" bị hỏng`);
    out = data;
  } else if (entry.method === 8) {
    out = new Uint8Array(cap);
    let written = 0;
    let overflow = false;
    let done = false;
    const inflater = new Inflate((chunk, final) => {
      if (written + chunk.length > cap) {
        overflow = true;
        return;
      }
      out.set(chunk, written);
      written += chunk.length;
      if (final) done = true;
    });
    // Small input chunks bound what one push can produce (deflate expands at most ~1,032×).
    const STEP = 1024;
    for (let i = 0; i < data.length && !overflow && !done; i += STEP) {
      try {
        inflater.push(data.subarray(i, Math.min(i + STEP, data.length)), i + STEP >= data.length);
      } catch {
        throw corrupt(`dữ liệu nén của thành phần "${entry.name.slice(0, 60)}" bị hỏng`);
      }
    }
    if (overflow) {
      throw new ZipError({ kind: 'zip-bomb', detail: `thành phần "${entry.name.slice(0, 60)}" giải nén ra nhiều hơn kích thước khai báo` });
    }
    if (written !== entry.uncompressedSize) throw corrupt(`thành phần "${entry.name.slice(0, 60)}" bị cắt cụt`);
  } else {
    throw new ZipError({ kind: 'unsupported', detail: `kiểu nén ${entry.method} không được hỗ trợ` });
  }
  if (crc32(out) !== entry.crc) throw corrupt(`thành phần "${entry.name.slice(0, 60)}" bị hỏng (sai mã kiểm tra CRC)`);
  return out;
}
