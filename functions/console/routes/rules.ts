/**
 * The year's rules, kept by the issuing office: the titles each level may aim for with their award multipliers and
 * the council's threshold for each, the quorum, the base salary, the posting's days, the registration deadline and
 * whether a unit that did not register is considered. The form starts from the law's defaults; the history rules of
 * a title are kept as they are (they are data, written with the title).
 */
import type { Hono } from 'hono';
import { UnitLevel, LEVEL_NAME_VI } from '../../../shared/domain/units.ts';
import type { Directive } from '../../../shared/domain/directive.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import { slugVi } from '../../../shared/domain/text.ts';
import type { EmulationRules, Fraction, Title } from '../../../shared/domain/emulation/types.ts';
import { rulesOf, setRules } from '../../../shared/app/emulation-year.ts';
import { audit, authorize, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, esc, page } from '../layout.ts';
import { directiveOf, emulationDeps, yearPath } from './year-common.ts';

const fractionText = (f: Fraction) => (100 % f.den === 0 ? `${(f.num * 100) / f.den}%` : `${f.num}/${f.den}`);

/** "2/3", "70%", "70" → an exact fraction; undefined for anything else. */
export function parseFraction(text: string): Fraction | undefined {
  const t = text.trim().replace(/\s+/g, '');
  const ratio = /^(\d{1,3})\/(\d{1,3})$/.exec(t);
  if (ratio) return { num: Number(ratio[1]), den: Number(ratio[2]) };
  const percent = /^(\d{1,3})%?$/.exec(t);
  return percent ? { num: Number(percent[1]), den: 100 } : undefined;
}

function titleRow(t: Partial<Title>, i: number): string {
  const levels = UnitLevel.options.map((l) => `<option value="${l}"${t.level === l ? ' selected' : ''}>${esc(LEVEL_NAME_VI[l])}</option>`).join('');
  const rule = (r: 'more-than' | 'at-least', label: string) => `<option value="${r}"${t.threshold?.rule === r ? ' selected' : ''}>${label}</option>`;
  return `<tr><td><input type="hidden" name="t${i}.id" value="${esc(t.id ?? '')}"><label class="muted" for="t${i}-name">Tên danh hiệu</label><input type="text" id="t${i}-name" name="t${i}.name" value="${esc(t.nameVi ?? '')}"></td>
<td><label class="muted" for="t${i}-level">Cấp</label><select id="t${i}-level" name="t${i}.level">${levels}</select></td>
<td><label class="muted" for="t${i}-multiplier">Hệ số tiền thưởng</label><input type="text" inputmode="decimal" id="t${i}-multiplier" name="t${i}.multiplier" value="${esc(t.multiplier?.toString().replace('.', ',') ?? '')}"></td>
<td><label><input type="checkbox" name="t${i}.flag" value="yes"${t.clusterFlag ? ' checked' : ''}> Cờ thi đua của cụm</label></td>
<td><label class="muted" for="t${i}-rule">Ngưỡng phiếu</label><select id="t${i}-rule" name="t${i}.rule">${rule('more-than', 'trên')}${rule('at-least', 'từ … trở lên')}</select><input type="text" aria-label="Tỷ lệ phiếu" name="t${i}.of" value="${esc(t.threshold ? fractionText(t.threshold.of) : '')}"></td></tr>`;
}

