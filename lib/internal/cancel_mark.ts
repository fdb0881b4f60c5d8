// What a wait returns when it was cancelled (the scheduler's ops return values directly, and
// this mark stands for "cancelled"); lib/fiber.ts registers it, lib/sync.ts compares with it.
export const cancelMark: unique symbol = Symbol("cancelled");
