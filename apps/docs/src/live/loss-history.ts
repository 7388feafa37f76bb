import { ref } from 'vue';

/** Keep at most this many points per plot. */
const MAX_POINTS = 600;

/** Steps first…last, their losses summed: one plotted point, at the middle step, of their mean loss. */
interface Bucket {
  first: number;
  last: number;
  sum: number;
  count: number;
}

/**
 * The losses a live page plots, and the latest one as the bare decimal the `loss` test hook shows.
 *
 * Every point is the mean loss of `width` consecutive steps (the last point of the steps so far).
 * When the plot would pass MAX_POINTS, neighbouring points are merged in pairs and `width` doubles,
 * so every part of the run keeps the same density however long it trains.
 */
export function useLossHistory() {
  const steps = ref<number[]>([]);
  const losses = ref<number[]>([]);
  const latest = ref('');
  const step = ref(0);
  let buckets: Bucket[] = [];
  let width = 1;
  function push(s: number, loss: number) {
    step.value = s;
    latest.value = loss.toFixed(4);
    const open = buckets.at(-1);
    if (open !== undefined && open.count < width) {
      open.last = s;
      open.sum += loss;
      open.count++;
    } else {
      buckets.push({ first: s, last: s, sum: loss, count: 1 });
    }
    if (buckets.length > MAX_POINTS) {
      width *= 2;
      buckets = pairs(buckets);
    }
    steps.value = buckets.map((b) => (b.first + b.last) / 2);
    losses.value = buckets.map((b) => b.sum / b.count);
  }
  return { steps, losses, latest, step, push };
}

/** Neighbours merged two by two (an odd last one kept as it is). */
function pairs(buckets: readonly Bucket[]): Bucket[] {
  const merged: Bucket[] = [];
  for (let i = 0; i < buckets.length; i += 2) {
    const [a, b] = [buckets[i], buckets[i + 1]];
    merged.push(b === undefined ? a : { first: a.first, last: b.last, sum: a.sum + b.sum, count: a.count + b.count });
  }
  return merged;
}
