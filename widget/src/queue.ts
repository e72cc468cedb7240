// Queue position / wait estimate texts (contract: "Routing additions (issue 3)").

import { format, type Messages } from './i18n';

/** Whole minutes shown for an estimate: rounded up, at least 1. */
export function queueWaitMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** "You are number 3 in the queue". */
export function formatQueuePosition(t: Messages, position: number): string {
  return format(t.queuePosition, { n: position });
}

/** "Estimated wait: about 4 minutes"; null (not enough data) -> "a few minutes", never a made-up number. */
export function formatQueueEstimate(t: Messages, estimatedWaitSeconds: number | null): string {
  if (estimatedWaitSeconds === null || !Number.isFinite(estimatedWaitSeconds) || estimatedWaitSeconds < 0) {
    return t.queueEstimateUnknown;
  }
  const minutes = queueWaitMinutes(estimatedWaitSeconds);
  return minutes === 1 ? t.queueEstimateOneMinute : format(t.queueEstimateMinutes, { m: minutes });
}
