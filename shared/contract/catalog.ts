/**
 * What each Lambda is, in one place: infra/ builds the functions, queues and grants from it,
 * and the local stack runs the same handlers with the same batch sizes, timeouts and queues.
 */
export type QueueId = 'assignment' | 'notify' | 'intake' | 'results' | 'mail' | 'documents';

export interface QueueSpec {
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
}

export const queues: Record<QueueId, QueueSpec> = {
  assignment: { maxReceiveCount: 5 },
  notify: { maxReceiveCount: 5 },
  intake: { maxReceiveCount: 4 },
  results: { maxReceiveCount: 4 },
  mail: { maxReceiveCount: 8 },
  documents: { maxReceiveCount: 4 },
};

export type Access = {
  table: 'read' | 'readwrite';
  sendsTo: readonly QueueId[];
  putsEvents: boolean;
  sendsMail: boolean;
  /**
   * The reports bucket, by key prefix (nothing grants the whole bucket): `reports/` read, tag (rejected files expire)
   * or list (reconciliation), presign uploads to it; `templates/` read (attachments) or write; `results/` read and
   * write; `documents/` read.
   */
  bucket?: {
    readReports?: boolean;
    /** Presign uploads of directive documents (`documents/*`): the console's document upload. */
    presignDocuments?: boolean;
    /** Read the stored period results (`results/*`), never write them: the console's results pages. */
    readResults?: boolean;
    tagReports?: boolean;
    listReports?: boolean;
    presignReports?: boolean;
    readTemplates?: boolean;
    writeTemplates?: boolean;
    results?: boolean;
    documents?: boolean;
    /** Get and Put on `emulation/*`: the year's minutes, decisions and achievement reports (the console). */
    emulationPapers?: boolean;
  };
  /** Reads the secret that signs upload links. */
  uploadSecret?: boolean;
  /** Creates and looks up the console's users in the Cognito user pool (AdminCreateUser, AdminGetUser). */
  identity?: boolean;
};

export type Trigger =
  | { kind: 'events' }
  /**
   * A public HTTPS endpoint (Lambda function URL): the upload page, guarded by the signed link it is given; the console,
   * behind CloudFront and guarded by its sign-in.
   */
  | { kind: 'http' }
  | { kind: 'queue'; queue: QueueId; batchSize: number; maxConcurrency: number; maxBatchingWindowSeconds?: number };

