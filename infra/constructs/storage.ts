import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** The global secondary indexes of the single table. Grants name them one by one (no `index/*`). */
export const GSI_NAMES = ['GSI1', 'GSI2'] as const;
export type GsiName = (typeof GSI_NAMES)[number];

/** TTL attribute: idempotency records and other short-lived items expire through it. */
export const TTL_ATTRIBUTE = 'expiration';

/**
 * The one DynamoDB table (single-table design: PK/SK plus two overloaded GSIs).
 *
 * Encryption: AWS-managed KMS key (`aws/dynamodb`). The key is auditable in CloudTrail and needs no key policy
 * administration; a customer-managed key would only pay off for cross-account access or crypto-shredding,
 * neither of which thidua needs, and it would add a KMS grant to every function. Switch to
 * `TableEncryptionV2.customerManagedKey(key)` if the data classification ever demands it.
 */
export class ThiduaStorage extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: GSI_NAMES.map((indexName) => ({
        indexName,
        partitionKey: { name: `${indexName}PK`, type: AttributeType.STRING },
        sortKey: { name: `${indexName}SK`, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      })),
    });
  }
}
