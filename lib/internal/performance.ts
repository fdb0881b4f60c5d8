// `performance`: a monotonic clock in milliseconds since the runtime started.

import ops from "uringy:ops";

const { op_time_now, op_time_origin } = ops;

export const performance = {
  now: (): number => op_time_now(),
  timeOrigin: op_time_origin(),
  toJSON(): { timeOrigin: number } {
    return { timeOrigin: this.timeOrigin };
  },
};
