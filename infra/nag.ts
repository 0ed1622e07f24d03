import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A value as cdk-nag writes it in a granular finding id, e.g. `AwsSolutions-IAM5[Resource::<this>]`: the resolved
 * CloudFormation value flattened like cdk-nag's `flattenCfnReference` (Fn::Join joined, Fn::ImportValue by its export
 * name, Ref and Fn::GetAtt in angle brackets). Only for values that resolve in `scope`'s stack at construction
 * time (literals, pseudo parameters, local resources, explicit `Fn.importValue`), not automatic cross-stack
 * references, which CDK turns into imports only at synthesis.
 */
export function nagFindingValue(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const n = node as Record<string, unknown>;
    if (n['Fn::Join']) {
      const [sep, items] = n['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(sep);
    }
    if (n['Fn::Sub']) return visit(n['Fn::Sub']);
    if (n['Fn::GetAtt']) {
      const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (n['Fn::ImportValue']) return visit(n['Fn::ImportValue']);
    if (n['Ref']) return `<${visit(n['Ref'])}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
