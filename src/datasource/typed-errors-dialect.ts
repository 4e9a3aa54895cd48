import type { CompiledQuery, DatabaseConnection, Dialect, Driver } from 'kysely';

/**
 * `dialect`, with every failure of a statement it runs passed through `map` where the database
 * answered: callers above the datasource see typed errors, never the driver's. (Kysely's transaction
 * statements go through the same connections, so they are mapped too.)
 */
export function withTypedErrors(dialect: Dialect, map: (error: unknown) => unknown): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => typedDriver(dialect.createDriver(), map),
  };
}

function typedDriver(driver: Driver, map: (error: unknown) => unknown): Driver {
  const typed = new WeakSet<DatabaseConnection>();
  // a connection is reused: its executeQuery is wrapped once, in place (the driver's own methods keep
  // their `this`, which private fields need)
  const acquireConnection = async () => {
    const connection = await driver.acquireConnection();
    if (!typed.has(connection)) {
      const execute = connection.executeQuery.bind(connection);
      connection.executeQuery = async <R>(query: CompiledQuery) => {
        try {
          return await execute<R>(query);
        } catch (error) {
          throw map(error);
        }
      };
      typed.add(connection);
    }
    return connection;
  };
  return new Proxy(driver, {
    get(target, property, receiver) {
      if (property === 'acquireConnection') return acquireConnection;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
