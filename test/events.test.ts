/** The samples in events/ are documentation: each must be what its schema accepts, so they cannot drift. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AssignmentWorkItem, EVENT_TYPES, MailBatch, MailMessage, parseEvent, RejectionMailDue, S3Notification } from '../events/schemas.ts';
import { unpackMailMessage } from '../events/mail-batch.ts';

const dir = fileURLToPath(new URL('../events/samples/', import.meta.url));
const sample = (name: string): unknown => JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));
const MESSAGES = { 'AssignmentWorkItem.json': AssignmentWorkItem, 'MailBatch.json': MailBatch, 'MailMessage.json': MailMessage, 'S3ObjectCreated.json': S3Notification, 'RejectionMailDue.json': RejectionMailDue };

describe('event and message samples', () => {
  it('there is one sample per event type, and one per queue message shape', () => {
    // Act
    const files = readdirSync(dir).sort();

    // Assess
    expect(files).toEqual([...EVENT_TYPES.map((t) => `${t}.json`), ...Object.keys(MESSAGES)].sort());
  });

  it.each(EVENT_TYPES)('%s: the sample parses with its schema', (type) => {
    // Act
    const parsed = parseEvent(sample(`${type}.json`), [type]);

    // Assess
    expect(parsed.type).toBe(type);
  });

  it.each(Object.entries(MESSAGES))('%s: the sample parses with its schema', (file, schema) => {
    expect(schema.safeParse(sample(file)).success).toBe(true);
  });

  it('MailBatch.json unpacks to the mail of MailMessage.json', () => {
    // Act
    const unpacked = unpackMailMessage(sample('MailBatch.json'));

    // Assess
    expect(unpacked.mails).toEqual([MailMessage.parse(sample('MailMessage.json'))]);
  });
});
