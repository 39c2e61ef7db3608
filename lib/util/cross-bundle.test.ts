import { describe, expect, it } from 'vitest';
import { crossBundleClass } from './cross-bundle';

describe('crossBundleClass', () => {
  it('recognises an instance made by another copy of the class, and keeps subclasses and strangers apart', () => {
    // Two copies of one module, as two bundles load it.
    const make = () => {
      class Thing extends Error {}
      crossBundleClass(Thing, 'test.Thing');
      return Thing;
    };
    const [A, B] = [make(), make()];
    class Sub extends A {}
    expect(new B() instanceof A).toBe(true);
    expect(new A() instanceof B).toBe(true);
    expect(new Sub() instanceof A).toBe(true);
    expect(new A() instanceof Sub).toBe(false);
    expect(new Error() instanceof A).toBe(false);
    expect((null as unknown) instanceof A).toBe(false);
  });
});
