/**
 * The console's dependencies, the same on AWS and on the embedded stack: the composition root's adapters (the ports
 * the CLI and the handlers use), plus what differs by place — who signs people in, how their tokens are verified,
 * and the upload links' base address and key.
 */
import { createHmac } from 'node:crypto';
import { currentClock } from '../../shared/adapters/clock.ts';
import { draftStore, emulationStore, eventPublisher, mailQueue, maxDocumentBytes, maxReportBytes, reportStorage, repository, resultsStore } from '../../shared/adapters/wiring.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { DEFAULT_MAX_UPLOADS_PER_HOUR } from '../../shared/app/uploads.ts';
import type { IdentityProvider, TokenVerifier } from '../../shared/app/ports.ts';
import type { ConsoleDeps } from './context.ts';

export interface ConsolePlace {
  identity: IdentityProvider;
  tokens: TokenVerifier;
  uploadBaseUrl: string;
  /** Signs the upload links; the CSRF key is derived from it, so it is never the same value twice. */
  uploadSecret: string;
}

export function consoleDeps(place: ConsolePlace): ConsoleDeps {
  const repo = repository();
  return {
    units: repo,
    directives: repo,
    assignments: repo,
    obligations: repo,
    status: repo,
    reports: repo,
    results: resultsStore(),
    drafts: draftStore(),
    calendar: repo,
    storage: reportStorage(),
    events: eventPublisher(),
    mail: mailQueue(),
    people: repo,
    audit: repo,
    rates: repo,
    approvals: repo,
    mailLog: repo,
    villageTargets: repo,
    emulation: emulationStore(),
    identity: place.identity,
    tokens: place.tokens,
    clock: currentClock(),
    csrfKey: createHmac('sha256', place.uploadSecret).update('thidua console csrf').digest('base64url'),
    uploadBaseUrl: place.uploadBaseUrl,
    uploadSecret: place.uploadSecret,
    maxReportBytes: maxReportBytes(),
    maxDocumentBytes: maxDocumentBytes(),
    maxUploadsPerHour: Number(process.env[ENV.maxUploadsPerHour] ?? DEFAULT_MAX_UPLOADS_PER_HOUR),
    // Browsers treat http://127.0.0.1 as a secure context: locally the same Secure, __Host- cookies as on AWS.
    secureCookies: true,
  };
}
