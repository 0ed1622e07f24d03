import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectTaggingCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { GetSendQuotaCommand, SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import type { S3SpyEvent } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, startStack, type LocalStack } from '../local/stack/stack.ts';
import { aws } from '../shared/adapters/aws.ts';
import { RateLimiter, SesMailer } from '../shared/adapters/ses.ts';
import { eventPublisher, reportStorage, repository, uploadSecret } from '../shared/adapters/wiring.ts';
import { issueDirective } from '../shared/app/directives.ts';
import { uploadLink } from '../shared/app/uploads.ts';
import { buildPaths } from '../shared/domain/units.ts';
import { eventually, provinceRows, sampleDirective } from './support/flow.ts';

// One stack on a data folder, with a simulated clock; restarted on the same folder where a test says so.
const dataDir = mkdtempSync(join(tmpdir(), 'thidua-local-stack-'));
let simulated = new Date('2027-03-16T09:00:00+07:00');
let stack: LocalStack;
const logs: string[] = [];
const start = () => startStack({ dataDir, logLevel: 'SILENT', retryDelaySeconds: () => 1, console: false, log: (m) => logs.push(m), now: () => simulated });
const ref = { directiveId: 'ls-2027', periodId: '2027-Q1', unitId: 'ls-x0' };
const BUCKET = 'thidua-reports';
const TO = ['ubnd.x0@ls.test.vn', 'vanphong.x0@ls.test.vn'];
const CC = ['chutich.x0@ls.test.vn', 'phochutich.x0@ls.test.vn'];
const BCC = ['luu@ls.test.vn', 'kiemtra@ls.test.vn'];

async function token(): Promise<string> {
  const [obligation] = await repository().getObligations([ref]);
  return new URL(uploadLink(obligation!, stack.uploadUrl, await uploadSecret())).searchParams.get('t')!;
}

const presign = async (t: string, fileName: string, size: number) =>
  fetch(new URL('presign', stack.uploadUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ t, fileName, size }) });