export interface FunctionSpec {
  /** Path of the handler module, from the project root. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  trigger: Trigger;
  access: Access;
}

export const functionSpecs = {
  'fan-out': {
    entry: 'functions/fan-out/handler.ts',
    description: 'Resolves a directive\'s target units and queues their assignment work',
    timeoutSeconds: 300,
    memoryMb: 1024,
    trigger: { kind: 'events' },
    access: { table: 'read', sendsTo: ['assignment'], putsEvents: false, sendsMail: false },
  },
  assignment: {
    entry: 'functions/assignment/handler.ts',
    description: 'Writes assignments and reporting obligations, queues one notification per unit',
    timeoutSeconds: 60,
    memoryMb: 1024,
    trigger: { kind: 'queue', queue: 'assignment', batchSize: 5, maxConcurrency: 10, maxBatchingWindowSeconds: 1 },
    access: { table: 'readwrite', sendsTo: ['mail'], putsEvents: false, sendsMail: false },
  },
  'period-close': {
    entry: 'functions/period-close/handler.ts',
    description: 'When a cut-off window ends, asks every unit for the reports it now owes',
    timeoutSeconds: 300,
    memoryMb: 1024,
    trigger: { kind: 'events' },
    access: { table: 'read', sendsTo: [], putsEvents: true, sendsMail: false },
  },
  sweep: {
    entry: 'functions/sweep/handler.ts',
    description: 'Each morning, finds reports due soon or overdue and announces one notification per unit and step; reminds units that have not registered for the emulation year',
    timeoutSeconds: 300,
    memoryMb: 1024,
    trigger: { kind: 'events' },
    access: { table: 'read', sendsTo: ['mail'], putsEvents: true, sendsMail: false, uploadSecret: true },
  },
  notify: {
    entry: 'functions/notify/handler.ts',
    description: 'Renders report requests, reminders and escalations; drops what was submitted meanwhile',
    timeoutSeconds: 60,
    memoryMb: 1024,
    trigger: { kind: 'queue', queue: 'notify', batchSize: 10, maxConcurrency: 5, maxBatchingWindowSeconds: 1 },
    // Writes only its idempotency records; requests carry the unit's report template and its upload link.
    access: { table: 'readwrite', sendsTo: ['mail'], putsEvents: false, sendsMail: false, bucket: { writeTemplates: true }, uploadSecret: true },
  },
  upload: {
    entry: 'functions/upload/handler.ts',
    description: 'The upload page of a signed link: shows what is due, hands out the template and a presigned URL',
    timeoutSeconds: 15,
    memoryMb: 512,
    trigger: { kind: 'http' },
    access: { table: 'read', sendsTo: [], putsEvents: false, sendsMail: false, bucket: { presignReports: true }, uploadSecret: true },
  },
  intake: {
    entry: 'functions/intake/handler.ts',
    description: 'Reads an uploaded report: accepts it (obligation closed, receipt) or rejects it with each problem',
    timeoutSeconds: 120,
    memoryMb: 1536,
    // Workbooks are parsed in memory: few at a time.
    trigger: { kind: 'queue', queue: 'intake', batchSize: 2, maxConcurrency: 4 },
    // Sends to its own queue the delayed end of a rejection-email window; tags rejected files for expiry.
    access: { table: 'readwrite', sendsTo: ['mail', 'intake'], putsEvents: true, sendsMail: false, bucket: { readReports: true, tagReports: true } },
  },
  results: {
    entry: 'functions/results/handler.ts',
    description: 'Computes a period\'s results up the hierarchy, ranks units and sends each leader one digest',
    timeoutSeconds: 300,
    memoryMb: 2048,
    // One period at a time: a recomputation reads the whole subtree.
    trigger: { kind: 'queue', queue: 'results', batchSize: 1, maxConcurrency: 2 },
    // Reads the table's report records, never the raw files; writes digest tables under templates/.
    access: { table: 'readwrite', sendsTo: ['mail'], putsEvents: false, sendsMail: false, bucket: { writeTemplates: true, results: true } },
  },
  document: {
    entry: 'functions/document/handler.ts',
    description: 'Reads an uploaded directive document (PDF, DOCX, text) into a draft directive, or recognises it as one seen before',
    timeoutSeconds: 120,
    memoryMb: 1536,
    // PDFs are parsed in memory, one at a time per instance.
    trigger: { kind: 'queue', queue: 'documents', batchSize: 1, maxConcurrency: 2 },
    access: { table: 'readwrite', sendsTo: ['mail'], putsEvents: true, sendsMail: false, bucket: { documents: true } },
  },
  console: {
    entry: 'functions/console/handler.ts',
    description: 'The web console: sign-in, directives, reports, approvals, results and administration',
    timeoutSeconds: 29,
    memoryMb: 1024,
    trigger: { kind: 'http' },
    // Pages read and change what the CLI does (directives, drafts, obligations, people, the audit trail); the browser
    // uploads reports and documents through URLs it presigns and downloads originals through presigned GETs.
    access: {
      table: 'readwrite',
      sendsTo: ['mail'],
      putsEvents: true,
      sendsMail: false,
      bucket: { presignReports: true, readReports: true, presignDocuments: true, readResults: true, writeTemplates: true, emulationPapers: true },
      uploadSecret: true,
      identity: true,
    },
  },
  reconcile: {
    entry: 'functions/reconcile/handler.ts',
    description: 'Each night, sends report files that never got a verdict back through the intake',
    timeoutSeconds: 300,
    memoryMb: 512,
    trigger: { kind: 'events' },
    // Lists the reports/ prefix (never reads a file) and replays S3's notification on the intake queue.
    access: { table: 'read', sendsTo: ['intake'], putsEvents: false, sendsMail: false, bucket: { listReports: true } },
  },
  mail: {
    entry: 'functions/mail/handler.ts',
    description: 'Sends rendered notifications through SES at a capped rate, once per mail key, up to 50 to a call',
    // The mails of an invocation's records are sent together: ten single mails (from notify) make one claim and one
    // bulk send. Ten 50-mail batches at a 14/s account's 7/s share take 72 s.
    timeoutSeconds: 120,
    memoryMb: 256,
    // Two concurrent senders at SES_MAX_SEND_RATE/2 each keep the account under its send-rate quota.
    trigger: { kind: 'queue', queue: 'mail', batchSize: 10, maxConcurrency: 2, maxBatchingWindowSeconds: 1 },
    // Reads the attachments (report templates, digest tables) it sends, and nothing else of the bucket.
    access: { table: 'readwrite', sendsTo: [], putsEvents: false, sendsMail: true, bucket: { readTemplates: true } },
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionId = keyof typeof functionSpecs;
export const FUNCTION_IDS = Object.keys(functionSpecs) as FunctionId[];

/** SQS visibility timeout: at least six times the consumer's timeout, as AWS advises for Lambda event sources. */
export function visibilityTimeoutSeconds(queue: QueueId): number {
  const consumers = Object.values(functionSpecs as Record<string, FunctionSpec>).filter(
    (f) => f.trigger.kind === 'queue' && f.trigger.queue === queue,
  );
  const longest = Math.max(...consumers.map((f) => f.timeoutSeconds));
  return 6 * longest;
}

/** Environment variable names each handler reads, set by infra/ on AWS and by local/ on one machine. */
export const ENV = {
  table: 'TABLE_NAME',
  queueUrl: (q: QueueId) => `${q.toUpperCase()}_QUEUE_URL`,
  dlqUrl: (q: QueueId) => `${q.toUpperCase()}_DLQ_URL`,
  eventBus: 'EVENT_BUS_NAME',
  mailFrom: 'MAIL_FROM',
  /** How long a mail claim holds before it counts as a dead sender's (default: the mail function's timeout + 60 s). */
  mailClaimLeaseSeconds: 'MAIL_CLAIM_LEASE_SECONDS',
  sesMaxSendRate: 'SES_MAX_SEND_RATE',
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
  reportsBucket: 'REPORTS_BUCKET',
  uploadBaseUrl: 'UPLOAD_BASE_URL',
  /** The console's address (CloudFront on AWS): emails link to its pages. */
  consoleUrl: 'CONSOLE_URL',
  cognitoUserPoolId: 'COGNITO_USER_POOL_ID',
  cognitoClientId: 'COGNITO_CLIENT_ID',
  /** A secret CloudFront adds to every request it forwards: the console answers nothing else. */
  originVerify: 'CONSOLE_ORIGIN_VERIFY',
  /** Locally the secret itself; on AWS the ARN of the Secrets Manager secret that holds it. */
  uploadSecret: 'UPLOAD_TOKEN_SECRET',
  uploadSecretArn: 'UPLOAD_TOKEN_SECRET_ARN',
  maxReportBytes: 'MAX_REPORT_BYTES',
  /** Presigned uploads per report and clock hour (the upload page). */
  maxUploadsPerHour: 'MAX_UPLOADS_PER_HOUR',
  /** At most one rejection email per report in this many seconds; later verdicts are sent together after it (intake). */
  rejectionMailWindowSeconds: 'REJECTION_MAIL_WINDOW_SECONDS',
  maxDocumentBytes: 'MAX_DOCUMENT_BYTES',
  /** Levels whose leaders get the weekly status digest (comma-separated unit levels). */
  statusDigestLevels: 'STATUS_DIGEST_LEVELS',
  remindBefore: 'REMIND_BEFORE_WORKING_DAYS',
  overdueAfter: 'OVERDUE_AFTER_WORKING_DAYS',
  escalateFrom: 'ESCALATE_FROM_WORKING_DAYS',
} as const;

/** The header CloudFront adds to every request it forwards to the console; the console answers nothing without it. */
export const CONSOLE_ORIGIN_HEADER = 'x-thidua-origin-verify';

/** The viewer's Host, as CloudFront's viewer-request function passes it on to the console (which sees only its URL's). */
export const FORWARDED_HOST_HEADER = 'x-forwarded-host';

/** That CloudFront Function (cloudfront-js-2.0): infra deploys it, the console trusts its header with the secret's. */
export const VIEWER_HOST_FUNCTION = `function handler(event) {
  var request = event.request;
  request.headers['${FORWARDED_HOST_HEADER}'] = { value: request.headers.host.value };
  return request;
}`;
