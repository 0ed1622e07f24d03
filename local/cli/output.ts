import { InputError } from '../../shared/domain/errors.ts';

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  badInput: 3,
  notFound: 4,
  /** --wait or --timeout: the work started but had not settled when the time was up. */
  notSettled: 5,
} as const;

export class UsageError extends Error {}

/** Waiting inside a command (a report's verdict, the clock's firings) ran out of time: exit 5. */
export class NotSettledError extends Error {}

export interface Out {
  json: boolean;
  /** A result: JSON on stdout with --json, otherwise the human text. */
  result(data: unknown, human: () => string): void;
  /** Progress and notes: stderr, so --json stays clean for scripts. */
  note(text: string): void;
  progress(text: string): void;
  endProgress(): void;
}

export function makeOut(json: boolean): Out {
  const tty = process.stderr.isTTY;
  let lastProgress = '';
  let lastPrinted = '';
  let lastPrintedAt = 0;
  return {
    json,
    result(data, human) {
      if (json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else process.stdout.write(`${human()}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
    progress(text) {
      if (text === lastProgress) return;
      lastProgress = text;
      if (tty) process.stderr.write(`\r\x1b[2K${text}`);
      else if (Date.now() - lastPrintedAt > 1000) {
        process.stderr.write(`${text}\n`);
        lastPrinted = text;
        lastPrintedAt = Date.now();
      }
    },
    endProgress() {
      if (tty && lastProgress) process.stderr.write(`\r\x1b[2K${lastProgress}\n`);
      else if (!tty && lastProgress && lastProgress !== lastPrinted) process.stderr.write(`${lastProgress}\n`);
      lastProgress = '';
    },
  };
}

/** Prints an error for a person (Vietnamese) or, with --json, for a script; returns the exit code. */
export function reportError(e: unknown, out: Out): number {
  if (e instanceof InputError) {
    if (out.json) process.stdout.write(`${JSON.stringify({ error: e.messageVi, details: e.details }, null, 2)}\n`);
    else process.stderr.write([`Lỗi: ${e.messageVi}`, ...e.details.map((d) => `  - ${d}`)].join('\n') + '\n');
    return /Không tìm thấy/.test(e.messageVi) ? EXIT.notFound : EXIT.badInput;
  }
  if (e instanceof NotSettledError) {
    if (out.json) process.stdout.write(`${JSON.stringify({ error: e.message, settled: false })}\n`);
    else process.stderr.write(`${e.message}\n`);
    return EXIT.notSettled;
  }
  if (e instanceof UsageError) {
    if (out.json) process.stdout.write(`${JSON.stringify({ error: e.message })}\n`);
    else process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const err = e as Error;
  if (out.json) process.stdout.write(`${JSON.stringify({ error: err.message })}\n`);
  else process.stderr.write(`Lỗi hệ thống: ${err.message}\n${process.env.THIDUA_DEBUG ? `${err.stack}\n` : 'Đặt THIDUA_DEBUG=1 để xem chi tiết.\n'}`);
  return EXIT.failed;
}

export const USAGE = `Cách dùng: thidua <lệnh> [tùy chọn]

Lệnh:
  demo                          chạy câu chuyện mẫu trên stack cục bộ (npm start)
  up [--sample]                 chạy stack cục bộ cho đến khi nhấn Ctrl+C (hộp thư web, bảng điều khiển, các hàm);
                                --sample: nạp đơn vị mẫu và mỗi vai trò một tài khoản mẫu để thử bảng điều khiển
  units import TỆP.csv          nhập danh sách đơn vị (id,name,level,parent_id,emails,leader_emails); mọi lỗi của tệp báo cùng lúc
  directive issue TỆP.json      ban hành chỉ thị và giao chỉ tiêu cho các đơn vị
  directive amend TỆP.json      điều chỉnh chỉ thị đã ban hành (phiên bản mới)
  directive withdraw MÃ --reason "…"   thu hồi chỉ thị
  directive show MÃ             xem chỉ thị
  status MÃ                     tình hình giao chỉ tiêu, nghĩa vụ báo cáo, thư đã gửi
  results MÃ --period KỲ [--unit ĐƠN_VỊ] [--recompute]   kết quả kỳ: tỷ lệ báo cáo, chỉ tiêu, điểm và xếp hạng
  report template --directive MÃ --period KỲ --unit ĐƠN_VỊ [--out TỆP]   ghi mẫu báo cáo (.xlsx) của đơn vị
  report upload TỆP --directive MÃ --period KỲ --unit ĐƠN_VỊ     nộp báo cáo (như đường dẫn trong thư), chờ kết quả kiểm tra
  report submit MÃ --period KỲ --unit ĐƠN_VỊ [--at THỜI_ĐIỂM]   ghi nhận một báo cáo đã nộp (không kèm tệp)
  deadline extend MÃ --period KỲ [--unit ĐƠN_VỊ] --until NGÀY     gia hạn nộp báo cáo
  calendar NĂM [--cutoff decree09|calendar] [--days N] [--offline]   ngày nghỉ, các kỳ báo cáo và hạn nộp
  calendar load TỆP.json        nạp thông báo nghỉ lễ, hoán đổi ngày làm việc của năm (year, extra, removed, workingWeekends)
  extract TỆP                   đọc văn bản (PDF, DOCX, TXT): số, ngày, cơ quan, nơi nhận, nhiệm vụ, chế độ báo cáo
  directive draft upload TỆP --unit ĐƠN_VỊ                     tải văn bản chỉ đạo lên, lập bản nháp chỉ thị (hoặc nhận ra văn bản đã có)
  directive draft list --unit ĐƠN_VỊ | show MÃ                  các bản nháp; nội dung đọc được, mục còn thiếu
  directive draft confirm MÃ [--file BỔ_SUNG.json]              bổ sung, xác nhận và ban hành chỉ thị từ bản nháp
  clock show | set THỜI_ĐIỂM | advance KHOẢNG                    giờ giả lập; các lịch (nhắc việc, khóa kỳ) chạy khi đồng hồ đi qua
  wait [--timeout 120s]         chờ stack đang chạy (thidua up) xử lý xong mọi việc; không có stack nào chạy thì không có gì để chờ

Tùy chọn chung:
  --json                        in kết quả dạng JSON (cho script)
  --verbose                     in nhật ký của các hàm
  --aws                         làm việc với hệ thống đã triển khai trên AWS (cần TABLE_NAME, EVENT_BUS_NAME, AWS_REGION)
  --wait                        khi đang có thidua up: chỉ kết thúc khi các hàm đã xử lý xong việc lệnh vừa tạo ra
                                (lệnh chỉ đọc thì chờ trước rồi mới đọc); không có thidua up thì lệnh luôn tự chờ
  --timeout 120s                chờ lâu nhất bao lâu (mặc định 120s; ví dụ 90s, 5m); hết giờ mà chưa xong: mã thoát 5
  --no-keep                     (demo) dừng ngay sau khi in tóm tắt
  --help                        in hướng dẫn này

Mã thoát: 0 thành công, 1 lỗi hệ thống, 2 sai cú pháp lệnh, 3 dữ liệu đầu vào sai, 4 không tìm thấy,
  5 chưa xử lý xong trong thời gian chờ (--wait, --timeout, wait).`;
