import { model as loadModel } from './models/model.js'
import { httpModel } from './models/http.js'
import { sagemakerModel } from './models/sagemaker.js'
import { cloudWatchMetric } from './monitor/cloudwatch-metric.js'
import { capturedModel } from './models/captured.js'
import { dataset as loadDataset } from './data/load.js'
import { captureDataset } from './data/capture.js'

export { type DatasetOptions, type DatasetFormat } from './data/load.js'
/** Loads a dataset (`dataset(path | rows, options)`), or reads SageMaker Data Capture files (`dataset.capture(location, { since, features, groundTruth })`). */
export const dataset = Object.assign(loadDataset, { capture: captureDataset })
export { CaptureDataset, CAPTURE_COLUMNS, type CaptureOptions, type CaptureInfo } from './data/capture.js'
export type { CapturedModelOptions } from './models/captured.js'
export { Dataset, isDataset, type BadRows, type ColumnType, type Columns, type Row, type Value } from './data/dataset.js'
export { type Profile, type ColumnProfile } from './data/profile.js'
export { mulberry32 } from './random.js'
export { Model, isModel, modelFileHash, type ModelOptions, type PredictFunction, type Preprocess, type PreprocessColumns, type Feed, type Feeds, type RuntimeInfo, type Scores } from './models/model.js'
export { fileSaver } from './models/tfjs-files.js'
export { tf, tfjsBackend, chooseBackend, backendId, describeAdapter, BACKENDS, CANDIDATES, BACKEND_VARIABLE, type BackendInfo, type BackendId, type AdapterInfo, type Candidate, type Unavailable } from './models/tfjs-runtime.js'
export { ModeltestError, isModeltestError } from './errors.js'
export {
  accuracy,
  predictedClasses,
  balancedAccuracy,
  confusionMatrix,
  precisionRecallF1,
  rocAuc,
  rocAucOneVsRest,
  averagePrecision,
  rocAucOfCounts,
  rocAucOneVsRestOfCounts,
  averagePrecisionOfCounts,
  expectedCalibrationErrorOfCounts,
  expectedCalibrationErrorOfCells,
  rocCurve,
  precisionRecallCurve,
  logLoss,
  logLosses,
  brierScore,
  brierTerms,
  calibrationBins,
  expectedCalibrationError,
  type ScoreMatrix,
  type PrfAverage,
  type PrfOptions,
  type CalibrationBin,
  type Label,
} from './metrics/classification.js'
export { meanAbsoluteError, rootMeanSquaredError, r2Score, meanAbsolutePercentageError, absoluteErrors, squaredErrors, absolutePercentageErrors, r2WithStandardError } from './metrics/regression.js'
export { metricCheck, measureMetric, registerMetric, metricNames, METRICS, type MetricOptions, type MetricDefinition, type MetricSettings, type IntervalSettings, type Evaluation } from './checks/metric.js'
export { sliceCheck, type SliceOptions, type SliceResult } from './checks/slices.js'
export { mcnemarExact, pairedBootstrap, binomialCdf, holmAdjust } from './stats/paired.js'
export { percentile, percentiles } from './metrics/percentile.js'
export { measureLatency, type LatencyOptions, type LatencySummary } from './perf/latency.js'
export { classify, regress, type Classification } from './evaluate.js'
export { makeCheck, validateCheck, formatAgainst, formatThreshold, relationFor, CHECK_KINDS, type CheckRecord, type CheckSpec, type CheckKind, type Comparator, type Subject } from './checks/record.js'
export type { Plot, ConfusionMatrixPlot, CurvePlot, CalibrationPlot, HistogramPlot, DriftPlot, BarsPlot } from './checks/plots.js'
export { schemaCheck, matchSchemaCheck, nullCheck, minRowsCheck, valuesBetweenCheck, valuesInCheck, patternCheck, uniqueCheck, noDuplicateRowsCheck, classBalanceCheck, minClassCountCheck, overlapCheck, type Mostly } from './checks/data.js'
export { driftCheck, DRIFT_TESTS, DEFAULT_THRESHOLD, type DriftOptions, type DriftTest, type ColumnDrift } from './checks/drift.js'
export { registerDriftTest, driftTestNames, type DriftTestDefinition, type DriftTestResult } from './checks/drift-tests.js'
export { profileSnapshot, compareSnapshots, checkTolerance, snapshotCheck, snapshotWritten, readSnapshots, writeSnapshot, type ProfileSnapshot, type SnapshotTolerance } from './checks/snapshot.js'
export { finiteOutputsCheck, outputShapeCheck, invarianceCheck, determinismCheck } from './checks/behaviour.js'
export { measureMemory, gpuMemory, type MemorySummary } from './perf/memory.js'
export { accuracyCheck, latencyCheck, throughputCheck, memoryCheck, regressionCheck, type EvaluationOptions, type LatencyCheckOptions, type RegressionOptions } from './checks/model.js'
export { buildReport, byFile, formatValue, formatValues, type RunReport, type TestOutcome, type SourceLocation, type FileTiming, type BaselineComparison, changeAgainstBaseline } from './report.js'
export { wilsonInterval, bootstrapInterval, weightedBootstrapInterval, tableBootstrapInterval, meanInterval, logitInterval, normalQuantile, normalCdf, type Interval } from './stats/intervals.js'
export { delongAuc, delongInterval, delongOneVsRest, delongTest, type DelongEstimate } from './stats/delong.js'
export type { HttpModelOptions } from './models/http.js'
export { invokeEndpoint, canaryRuntimeClient, InvocationError, type SageMakerModelOptions, type Invocation, type InvocationAnswer } from './models/sagemaker.js'
/** Loads a model (`model(path | fn, options)`), wraps an HTTP endpoint (`model.http(url, { protocol })`) or a SageMaker endpoint (`model.sagemaker(name, { variant })`), or replays what an endpoint answered (`model.captured(capture)`). */
export const model = Object.assign(loadModel, { http: httpModel, sagemaker: sagemakerModel, captured: capturedModel })
export { readReport, compareWithBaseline } from './baseline.js'
export { mergeShards, isShardResult, type ShardResult } from './shards.js'
export { Progress, progressMode, type ProgressMode, type ProgressOptions } from './progress.js'
export { requirePassedReport, type GateOptions, type GateResult } from './deploy/gate.js'
export { requestTimeouts, DEFAULT_REQUEST_TIMEOUT_MS, type RequestTimeouts } from './deploy/http-timeouts.js'
export { uploadModelArtifact, artifactModelHash, type ArtifactOptions, type UploadedArtifact, type ArtifactHash } from './deploy/artifact.js'
export { deploySageMaker, deployStages, type SageMakerDeployOptions, type SageMakerDeployResult, type Stage, type TrafficShift } from './deploy/sagemaker.js'
export { canaryChecks, sendTraffic, endpointVariants, shiftWeights, type CanaryThresholds, type TrafficOptions, type TrafficSample, type EndpointVariants, type ControlOptions } from './deploy/canary.js'
export { mannWhitneyU, type MannWhitneyOptions, type MannWhitneyResult } from './stats/mann-whitney.js'
export { serveModel, MAX_PAYLOAD_BYTES, type ServeOptions, type ModelServer } from './serve/server.js'
export { cloudWatchMetricCheck, isMetricSeries, type MetricQuery, type MetricSeries, type MetricReduce, type MetricCheckOptions } from './monitor/cloudwatch-metric.js'
export { publishChecks, checkMetricData, metricRequests, dimensionValue, checkNamespace, PUT_METRIC_DATA_LIMITS, type CloudWatchOptions, type PublishedChecks } from './monitor/cloudwatch.js'
/** CloudWatch as a source (`cloudwatch.metric({ namespace, name, dimensions, stat, period, since })`), for toHaveMetricBelow / toHaveMetricAbove. */
export const cloudwatch = { metric: cloudWatchMetric }
