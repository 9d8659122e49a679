// What the moto scripts print: a line, and a step's title with its result or the error it threw.
export const say = (line) => process.stdout.write(line + '\n')

export async function step(title, run) {
  say(`\n## ${title}`)
  try {
    const result = await run()
    if (result !== undefined) say(`  => ${JSON.stringify(result)}`)
  } catch (error) {
    say(`  => threw ${error.name}: ${error.message.split('\n').join(' / ')}`)
  }
}
