// modeltest's CloudWatch steps against moto (an AWS emulator modeltest did not write), run from its source: see
// cloudwatch.sh. Not part of the test suite. Publishes a run's checks (publishChecks, as --cloudwatch-namespace
// does), reads them back with GetMetricData (cloudwatch.metric) and judges them as toHaveMetricBelow/Above do,
// then defines the README's rollback alarm on CheckPassed and reads it back.
//
// The CloudWatch client 3.1164 speaks AWS JSON 1.0; moto serves CloudWatch in the protocols its botocore's
// model lists, and Debian's botocore (1.29) lists only the query protocol. So the client here speaks that one
// (the SDK's own AwsQueryProtocol, with the settings the client ships): the same operations and shapes, in the
// form-encoded/XML wire format CloudWatch also still takes.
import { CloudWatchClient, DescribeAlarmsCommand, ListMetricsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch'
import { AwsQueryProtocol } from '@aws-sdk/core/protocols'
import { cloudwatch, cloudWatchMetricCheck, makeCheck, publishChecks } from '../../dist/src/index.js'
import { step } from './steps.mjs'

const client = new CloudWatchClient({ protocol: process.env.CLOUDWATCH_PROTOCOL === 'json' ? undefined : AwsQueryProtocol })
const NAMESPACE = 'modeltest/moto'

const live = { name: 'sagemaker:sentiment-prod/green', hash: 'abc' }
const checks = [
  makeCheck({ name: 'accuracy_threshold', kind: 'model', actual: 0.8123, threshold: 0.8, comparator: '>=', message: 'Accuracy 0.8123 ≥ 0.80', model: live }),
  makeCheck({ name: 'latency_p95', kind: 'model', actual: 61.2, threshold: 50, comparator: '<=', unit: 'ms', message: 'P95 latency 61.2 ms > 50 ms', model: live }),
  ...Array.from({ length: 1248 }, (_, i) => makeCheck({ name: `null_check_${i}`, kind: 'data', actual: 0, threshold: 0, comparator: '<=', message: 'no nulls' })),
]
const run = {
  passed: false,
  tests: [
    { file: 'canary.modeltest.ts', checks: checks.slice(0, 2) },
    { file: 'data.modeltest.ts', checks: checks.slice(2) },
  ],
}

await step('publishChecks: 1,250 checks (2,501 data points) in PutMetricData requests of at most 1,000', () => publishChecks(run, NAMESPACE, { client, retry: { maxAttempts: 1 } }))
await step('ListMetrics: the dimension sets moto stored for accuracy_threshold', async () => {
  const listed = await client.send(new ListMetricsCommand({ Namespace: NAMESPACE, Dimensions: [{ Name: 'Check', Value: 'accuracy_threshold' }] }))
  return listed.Metrics?.map((metric) => `${metric.MetricName} ${metric.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(',')}`)
})
const dimensions = { Check: 'accuracy_threshold', TestFile: 'canary.modeltest.ts', Endpoint: 'sentiment-prod', Variant: 'green' }
for (const [name, limit, direction] of [
  ['CheckValue', 0.8, 'above'],
  ['CheckPassed', 1, 'above'],
]) {
  await step(`cloudwatch.metric ${name} of accuracy_threshold (GetMetricData), judged ${direction} ${limit}`, async () => {
    const series = await cloudwatch.metric({ namespace: NAMESPACE, name, dimensions, stat: 'Minimum', period: 60, since: '1h', client })
    const record = cloudWatchMetricCheck(series, limit, direction)
    return { values: series.values, passed: record.passed, message: record.message }
  })
}
await step('latency_p95 CheckValue (Maximum), judged below 50', async () => {
  const series = await cloudwatch.metric({ namespace: NAMESPACE, name: 'CheckValue', dimensions: { ...dimensions, Check: 'latency_p95' }, stat: 'Maximum', period: 60, since: '1h', client })
  const record = cloudWatchMetricCheck(series, 50, 'below')
  return { values: series.values, passed: record.passed, message: record.message }
})
await step('a metric without data (one dimension short): the check fails, saying so', async () => {
  const { Variant, ...fewer } = dimensions
  const series = await cloudwatch.metric({ namespace: NAMESPACE, name: 'CheckPassed', dimensions: fewer, stat: 'Minimum', period: 60, since: '1h', client })
  const record = cloudWatchMetricCheck(series, 1, 'above')
  return { values: series.values, passed: record.passed, message: record.message }
})
await step("PutMetricAlarm: the README's rollback alarm on CheckPassed, then DescribeAlarms", async () => {
  await client.send(
    new PutMetricAlarmCommand({
      AlarmName: 'sentiment-prod-modeltest-checks',
      Namespace: NAMESPACE,
      MetricName: 'CheckPassed',
      Dimensions: [
        { Name: 'Check', Value: 'canary_error_rate' },
        { Name: 'TestFile', Value: 'sagemaker:sentiment-prod' },
        { Name: 'Endpoint', Value: 'sentiment-prod' },
        { Name: 'Variant', Value: 'green' },
      ],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  )
  const { MetricAlarms } = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['sentiment-prod-modeltest-checks'] }))
  return MetricAlarms?.map((alarm) => ({ name: alarm.AlarmName, metric: alarm.MetricName, statistic: alarm.Statistic, threshold: alarm.Threshold, comparison: alarm.ComparisonOperator, state: alarm.StateValue }))
})
