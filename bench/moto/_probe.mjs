import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import { AwsQueryProtocol } from '@aws-sdk/core/protocols'
const client = new CloudWatchClient({ protocol: AwsQueryProtocol, maxAttempts: 1 })
for (const [n, dims] of [[1001, 1], [1000, 31]]) {
  try {
    await client.send(new PutMetricDataCommand({ Namespace: 'modeltest/limit', MetricData: Array.from({ length: n }, (_, i) => ({ MetricName: 'X', Value: i, Dimensions: Array.from({ length: dims }, (_, d) => ({ Name: `d${d}`, Value: 'v' })) })) }))
    console.log(n, dims, 'accepted')
  } catch (e) { console.log(n, dims, 'refused', e.name, e.message) }
}
