/** `--wait`, `--timeout` and `thidua wait`: until the work a command started has settled on a running `thidua up`. */
import type { RunningStack } from './connect.ts';
import { UsageError } from './output.ts';

export const DEFAULT_TIMEOUT_MS = 120_000;

/** What a command's JSON says about its waiting: `settled` is null when it did not wait (nothing known). */
export interface WaitOutcome {
  waited: boolean;
  settled: boolean | null;
  seconds: number;
  /** Items still in flight when it stopped waiting (0 once settled). */
  pending?: number;
}

export const NOT_WAITED: WaitOutcome = { waited: false, settled: null, seconds: 0 };

/** "120s", "2m", "1m30s", "500ms", or a number of seconds ("90"). */
export function parseTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const text = typeof value === 'string' ? value.trim() : '';
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1_000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!text || !parts.length || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--timeout "${typeof value === 'string' ? value : ''}" không hợp lệ; ví dụ: --timeout 120s, --timeout 5m, --timeout 90 (giây).`);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * (units[p[2] as string] as number), 0));
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Polls the running stack until nothing is in flight three times in a row (the bus, the bucket's notifications, the
 * queues and the functions' pollers), or until the timeout. A stack that stops answering is an error.
 */
export async function waitForRunning(running: RunningStack, timeoutMs: number, onProgress?: (pending: number, elapsedMs: number) => void): Promise<WaitOutcome> {
  const url = `${running.env.AWS_ENDPOINT_URL_EVENTBRIDGE}/_local/pending`;
  const start = Date.now();
  for (let quiet = 0; ; ) {
    let pending: number;
    try {
      pending = ((await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as { pending: number }).pending;
    } catch (e) {
      throw new Error(`Stack cục bộ (thidua up, pid ${running.pid}) không trả lời: ${(e as Error).message}`);
    }
    quiet = pending === 0 ? quiet + 1 : 0;
    const elapsed = Date.now() - start;
    if (quiet >= 3) return { waited: true, settled: true, seconds: seconds(elapsed), pending: 0 };
    onProgress?.(pending, elapsed);
    if (elapsed >= timeoutMs) return { waited: true, settled: false, seconds: seconds(elapsed), pending };
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(100, timeoutMs - elapsed))));
  }
}

/** For people: what is still going on, in Vietnamese. */
export function progressText(pending: number, elapsedMs: number): string {
  return `Đang chờ các hàm xử lý xong… ${pending ? `còn ${pending} việc, ` : ''}${Math.floor(elapsedMs / 1000)} giây`;
}

const secondsVi = (s: number) => s.toLocaleString('vi-VN');

export function settledText(w: WaitOutcome): string {
  return `Các hàm đã xử lý xong mọi việc (chờ ${secondsVi(w.seconds)} giây).`;
}

export function notSettledText(w: WaitOutcome): string {
  return `Chưa xử lý xong sau ${secondsVi(w.seconds)} giây${w.pending ? ` (còn ${w.pending} việc)` : ''}. Chờ thêm: thidua wait --timeout 5m`;
}
