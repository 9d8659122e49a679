import { execFileSync } from 'node:child_process'
import { isAbsolute, relative, resolve, sep } from 'node:path'

let root: string | undefined

/**
 * The folder every report names files relative to: the repository, so that a pull request tool run at
 * its root finds them, wherever modeltest ran. GITHUB_WORKSPACE when set (the checkout on GitHub
 * Actions), else git's top level (asked once), else the working directory.
 */
function repositoryRoot(): string {
  root ??= process.env.GITHUB_WORKSPACE ? resolve(process.env.GITHUB_WORKSPACE) : (gitTopLevel() ?? process.cwd())
  return root
}

function gitTopLevel(): string | undefined {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return top || undefined
  } catch {
    // No git, or not inside a repository.
    return undefined
  }
}

/** A file as reports name it: relative to the repository root, with forward slashes on every platform. */
export function repositoryPath(file: string): string {
  const absolute = isAbsolute(file) ? file : resolve(file)
  return relative(repositoryRoot(), absolute).split(sep).join('/')
}
