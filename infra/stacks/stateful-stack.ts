import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ThiduaStorage } from '../constructs/storage.ts';

/**
 * What must survive every deployment: the table. Deployed rarely, termination-protected; the stateless stack
 * can be destroyed and recreated freely around it.
 */
export class ThiduaStatefulStack extends Stack {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    this.table = new ThiduaStorage(this, 'Storage').table;
    // What `thidua --aws` needs: TABLE_NAME.
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'TABLE_NAME for thidua --aws' });
  }
}
