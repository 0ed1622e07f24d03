/**
 * The upload page a signed link opens, as a hostile user and a real AWS account would meet it: presigned URLs that
 * real S3 accepts, a tampered link that must not run script, an upload limit per report and hour, and the links of
 * a withdrawn directive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDirective, withdrawDirective } from '../shared/app/directives.ts';
import { systemClock } from '../shared/app/ports.ts';
import { recordSubmission } from '../shared/app/reports.ts';
import { presignUpload, uploadLink, type UploadDeps } from '../shared/app/uploads.ts';
import { reportStorage, uploadSecret } from '../shared/adapters/wiring.ts';
import { signUploadGrant, verifyUploadGrant } from '../shared/domain/upload-token.ts';
import { jsonForHtml } from '../shared/web/html.ts';
import { loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
const DIRECTIVE = 'up-2027';
const ref = (unitId: string, directiveId = DIRECTIVE) => ({ directiveId, periodId: '2027-Q1', unitId });

beforeAll(async () => {
  // The stack's clock stands still in the middle of an hour: ten uploads cannot straddle two clock hours.
  flow = await startFlow({ now: () => new Date('2027-03-16T03:30:00Z') });
  await loadProvince(flow, 'up', 4);
  await issueDirective(sampleDirective({ id: DIRECTIVE, issuerId: 'up', targetUnits: { scope: 'children' } }), flow.deps());
  await issueDirective(sampleDirective({ id: 'up-rut-2027', number: '24-CT/TU', issuerId: 'up', targetUnits: { scope: 'children' } }), flow.deps());
  await flow.stack.settle();
});

afterAll(async () => {
  await flow?.stack.stop();
});

async function tokenFor(r: ReturnType<typeof ref>): Promise<string> {
  const [o] = await flow.repo.getObligations([r]);
  return new URL(uploadLink(o!, flow.stack.uploadUrl, await uploadSecret())).searchParams.get('t')!;
}

const uploadDeps = async (): Promise<UploadDeps> => ({
  secret: await uploadSecret(),
  obligations: flow.repo,
  directives: flow.repo,
  units: flow.repo,
  assignments: flow.repo,
  storage: reportStorage(),
  clock: systemClock,
  maxBytes: 5_000_000,
  quota: flow.repo,
  maxUploadsPerHour: 10,
});

const presignOver = (token: string, fileName = 'bao-cao.xlsx', size = 1000) =>
  fetch(new URL('presign', flow.stack.uploadUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ t: token, fileName, size }) });

describe('presigned uploads that real S3 accepts', () => {
  it('signs no checksum into the upload URL (real S3 would check the empty body’s CRC32 against the file)', async () => {
    // Prepare
    const token = await tokenFor(ref('up-x0'));

    // Act: the production path, from the link to the URL the browser PUTs to
    const presigned = await presignUpload(token, { name: 'bao-cao.xlsx', size: 12_345 }, await uploadDeps());
    const params = [...new URL(presigned.url).searchParams.keys()].map((k) => k.toLowerCase());

    // Assess
    expect(params.filter((k) => k.startsWith('x-amz-checksum') || k === 'x-amz-sdk-checksum-algorithm')).toEqual([]);
    expect(new URL(presigned.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['content-length', 'content-type', 'host', 'if-none-match']);
    expect(presigned.headers).toEqual({ 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'if-none-match': '*' });
  });
});

describe('a tampered link runs no script', () => {
  it('accepts only the canonical token: anything appended to a valid signature is refused', async () => {
    // Prepare
    const secret = 'a-secret';
    const token = signUploadGrant({ directiveId: 'd', periodId: '2027-Q1', unitId: 'u', exp: 2_000_000_000 }, secret);
    const now = new Date('2027-01-01T00:00:00Z');

    // Act
    const verdicts = ['=</script><script>alert(1)</script>', '=', '==', '%3D', '\u0000', ' '].map((tail) => verifyUploadGrant(token + tail, secret, now));

    // Assess
    expect(verifyUploadGrant(token, secret, now)).toMatchObject({ ok: true, token });
    for (const v of verdicts) expect(v).toMatchObject({ ok: false });
  });

  it('refuses the page of a link with script appended, and never echoes it', async () => {
    // Prepare
    const token = await tokenFor(ref('up-x0'));
    const evil = `${token}=</script><script>document['title']='pwned'</script>`;

    // Act
    const res = await fetch(`${flow.stack.uploadUrl}?t=${encodeURIComponent(evil)}`);
    const body = await res.text();

    // Assess
    expect(res.status).toBe(403);
    expect(body).toContain('Đường dẫn nộp báo cáo không hợp lệ');
    expect(body).not.toContain("<script>document['title']");
    expect(body).not.toContain('pwned');
  });

  it('serves its script under a per-response nonce, no unsafe-inline, connecting only to itself and the bucket', async () => {
    // Prepare
    const token = await tokenFor(ref('up-x0'));

    // Act
    const [first, second] = await Promise.all([fetch(`${flow.stack.uploadUrl}?t=${encodeURIComponent(token)}`), fetch(`${flow.stack.uploadUrl}?t=${encodeURIComponent(token)}`)]);
    const csp = first.headers.get('content-security-policy') ?? '';
    const body = await first.text();
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];

    // Assess
    expect(first.status).toBe(200);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/connect-src[^;]*\*/);
    expect(csp).toMatch(new RegExp(`connect-src 'self' ${new URL(flow.stack.env.AWS_ENDPOINT_URL_S3!).origin}`));
    expect(nonce).toBeTruthy();
    expect(second.headers.get('content-security-policy')).not.toContain(nonce!);
    // Every script and style carries this response's nonce; the token sits in an inert JSON block only.
    const scripts = [...body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toEqual([' type="application/json" id="upload-data"', ` nonce="${nonce}"`]);
    expect([...body.matchAll(/<style([^>]*)>/g)].map((m) => m[1])).toEqual([` nonce="${nonce}"`]);
    expect(body).not.toMatch(/ style="/);
  });

  it('escapes what could close a script element or break JavaScript when JSON goes into HTML', () => {
    // Prepare
    const hostile = { t: '</script><script>alert(1)</script>', c: '<!--', amp: 'a&b', ls: '\u2028\u2029' };

    // Act
    const out = jsonForHtml(hostile);

    // Assess
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(hostile);
  });
});