beforeAll(async () => {
  stack = await start();
  const repo = repository();
  await repo.putUnits(buildPaths(provinceRows('ls', 1)));
  await issueDirective(sampleDirective({ id: 'ls-2027', issuerId: 'ls', targetUnits: { scope: 'children' } }), { directives: repo, units: repo, events: eventPublisher(), clock: { now: () => new Date('2027-01-04T08:00:00+07:00') } });
  await stack.settle();
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the bucket on the upload page\'s origin', () => {
  let key = '';
  const bytes = Buffer.from('thon,ho-ngheo\nThôn 1,3\n', 'utf8');

  it('takes the presigned PUT of a browser on the page (preflight included), and the intake still hears of it', async () => {
    // Prepare
    const origin = new URL(stack.uploadUrl).origin;
    const presigned = (await (await presign(await token(), 'q1.csv', bytes.length)).json()) as { url: string; key: string; headers: Record<string, string> };
    key = presigned.key;
    const seen = stack.queues.server.spy.waitForMessage((m) => (m as S3SpyEvent).service === 's3' && (m as S3SpyEvent).key === key, 'uploaded');

    // Act: what a browser does for a cross-origin-looking PUT, then the PUT itself with its Origin
    const preflight = await fetch(presigned.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
    const notPut = await fetch(presigned.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
    const otherHeader = await fetch(presigned.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-amz-acl' } });
    const put = await fetch(presigned.url, { method: 'PUT', headers: { ...presigned.headers, origin }, body: bytes });

    // Assess
    expect(presigned.url.startsWith(`${origin}/_s3/${BUCKET}/reports/ls-2027/2027-Q1/ls-x0/`)).toBe(true);
    expect(new URL(presigned.url).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The preflight is answered by the bucket's CORS rule on AWS (PUT, any origin, content-type and content-length).
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    expect([notPut.status, otherHeader.status]).toEqual([403, 403]);
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBeTruthy();
    expect(put.headers.get('access-control-allow-origin')).toBe('*');
    const stored = await reportStorage().get(key, { maxBytes: 1_000_000 });
    expect(Buffer.from(stored.bytes!).equals(bytes)).toBe(true);
    await seen;
    const report = await eventually('the intake\'s record of the upload', async () => (await repository().reportsOf(ref)).find((r) => r.reportKey === key));
    expect(report.status).toBe('rejected');
  });

  it('keeps object tags beside the bucket with S3\'s shapes, and never overwrites the object with them', async () => {
    // Prepare: an object of its own, where no function tags anything (the intake tags the rejected upload above)
    const s3 = aws().s3;
    const tags = [{ Key: 'thidua-outcome', Value: 'rejected' }, { Key: 'ghi-chú', Value: 'a & <b>' }];
    const key = 'templates/ls/nhan.csv';
    await reportStorage().put(key, bytes, 'text/csv');

    // Act
    const before = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: key, Tagging: { TagSet: tags } }));
    const after = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: key, VersionId: 'v1', Tagging: { TagSet: [{ Key: 'only', Value: 'v1' }] } }));
    const ofVersion = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key, VersionId: 'v1' }));
    const missing = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: `${key}.khong-co` })).catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    const tooMany = await s3
      .send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: key, Tagging: { TagSet: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) } }))
      .catch((e: unknown) => e as { name: string });

    // Assess
    expect(before.TagSet).toEqual([]);
    expect(after.TagSet).toEqual(tags);
    expect(ofVersion).toMatchObject({ VersionId: 'v1', TagSet: [{ Key: 'only', Value: 'v1' }] });
    expect(missing).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(tooMany).toMatchObject({ name: 'BadRequest' });
    const stored = await reportStorage().get(key, { maxBytes: 1_000_000 });
    expect(Buffer.from(stored.bytes!).equals(bytes)).toBe(true);
  });
});

describe('the upload page on the stack\'s clock', () => {
  it('refuses a link the simulated clock has expired, opens it before, and stamps the upload with that clock', async () => {
    // Prepare: the link of a report due 19/03/2027 stays valid 60 days after (to 18/05/2027)
    const t = await token();

    // Act
    simulated = new Date('2027-06-01T08:00:00+07:00');
    const expired = await fetch(`${stack.uploadUrl}?t=${encodeURIComponent(t)}`);
    const expiredPresign = await presign(t, 'q1.csv', 10);
    simulated = new Date('2027-03-16T09:00:00+07:00');
    const open = await fetch(`${stack.uploadUrl}?t=${encodeURIComponent(t)}`);
    const presigned = (await (await presign(t, 'q1.csv', 10)).json()) as { key: string };

    // Assess
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Đường dẫn nộp báo cáo đã hết hạn');
    expect(expiredPresign.status).toBe(403);
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('Nộp báo cáo Quý I/2027');
    expect(presigned.key).toMatch(/^reports\/ls-2027\/2027-Q1\/ls-x0\/20270316020000-[0-9a-f]{8}\.csv$/);
  });
});

