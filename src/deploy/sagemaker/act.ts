/**
 * Acting on a plan: the create and update calls in order, undoing what this deploy created when a later call
 * fails, and the cleanup of old versions once the endpoint has settled.
 */
import { errorName, redactedMessage } from '../aws-errors.js'
import { awsCall, findEndpoint, type Sdk, type Send } from './control.js'
import { TAG_ENDPOINT, type DeployPlan, type PlannedCall } from './plan.js'

interface ActContext {
  sdk: Sdk
  send: Send
  log: (line: string) => void
  now: () => number
}

/**
 * Sends the plan's calls in order, logging each once done. When a call after CreateModel fails, what this
 * deploy created is deleted (removeUnused) and the call's error is thrown. Returns when the last call (the
 * endpoint's create or update) was sent: the wait's deadline counts from then.
 */
export async function act(plan: DeployPlan, ctx: ActContext): Promise<number> {
  const { endpoint, version } = plan
  // Only what this deploy's own calls created is deleted (a name that already existed may be another deploy's).
  const created = { model: false, config: false }
  let sentAt = ctx.now()
  for (const call of plan.calls) {
    const creates = call.action === 'CreateModel' || call.action === 'CreateEndpointConfig'
    if (!creates) sentAt = ctx.now()
    let made: boolean
    try {
      made = await awsCall(call.action, endpoint, () => (creates ? tolerateExisting(sendCall(ctx, call)) : sendCall(ctx, call).then(() => true)))
    } catch (error) {
      if (call.action !== 'CreateModel') await removeUnused({ ...ctx, endpoint, version, modelCreated: created.model, configCreated: created.config, failed: call.action })
      throw error
    }
    if (call.action === 'CreateModel') created.model = made
    if (call.action === 'CreateEndpointConfig') created.config = made
    ctx.log(call.done)
  }
  return sentAt
}

function sendCall({ sdk, send }: ActContext, call: PlannedCall): Promise<unknown> {
  switch (call.action) {
    case 'CreateModel':
      return send(new sdk.CreateModelCommand(call.input))
    case 'CreateEndpointConfig':
      return send(new sdk.CreateEndpointConfigCommand(call.input))
    case 'CreateEndpoint':
      return send(new sdk.CreateEndpointCommand(call.input))
    case 'UpdateEndpoint':
      return send(new sdk.UpdateEndpointCommand(call.input))
  }
}

/**
 * A create that a retry repeats after the first went through answers "already exists"; the names are unique per
 * deploy, so that one is taken as ours. Resolves false then: this call did not create it, so an undo keeps it.
 */
async function tolerateExisting(request: Promise<unknown>): Promise<boolean> {
  try {
    await request
    return true
  } catch (error) {
    if (errorName(error) === 'ValidationException' && /already exist/i.test((error as Error).message ?? '')) return false
    throw error
  }
}

/**
 * After a failed CreateEndpointConfig, CreateEndpoint or UpdateEndpoint: deletes the config and the model this
 * deploy created, so that they do not wait for a later deploy's cleanup. They stay when the endpoint may be moving
 * to them (it is not InService on another config, or cannot be described): a call that timed out may have gone through.
 */
async function removeUnused(ctx: { sdk: Sdk; send: Send; log: (line: string) => void; endpoint: string; version: string; modelCreated: boolean; configCreated: boolean; failed: string }): Promise<void> {
  const { sdk, send, log, version } = ctx
  if (ctx.failed !== 'CreateEndpointConfig') {
    const state = await findEndpoint(sdk, ctx.endpoint, send).catch(() => null)
    if (state === null || (state && (state.EndpointStatus !== 'InService' || state.EndpointConfigName === version))) {
      log(`sagemaker: ${ctx.failed} failed; model and endpoint config ${version} kept: endpoint ${ctx.endpoint} is ${state ? `${state.EndpointStatus} on ${state.EndpointConfigName}` : 'in an unknown state'} and may be moving to them`)
      return
    }
  }
  const remove = async (what: string, request: () => Promise<unknown>) => {
    try {
      await request()
      log(`sagemaker: ${ctx.failed} failed: deleted the ${what} this deploy created`)
    } catch (error) {
      log(`sagemaker: warning: ${ctx.failed} failed, and the ${what} this deploy created could not be deleted (${errorName(error)}: ${redactedMessage(error)}); a later deploy's cleanup removes it`)
    }
  }
  if (ctx.configCreated) await remove(`endpoint config ${version}`, () => send(new sdk.DeleteEndpointConfigCommand({ EndpointConfigName: version })))
  if (ctx.modelCreated) await remove(`model ${version}`, () => send(new sdk.DeleteModelCommand({ ModelName: version })))
  const existed = [ctx.modelCreated ? '' : 'model', ctx.configCreated || ctx.failed === 'CreateEndpointConfig' ? '' : 'endpoint config'].filter(Boolean)
  if (existed.length > 0) log(`sagemaker: ${ctx.failed} failed; the ${existed.join(' and ')} ${version} existed before this deploy's create (a retry, or another deploy in the same second), so it is kept`)
}

