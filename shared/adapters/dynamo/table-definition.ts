import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The table as the local stack creates it; infra/constructs/storage.ts declares the same keys and indexes for AWS. */
export const TTL_ATTRIBUTE = 'expiration';

export function tableDefinition(tableName: string): CreateTableCommandInput {
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  const gsi = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}PK`, KeyType: 'HASH' as const },
      { AttributeName: `${name}SK`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [s('PK'), s('SK'), s('GSI1PK'), s('GSI1SK'), s('GSI2PK'), s('GSI2SK')],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [gsi('GSI1'), gsi('GSI2')],
  };
}
