// DOMException, as specified by WebIDL ("DOMException" interface and the
// "error names" table).
//
// It extends Error so that `instanceof Error` holds and the engine records a
// stack. `name`, `message` and `code` are accessors on the prototype (as WebIDL
// attributes are), backed by private fields: that is also what makes the
// brand check in `isDOMException` impossible to fake.

// Legacy numeric codes from the WebIDL error names table. Names that are not
// listed here (EncodingError, NotReadableError, OperationError, ...) have code 0.
// A null-prototype object so names like "toString" don't hit Object.prototype.
const LEGACY_CODES: Record<string, number> = Object.assign(Object.create(null), {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InUseAttributeError: 10,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
});

// WebIDL's DOMString conversion: like String(), except that symbols throw a
// TypeError instead of being stringified. A template literal does exactly that.
function toDOMString(value: unknown): string {
  return `${value}`;
}

let hasDOMExceptionBrand: (value: object) => boolean;

export class DOMException extends Error {
  #name: string;
  #message: string;

  constructor(message: unknown = "", name: unknown = "Error") {
    // No argument: Error would otherwise create an own "message" data
    // property that hides the prototype accessor.
    super();
    this.#message = toDOMString(message);
    this.#name = toDOMString(name);
  }

  get name(): string {
    return this.#name;
  }

  get message(): string {
    return this.#message;
  }

  get code(): number {
    return LEGACY_CODES[this.#name] ?? 0;
  }

  static readonly INDEX_SIZE_ERR = 1;
  static readonly DOMSTRING_SIZE_ERR = 2;
  static readonly HIERARCHY_REQUEST_ERR = 3;
  static readonly WRONG_DOCUMENT_ERR = 4;
  static readonly INVALID_CHARACTER_ERR = 5;
  static readonly NO_DATA_ALLOWED_ERR = 6;
  static readonly NO_MODIFICATION_ALLOWED_ERR = 7;
  static readonly NOT_FOUND_ERR = 8;
  static readonly NOT_SUPPORTED_ERR = 9;
  static readonly INUSE_ATTRIBUTE_ERR = 10;
  static readonly INVALID_STATE_ERR = 11;
  static readonly SYNTAX_ERR = 12;
  static readonly INVALID_MODIFICATION_ERR = 13;
  static readonly NAMESPACE_ERR = 14;
  static readonly INVALID_ACCESS_ERR = 15;
  static readonly VALIDATION_ERR = 16;
  static readonly TYPE_MISMATCH_ERR = 17;
  static readonly SECURITY_ERR = 18;
  static readonly NETWORK_ERR = 19;
  static readonly ABORT_ERR = 20;
  static readonly URL_MISMATCH_ERR = 21;
  static readonly QUOTA_EXCEEDED_ERR = 22;
  static readonly TIMEOUT_ERR = 23;
  static readonly INVALID_NODE_TYPE_ERR = 24;
  static readonly DATA_CLONE_ERR = 25;

  static {
    hasDOMExceptionBrand = (value) => #name in value;
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

defineConstants(DOMException, Object.keys(DOMException));

Object.defineProperty(DOMException.prototype, Symbol.toStringTag, {
  value: "DOMException",
  configurable: true,
});

/** True only for objects created by this DOMException class (or subclasses). */
export function isDOMException(value: unknown): value is DOMException {
  return typeof value === "object" && value !== null && hasDOMExceptionBrand(value);
}
