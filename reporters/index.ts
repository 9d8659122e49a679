export { renderConsole, type ConsoleOptions } from './console.js'
export { renderJUnit } from './junit.js'
export { renderJson } from './json.js'
export { renderHtml } from './html.js'
