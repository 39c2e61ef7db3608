/**
 * Lets `instanceof` recognise an error made by another copy of its module. Next bundles the same
 * module more than once (the inventory's clients come from instrumentation's bundle, the routes and
 * tasks have their own), so a VBoxError thrown by one copy failed `instanceof VBoxError` in another
 * and reached users without its result code. Each class carries a brand (a global symbol) that every
 * copy checks; subclasses keep the ordinary check.
 */
export function crossBundleClass(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`nimbox.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, x: unknown): boolean {
      return Function.prototype[Symbol.hasInstance].call(this as typeof cls, x) || (this === cls && typeof x === 'object' && x !== null && brand in x);
    },
  });
}
