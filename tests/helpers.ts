// Helpers shared by the test files (not a test file itself: it does not end in .test.ts).

/** What `fn` throws, for inspecting it; fails if it throws nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an exception, but nothing was thrown");
}
