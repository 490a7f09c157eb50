// Domain: reading region, account and name out of a CloudWatch alarm ARN.
import { REGION_CODE } from '../region';

/** The parts of `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`. */
export interface AlarmArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

const ALARM_ARN = new RegExp(`^arn:(aws[\\w-]*):cloudwatch:(${REGION_CODE.source}):(\\d{12}):alarm:(.+)$`);

/** Parses an alarm ARN, or returns undefined when it is not one. */
export function parseAlarmArn(arn: string): AlarmArnParts | undefined {
  const m = ALARM_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, name: m[4]! };
}