interface CleanupContext {
  sdk: Sdk
  send: Send
  log: (line: string) => void
  base: string
  endpoint: string
  keep: number
  /** Configs never deleted: the live one and the previous one. */
  protect: string[]
}

interface Version {
  name: string
  arn: string
  created: number
}

/**
 * Deletes old versions: among the configs and models named `<base>-<hash>-<stamp>` and tagged with this
 * endpoint, all but the newest `keep`, the protected configs and the models those configs use.
 */
export async function cleanUp(ctx: CleanupContext): Promise<void> {
  const { send, log } = ctx
  const pattern = new RegExp(`^${ctx.base}-[0-9a-f]{12}-\\d{14}$`)
  const configs = await listVersions(ctx, 'configs', pattern)
  const kept = new Set([...configs.slice(0, ctx.keep).map((version) => version.name), ...ctx.protect])
  let deleted = 0
  for (const version of configs) {
    if (kept.has(version.name)) continue
    try {
      await send(new ctx.sdk.DeleteEndpointConfigCommand({ EndpointConfigName: version.name }))
      deleted++
      log(`sagemaker: deleted old endpoint config ${version.name}`)
    } catch (error) {
      log(`sagemaker: warning: could not delete endpoint config ${version.name}: ${errorName(error)}: ${(error as Error).message}`)
    }
  }

  // The models the kept configs use stay, whatever their age: their names follow the configs', and the
  // protected configs (perhaps made by other tools) say which models they use.
  const usedModels = new Set(kept)
  for (const config of ctx.protect) {
    try {
      const described = await send(new ctx.sdk.DescribeEndpointConfigCommand({ EndpointConfigName: config }))
      for (const variant of described.ProductionVariants ?? []) if (variant.ModelName) usedModels.add(variant.ModelName)
    } catch (error) {
      log(`sagemaker: warning: cannot tell which models ${config} uses (${errorName(error)}); no model deleted`)
      return
    }
  }
  const models = await listVersions(ctx, 'models', pattern)
  const keptModels = new Set([...models.slice(0, ctx.keep).map((version) => version.name), ...usedModels])
  for (const version of models) {
    if (keptModels.has(version.name)) continue
    try {
      await send(new ctx.sdk.DeleteModelCommand({ ModelName: version.name }))
      deleted++
      log(`sagemaker: deleted old model ${version.name}`)
    } catch (error) {
      log(`sagemaker: warning: could not delete model ${version.name}: ${errorName(error)}: ${(error as Error).message}`)
    }
  }
  if (deleted === 0) log(`sagemaker: cleanup: nothing to delete (keeping the last ${ctx.keep} versions of ${ctx.base} for ${ctx.endpoint})`)
}

/** This endpoint's versions, newest first; a listing error is a warning and lists nothing. */
async function listVersions(ctx: CleanupContext, kind: 'configs' | 'models', pattern: RegExp): Promise<Version[]> {
  const found: Version[] = []
  try {
    let token: string | undefined
    for (let page = 0; page < 50; page++) {
      const request = { NameContains: ctx.base, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100, NextToken: token } as const
      if (kind === 'configs') {
        const answer = await ctx.send(new ctx.sdk.ListEndpointConfigsCommand(request))
        for (const item of answer.EndpointConfigs ?? []) found.push({ name: item.EndpointConfigName ?? '', arn: item.EndpointConfigArn ?? '', created: item.CreationTime?.getTime() ?? 0 })
        token = answer.NextToken
      } else {
        const answer = await ctx.send(new ctx.sdk.ListModelsCommand(request))
        for (const item of answer.Models ?? []) found.push({ name: item.ModelName ?? '', arn: item.ModelArn ?? '', created: item.CreationTime?.getTime() ?? 0 })
        token = answer.NextToken
      }
      if (!token) break
    }
  } catch (error) {
    ctx.log(`sagemaker: warning: cannot list the ${kind === 'configs' ? 'endpoint configs' : 'models'} (${errorName(error)}: ${(error as Error).message}); none deleted`)
    return []
  }
  const mine: Version[] = []
  for (const version of found.filter((version) => pattern.test(version.name) && version.arn).sort((a, b) => b.created - a.created)) {
    try {
      const answer = await ctx.send(new ctx.sdk.ListTagsCommand({ ResourceArn: version.arn, MaxResults: 100 }))
      if ((answer.Tags ?? []).some((tag) => tag.Key === TAG_ENDPOINT && tag.Value === ctx.endpoint)) mine.push(version)
    } catch (error) {
      ctx.log(`sagemaker: warning: cannot read the tags of ${version.name} (${errorName(error)}); it is kept`)
    }
  }
  return mine
}