function rulesPage(c: ConsoleContext, directive: Directive, rules: EmulationRules, error?: InputError): string {
  const session = sessionOf(c);
  const rows = [...rules.titles, {}].map((t, i) => titleRow(t, i)).join('');
  const errors = error ? `<div class="flash error" role="alert"><p>${esc(error.messageVi)}</p>${error.details.length ? `<ul>${error.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</div>` : '';
  const resultsTitle = rules.titles.map((t) => `<option value="${esc(t.id)}"${t.id === rules.resultsTitleId ? ' selected' : ''}>${esc(t.nameVi)}</option>`).join('');
  const [mm, dd] = [rules.registrationDeadline.slice(0, 2), rules.registrationDeadline.slice(3, 5)];
  return page(
    `<nav class="crumbs"><a href="${yearPath(directive.id)}">Năm thi đua ${directive.year}</a> › Quy tắc</nav><h1>Quy tắc năm thi đua ${directive.year}</h1>${errors}
<form method="post" class="stack" action="${yearPath(directive.id)}/rules">${csrfField(session)}
<label for="quorum">Số thành viên có mặt tối thiểu (tỷ lệ, ví dụ 2/3)</label><input type="text" id="quorum" name="quorum" value="${esc(fractionText(rules.quorum))}">
<label for="base-salary">Mức lương cơ sở (đồng)</label><input type="text" inputmode="numeric" id="base-salary" name="baseSalary" value="${rules.baseSalary}">
<label for="posting-days">Số ngày niêm yết công khai</label><input type="number" min="1" id="posting-days" name="postingDays" value="${rules.postingDays}">
<label for="deadline">Hạn đăng ký thi đua (ngày/tháng)</label><input type="text" id="deadline" name="registrationDeadline" value="${dd}/${mm}">
<label><input type="checkbox" name="registrationRequired" value="yes"${rules.registrationRequired ? ' checked' : ''}> Đơn vị không đăng ký thì không được xét</label>
<label for="results-title">Danh hiệu đề nghị theo kết quả (đơn vị không đăng ký danh hiệu nào)</label><select id="results-title" name="resultsTitleId">${resultsTitle}</select>
<h2>Danh hiệu</h2><p class="muted">Để trống tên ở dòng cuối nếu không thêm danh hiệu.</p><div class="scroll"><table class="data" id="titles"><tbody>${rows}</tbody></table></div>
<button class="primary" type="submit">Lưu quy tắc</button></form>`,
    { title: 'Quy tắc năm thi đua', nonce: c.get('nonce'), session },
  );
}

/** The form as rules: every field read as written, the law's checks left to `setRules` (one list of problems). */
function rulesOfForm(body: Record<string, unknown>, current: EmulationRules): unknown {
  const text = (k: string) => String(body[k] ?? '').trim();
  const number = (k: string) => Number(text(k).replace(/\./g, '').replace(',', '.'));
  const titles = Object.keys(body)
    .flatMap((k) => /^t(\d+)\.name$/.exec(k)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b)
    .filter((i) => text(`t${i}.name`))
    .map((i) => {
      const id = text(`t${i}.id`) || slugVi(text(`t${i}.name`)).slice(0, 60);
      const kept = current.titles.find((t) => t.id === id);
      return {
        id,
        nameVi: text(`t${i}.name`),
        level: text(`t${i}.level`),
        multiplier: Number(text(`t${i}.multiplier`).replace(',', '.')),
        threshold: { rule: text(`t${i}.rule`), of: parseFraction(text(`t${i}.of`)) ?? { num: -1, den: 1 } },
        historyRules: kept?.historyRules ?? [],
        clusterFlag: body[`t${i}.flag`] === 'yes',
      };
    });
  const deadline = /^(\d{1,2})\/(\d{1,2})$/.exec(text('registrationDeadline'));
  return {
    titles,
    quorum: parseFraction(text('quorum')) ?? { num: -1, den: 1 },
    baseSalary: number('baseSalary'),
    postingDays: number('postingDays'),
    registrationDeadline: deadline ? `${deadline[2]!.padStart(2, '0')}-${deadline[1]!.padStart(2, '0')}` : text('registrationDeadline'),
    registrationRequired: body.registrationRequired === 'yes',
    resultsTitleId: text('resultsTitleId'),
  };
}

export function rulesRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/emulation/:directiveId/rules', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    return c.html(rulesPage(c, directive, await rulesOf(emulationDeps(c), directive)));
  });

  app.post('/emulation/:directiveId/rules', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    const current = await rulesOf(emulationDeps(c), directive);
    try {
      const rules = await setRules(emulationDeps(c), directive, rulesOfForm(await c.req.parseBody(), current));
      await audit(c, { action: 'emulation.manage', unit: issuer, target: `${directive.id}/${directive.year}`, summaryVi: `Lưu quy tắc năm thi đua: ${rules.titles.length} danh hiệu, có mặt tối thiểu ${fractionText(rules.quorum)}` });
      return c.redirect(`${yearPath(directive.id)}?done=rules`, 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return c.html(rulesPage(c, directive, current, e), 400);
    }
  });
}
