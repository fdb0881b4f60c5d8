// Which thread this is and how many run the program (`--threads`): what uringy:net needs to
// know (rule 13) without loading uringy:thread's messages.

import ops from "uringy:ops";

const [id, count] = ops.op_thread_place();

export const threadId: number = id;
export const threadCount: number = count;