describe('the local inbox', () => {
  const ses = () => new SESClient({ region: 'ap-southeast-1', endpoint: stack.sesEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestHandler: { requestTimeout: 10_000 } });
  const [to, cc] = [TO, CC];

  it('keeps every To, Cc and Bcc of SendEmail, SendRawEmail and SES v2, and lists them on its page', async () => {
    // Prepare
    await stack.clearInbox();
    const mailer = new SesMailer(ses(), 'thidua@thidua.local', new RateLimiter(0), reportStorage());
    await reportStorage().put('templates/ls/mau.csv', Buffer.from('a,b\n'), 'text/csv');

    // Act: v1 SendEmail (as the mail function sends), v1 SendRawEmail (with an attachment), v2 SendEmail
    await ses().send(
      new SendEmailCommand({
        Source: 'thidua@thidua.local',
        Destination: { ToAddresses: to, CcAddresses: cc, BccAddresses: BCC },
        Message: { Subject: { Data: 'Thư một' }, Body: { Html: { Data: '<p>Một</p>' }, Text: { Data: 'Một' } } },
      }),
    );
    await mailer.send({ key: 'k', to, cc, subject: 'Thư hai, có tệp', html: '<p>Hai</p>', text: 'Hai', kind: 'test', attachments: [{ fileName: 'mẫu.csv', contentType: 'text/csv', s3Key: 'templates/ls/mau.csv' }] });
    const v2 = await fetch(`${stack.sesEndpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=local/20270316/ap-southeast-1/ses/aws4_request' },
      body: JSON.stringify({ FromEmailAddress: 'thidua@thidua.local', Destination: { ToAddresses: to, CcAddresses: cc }, Content: { Simple: { Subject: { Data: 'Thư ba' }, Body: { Text: { Data: 'Ba' } } } } }),
    });
    const unknown = await ses().send(new GetSendQuotaCommand({})).catch((e: unknown) => e as { name: string });
    const inbox = await stack.inbox();
    const page = await (await fetch(stack.inboxUrl)).text();

    // Assess
    expect(v2.status).toBe(200);
    expect(unknown).toMatchObject({ name: 'InvalidAction' }); // aws-ses-v2-local alone never answers it
    expect(inbox.map((m) => [m.subject, m.destination])).toEqual([
      ['Thư một', { to, cc, bcc: BCC }],
      ['Thư hai, có tệp', { to, cc, bcc: [] }],
      ['Thư ba', { to, cc, bcc: [] }],
    ]);
    expect(inbox[1]!.body.text).toContain('Hai');
    // Every mail's row lists all of its recipients.
    expect(page.split(`<th>Tới</th><td>${to.join(', ')}</td>`)).toHaveLength(4);
    expect(page.split(`<th>Cc</th><td>${cc.join(', ')}</td>`)).toHaveLength(4);
    expect(page).toContain(`<th>Bcc</th><td>${BCC.join(', ')}</td>`);
    expect(page).toContain('Thư hai, có tệp');
    expect(page).toContain('mẫu.csv');
  });
});

describe('a restart on the same data folder', () => {
  let blocker: Server | undefined;
  afterAll(() => blocker?.close());

  it('keeps the upload page\'s port, the inbox and the object tags; moves to a free port only when its own is taken', { timeout: 180_000 }, async () => {
    // Prepare
    const uploadUrl = stack.uploadUrl;
    const mails = (await stack.inbox()).length;
    const s3Key = 'templates/ls/mau.csv';
    await aws().s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: s3Key, Tagging: { TagSet: [{ Key: 'thidua-outcome', Value: 'rejected' }] } }));

    // Act
    await stack.stop();
    stack = await start();
    const inbox = await stack.inbox();
    const page = await (await fetch(stack.inboxUrl)).text();
    const tags = await aws().s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: s3Key }));
    const sameUrl = stack.uploadUrl;
    await stack.clearInbox();
    const cleared = await stack.inbox();
    await stack.stop();
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(Number(new URL(uploadUrl).port), '127.0.0.1', r));
    stack = await start();

    // Assess
    expect(sameUrl).toBe(uploadUrl);
    expect(inbox).toHaveLength(mails);
    expect(inbox.map((m) => m.subject)).toEqual(['Thư một', 'Thư hai, có tệp', 'Thư ba']);
    expect(inbox[0]!.destination).toEqual({ to: TO, cc: CC, bcc: BCC });
    expect(page).toContain(`<th>Cc</th><td>${CC.join(', ')}</td>`);
    expect(tags.TagSet).toEqual([{ Key: 'thidua-outcome', Value: 'rejected' }]);
    expect(cleared).toEqual([]);
    expect(stack.uploadUrl).not.toBe(uploadUrl);
    expect(logs.some((l) => l.includes(`port ${new URL(uploadUrl).port} is taken`))).toBe(true);
    expect(await stack.inbox()).toEqual([]);
  });
});

describe('thidua up and the commands beside it', () => {
  const home = mkdtempSync(join(tmpdir(), 'thidua-up-'));
  const thidua = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli/main.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, THIDUA_HOME: home, CI: 'true' }, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  let up: ReturnType<typeof spawn> | undefined;
  afterAll(async () => {
    if (up?.exitCode === null) {
      up.kill('SIGTERM');
      await new Promise((r) => up!.once('exit', r));
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('writes stack.json for its owner only, without the upload secret, and the commands beside it still sign links', { timeout: 300_000 }, async () => {
    // Prepare: a stale stack.json readable by everyone (its process is gone), a small province and a directive for it
    const stackFile = join(home, 'stack.json');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(stackFile, JSON.stringify({ pid: gone, env: {}, inboxUrl: '', startedAt: '' }));
    chmodSync(stackFile, 0o644);
    writeFileSync(
      join(home, 'units.csv'),
      'id,name,level,parent_id,emails,leader_emails,households,population\nup,Tỉnh Thử,province,,vp@up.test.vn,bithu@up.test.vn,,\nup-x0,Xã Một,commune,up,ubnd.x0@up.test.vn,chutich.x0@up.test.vn,,\nup-x0-t0,Thôn 1,village,up-x0,thon0@up.test.vn,,100,400\n',
    );
    writeFileSync(join(home, 'directive.json'), JSON.stringify(sampleDirective({ id: 'up-2027', issuerId: 'up', targetUnits: { scope: 'children' } })));

    // Act
    up = spawn(process.execPath, ['--import', 'tsx', 'local/cli/main.ts', 'up'], { cwd: PROJECT_ROOT, env: { ...process.env, THIDUA_HOME: home, CI: 'true' }, stdio: 'ignore' });
    const running = await eventually('thidua up to write stack.json', async () => {
      const s = existsSync(stackFile) ? (JSON.parse(readFileSync(stackFile, 'utf8')) as { pid: number; env: Record<string, string>; dataDir?: string }) : undefined;
      return s?.pid === up!.pid ? s : undefined;
    }, 120_000);
    const mode = statSync(stackFile).mode & 0o777;
    const imported = thidua('units', 'import', join(home, 'units.csv'));
    const issued = thidua('directive', 'issue', join(home, 'directive.json'));
    const template = join(home, 'mau.xlsx');
    const made = await eventually('the template of a unit assigned beside thidua up', async () => {
      const r = thidua('report', 'template', '--directive', 'up-2027', '--period', '2027-Q1', '--unit', 'up-x0', '--out', template);
      if (r.code !== 0) throw new Error(r.stderr);
      return r;
    }, 120_000);
    const uploaded = thidua('report', 'upload', template, '--directive', 'up-2027', '--period', '2027-Q1', '--unit', 'up-x0');

    // Assess
    expect(mode).toBe(0o600);
    expect(running.env.UPLOAD_TOKEN_SECRET).toBeUndefined();
    expect(JSON.stringify(running)).not.toContain(readFileSync(join(home, 'data', 'upload-secret'), 'utf8').trim());
    expect(running.env.AWS_ENDPOINT_URL_S3).toBe(`${new URL(running.env.UPLOAD_BASE_URL!).origin}/_s3`);
    expect(imported.code).toBe(0);
    expect(issued.code).toBe(0);
    expect(made.code).toBe(0);
    expect(statSync(template).size).toBeGreaterThan(1000);
    // The blank template goes through the page and the bucket of the running stack, and gets the intake's verdict.
    expect(`${uploaded.stdout}${uploaded.stderr}`).toMatch(/Báo cáo chưa hợp lệ|Báo cáo đã được chấp nhận/);
  });
});
