import { ref } from 'vue';

/** Keep at most this many points per plot: older ones are thinned to every other one. */
const MAX_POINTS = 600;

/**
 * The losses a live page plots, thinned as they grow, and the latest one as the bare decimal the
 * `loss` test hook shows.
 */
export function useLossHistory() {
  const steps = ref<number[]>([]);
  const losses = ref<number[]>([]);
  const latest = ref('');
  const step = ref(0);
  function push(s: number, loss: number) {
    step.value = s;
    latest.value = loss.toFixed(4);
    let xs = [...steps.value, s];
    let ys = [...losses.value, loss];
    if (xs.length > MAX_POINTS) {
      xs = xs.filter((_, i) => i % 2 === 0);
      ys = ys.filter((_, i) => i % 2 === 0);
    }
    steps.value = xs;
    losses.value = ys;
  }
  return { steps, losses, latest, step, push };
}
