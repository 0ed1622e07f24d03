/** Powertools for every handler: the tracer (capturing the AWS clients), the logger and the metrics, and middy around them. */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { aws } from '../adapters/aws.ts';

export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

export function powertools(serviceName: string): Powertools {
  const tracer = new Tracer({ serviceName });
  const c = aws();
  for (const client of [c.dynamo, c.sqs, c.ses, c.events]) tracer.captureAWSv3Client(client);
  return { logger: new Logger({ serviceName }), metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'thidua' }), tracer };
}

/** middy in the order Powertools' own examples use: tracer, then logger, then metrics. */
export function wrap<E, R>(fn: (event: E, context: Context) => Promise<R>, pt: Powertools) {
  // Every invocation counts once, so a flush never finds the metrics empty (Powertools warns on that).
  const counted = (event: E, context: Context) => {
    pt.metrics.addMetric('Invocations', MetricUnit.Count, 1);
    return fn(event, context);
  };
  return middy(counted)
    .use(captureLambdaHandler(pt.tracer))
    .use(injectLambdaContext(pt.logger, { resetKeys: true }))
    .use(logMetrics(pt.metrics, { captureColdStartMetric: true }));
}
