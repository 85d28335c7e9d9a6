// grammY-style middleware: `(ctx, next) => …`, composed left to right. A
// middleware that does not call `next()` ends the handling of the event.

export type NextFunction = () => Promise<void>;
export type Middleware<C> = (ctx: C, next: NextFunction) => Promise<void> | void;

/** One middleware running the given ones in order. */
export function compose<C>(...middleware: Array<Middleware<C>>): Middleware<C> {
  return (ctx, next) => {
    const run = async (i: number): Promise<void> => {
      if (i === middleware.length) return next();
      let called = false;
      await middleware[i]!(ctx, () => {
        if (called) throw new Error('next() called twice in one middleware');
        called = true;
        return run(i + 1);
      });
    };
    return run(0);
  };
}

/** Runs `then` only when `predicate` holds, else passes on. */
export function when<C>(predicate: (ctx: C) => boolean, then: Middleware<C>): Middleware<C> {
  return (ctx, next) => (predicate(ctx) ? then(ctx, next) : next());
}
