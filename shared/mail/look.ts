/**
 * The look the leaders' emails share (the period digest, the multi-year review): one palette and the few inline-styled
 * pieces mail clients render alike. Everything shown is escaped here.
 */
import { esc } from './html.ts';

export const MAIL_COLORS = {
  ink: '#1f2933',
  muted: '#5f6b7a',
  navy: '#1d3557',
  navySoft: '#c9d4e3',
  line: '#d5dae1',
  head: '#eef2f6',
  soft: '#f6f8fa',
  track: '#e3e7ec',
  good: '#2e7d4f',
  goodBg: '#e5f2ea',
  warn: '#946200',
  warnBg: '#fbf1d9',
  warnBar: '#c99a2e',
  bad: '#b42318',
  badBg: '#fbe8e6',
  badBar: '#c0504d',
  bar: '#4a6fa5',
} as const;

const C = MAIL_COLORS;

/** "1. Title", a numbered section heading underlined in navy. */
export function sectionHeading(n: number, text: string): string {
  return `<h2 style="margin:26px 0 10px;padding:0 0 5px;border-bottom:2px solid ${C.navy};font-size:16px;line-height:1.35;color:${C.navy};">${n}. ${esc(text)}</h2>`;
}

export function para(text: string, extra = ''): string {
  return `<p style="margin:8px 0;font-size:14px;line-height:1.5;${extra}">${esc(text)}</p>`;
}

/** The first letter capitalized, as at the start of a sentence. */
export const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);

/** An email's numbered sections, written once for both its HTML and its plain-text part. */
export function numberedSections(): { add(title: string, html: string, text: string): void; html: string[]; text: string[] } {
  const html: string[] = [];
  const text: string[] = [];
  let n = 0;
  return {
    add(title, sectionHtml, sectionText) {
      n++;
      html.push(sectionHeading(n, title), sectionHtml);
      text.push(`${n}. ${title.toLocaleUpperCase('vi')}`, sectionText, '');
    },
    html,
    text,
  };
}

/** A leaders' email: its banner, the greeting, the introduction, the numbered sections and a closing line (HTML). */
export function letterHtml(parts: { banner: string; greeting: string; intro: string; sections: readonly string[]; closingHtml: string }): string {
  return [
    parts.banner,
    `<p style="margin:16px 0 8px;font-size:14px;line-height:1.5;"><b>${esc(parts.greeting)}</b></p>`,
    para(parts.intro),
    ...parts.sections,
    parts.closingHtml,
  ].join('\n');
}

/** The same letter as plain text, with the line every automatic email ends on. */
export function letterText(parts: { title: string; subtitle: string; greeting: string; intro: string; sections: readonly string[]; closing: string }): string {
  return [parts.title, parts.subtitle, '', parts.greeting, '', parts.intro, '', ...parts.sections, parts.closing, '', 'Thư này được gửi tự động từ hệ thống thidua. Vui lòng không trả lời thư này.'].join('\n');
}
