// DOMException is the engine's: quickjs-ng implements WebIDL's interface (the name, message and
// code attributes on the prototype, the legacy code constants, an Error prototype, a stack),
// and it is the class the engine's own atob throws, so there is one DOMException, not two.
// What the runtime adds: the brand check structuredClone needs, and the WebIDL constants
// helper the event classes use.

// The `name` attribute's getter throws a TypeError for any object the engine did not make as
// a DOMException, which is what makes the brand check impossible to fake.
const nameGetter = Object.getOwnPropertyDescriptor(DOMException.prototype, "name")!.get!;

/** True only for objects made by the DOMException constructor (or subclasses of it). */
export function isDOMException(value: unknown): value is DOMException {
  if (typeof value !== "object" || value === null) return false;
  try {
    nameGetter.call(value);
    return true;
  } catch {
    return false;
  }
}

/** Makes `keys` of `iface` WebIDL constants: read-only, enumerable, non-configurable, on both
 *  the interface object and its prototype. */
export function defineConstants(iface: object & { prototype: object }, keys: string[]): void {
  for (const key of keys) {
    const descriptor = {
      value: (iface as unknown as Record<string, number>)[key],
      writable: false,
      enumerable: true,
      configurable: false,
    };
    Object.defineProperty(iface, key, descriptor);
    Object.defineProperty(iface.prototype, key, descriptor);
  }
}
