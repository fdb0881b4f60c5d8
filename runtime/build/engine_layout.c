/* Prints where the fields a fiber switch must swap lie inside quickjs-ng's JSRuntime.
 *
 * JSRuntime is private to quickjs.c, so this file includes the very source that rquickjs-sys
 * compiles; build.rs compiles it as assembly and reads the constants back (no need to run it,
 * so cross builds work too). See runtime/src/fiber/engine_state.rs. */
#include "quickjs.c"

#define FIELD(name) const size_t uringy_##name = offsetof(JSRuntime, name);
FIELD(stack_size)
FIELD(stack_top)
FIELD(stack_limit)
FIELD(current_exception)
FIELD(in_build_stack_trace)
FIELD(current_stack_frame)
FIELD(parent_promise)
