import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** The window every Stratus alarm sums its metric over. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * An alarm on a count (5xx answers, errors, throttles) summed over five minutes: it fires when the sum
 * reaches `threshold`; no data means nothing happened.
 */
export function countAlarm(scope: Construct, id: string, description: string, metric: cloudwatch.IMetric, threshold: number): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
