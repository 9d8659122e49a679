/**
 * How many values of `sorted` (ascending) are below `value`, or at or below it when `inclusive`:
 * the index where `value` would be inserted before (or after) its equals, found by bisection.
 */
export function countBelow(sorted: ArrayLike<number>, value: number, inclusive = false): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle] < value || (inclusive && sorted[middle] === value)) low = middle + 1
    else high = middle
  }
  return low
}
