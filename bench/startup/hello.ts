// The smallest program that still makes each runtime load a TypeScript
// file: one annotation to strip, one line to print.
const greeting: string = "hello";
console.log(greeting);