describe('uploads per report and hour', () => {
  it('refuses the eleventh upload of the hour with 429, in Vietnamese, saying when to try again', async () => {
    // Prepare
    const token = await tokenFor(ref('up-x1'));
    const allowed = [];
    for (let i = 0; i < 10; i++) allowed.push((await presignOver(token)).status);

    // Act
    const refused = await presignOver(token);
    const body = (await refused.json()) as { error: string; details: string[] };
    const otherUnit = await presignOver(await tokenFor(ref('up-x2')));

    // Assess
    expect(allowed).toEqual(Array(10).fill(200));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect(body.error).toBe('Báo cáo này đã có 10 lần tải lên trong giờ này, mức tối đa cho mỗi giờ');
    expect(body.details[0]).toMatch(/^Vui lòng thử lại sau 11:00 ngày 16\/03\/2027 \(giờ Việt Nam\)\./);
    expect(Number(refused.headers.get('retry-after'))).toBe(30 * 60);
    expect(otherUnit.status).toBe(200);
  });
});

describe('a withdrawn directive', () => {
  it('closes its links: the page says it was withdrawn (410), and no upload is presigned', async () => {
    // Prepare: one commune has already reported; then the directive is withdrawn.
    await recordSubmission(ref('up-x3', 'up-rut-2027'), new Date(), { obligations: flow.repo, assignments: flow.repo });
    expect((await flow.repo.getObligations([ref('up-x3', 'up-rut-2027')]))[0]?.status).toBe('submitted');
    const submitted = await tokenFor(ref('up-x3', 'up-rut-2027'));
    const open = await tokenFor(ref('up-x2', 'up-rut-2027'));
    await withdrawDirective('up-rut-2027', 'Ban hành nhầm văn bản', flow.deps());
    await flow.stack.settle();

    // Act
    const pages = await Promise.all([submitted, open].map((t) => fetch(`${flow.stack.uploadUrl}?t=${encodeURIComponent(t)}`)));
    const texts = await Promise.all(pages.map((p) => p.text()));
    const presign = await presignOver(submitted);

    // Assess
    expect(pages.map((p) => p.status)).toEqual([410, 410]);
    for (const text of texts) expect(text).toMatch(/Chỉ thị số 24-CT\/TU đã được thu hồi ngày \d{2}\/\d{2}\/\d{4} \(lý do: Ban hành nhầm văn bản\); không cần nộp báo cáo theo văn bản này nữa\./);
    expect(presign.status).toBe(410);
  });
});
