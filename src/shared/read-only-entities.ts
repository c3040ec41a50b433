import { ReferenceKind, type EntityClass, type EntityProperty, type Platform } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Entities to read, not to change, for the loaders GraphQL reads through (users and agents behind
 * every ticket and message of a list page). MikroORM spends around 50–100 µs making each managed
 * entity (identity map, change-tracking snapshot, accessors defined per instance); these values are
 * built straight from their rows by the entity's own metadata, so they always have every column the
 * entity maps.
 *
 * A value has the entity's prototype (type-graphql hands it to `@Root()` as it is), its scalar
 * properties as MikroORM would convert them, owning relations as frozen `{ id }` references (what
 * field resolvers use), no lazy columns, and is frozen: a write by mistake fails loudly. It is
 * managed by no EntityManager; services that change an entity load it themselves.
 */
interface Mapper {
  table: string;
  columns: string;
  /** The mapped properties' names, for a QueryBuilder's select. */
  properties: string[];
  /** The mapped columns of the table as `alias`, each renamed with `prefix` (for joins). */
  prefixedColumns(alias: string, prefix: string): string;
  build(row: Record<string, unknown>, prefix?: string): object;
}

const mappers = new Map<string, Mapper>();

const valuePrototypes = new Map<Function, object>();

/**
 * The prototype of an entity's read-only values: the entity's own, with every property MikroORM
 * made an accessor on it shadowed by a plain writable slot. Assigning a field to a value then
 * makes an own data property (never running MikroORM's setter), values built in one order share one
 * hidden class, and `value instanceof Entity` still holds, which type-graphql needs to hand the
 * value to `@Root()` as it is (it rebuilds anything else with `new Entity()`, per field).
 * Object.setPrototypeOf on a built literal, what this replaced, cost more than the row's mapping.
 */
export function readOnlyPrototype(entity: Function): object {
  let prototype = valuePrototypes.get(entity);
  if (prototype) return prototype;
  prototype = Object.create(entity.prototype) as object;
  for (let layer = entity.prototype as object | null; layer && layer !== Object.prototype; layer = Object.getPrototypeOf(layer) as object | null) {
    for (const key of Object.getOwnPropertyNames(layer)) {
      const descriptor = Object.getOwnPropertyDescriptor(layer, key)!;
      if ((descriptor.get || descriptor.set) && !Object.prototype.hasOwnProperty.call(prototype, key)) {
        Object.defineProperty(prototype, key, { value: undefined, writable: true, configurable: true, enumerable: false });
      }
    }
  }
  valuePrototypes.set(entity, prototype);
  return prototype;
}

/** True for a read-only value of `entity` (built by this module or on its prototype), never for a managed entity or reference. */
export function isReadOnlyValue<T extends object>(value: unknown, entity: EntityClass<T>): value is T {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === valuePrototypes.get(entity);
}

function isReadable(prop: EntityProperty): boolean {
  if (prop.lazy || prop.persist === false || prop.formula || prop.fieldNames?.length !== 1) return false;
  if (prop.columnTypes?.[0] === 'tsvector') return false;
  return prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && !!prop.owner);
}

/** What MikroORM's hydrator does to a column's value (ObjectHydrator): custom types, booleans, dates (pg hands MikroORM strings). */
function converterFor(prop: EntityProperty, platform: Platform): ((value: unknown) => unknown) | null {
  const type = prop.customType;
  if (type) return (value) => type.convertToJSValue(value, platform);
  if (prop.runtimeType === 'boolean') return (value) => !!value;
  if (prop.runtimeType === 'Date') return (value) => (value instanceof Date ? value : new Date(value as string));
  return null;
}

function mapperFor(em: EntityManager, entity: EntityClass<object>): Mapper {
  let mapper = mappers.get(entity.name);
  if (mapper) return mapper;
  const meta = em.getMetadata().get(entity.name);
  const platform: Platform = em.getPlatform();
  const props = meta.props.filter(isReadable);
  const prototype = readOnlyPrototype(entity);
  const fields = props.map((prop) => {
    const column = prop.fieldNames[0];
    const reference = prop.kind !== ReferenceKind.SCALAR;
    return { name: prop.name, column, reference, convert: converterFor(prop, platform) };
  });
  mapper = {
    table: meta.tableName,
    columns: fields.map((field) => `"${field.column}"`).join(', '),
    properties: fields.map((field) => field.name),
    prefixedColumns: (alias, prefix) => fields.map((field) => `${alias}."${field.column}" as "${prefix}${field.column}"`).join(', '),
    build(row, prefix = '') {
      const value = Object.create(prototype) as Record<string, unknown>;
      for (const field of fields) {
        const raw = row[prefix + field.column];
        if (field.reference) value[field.name] = raw == null ? null : Object.freeze({ id: raw });
        else value[field.name] = raw == null || !field.convert ? raw : field.convert(raw);
      }
      return Object.freeze(value);
    },
  };
  mappers.set(entity.name, mapper);
  return mapper;
}

/** Read-only values of `entity` whose `column` is one of `keys`, in no particular order. */
export async function findReadOnly<T extends object>(em: EntityManager, entity: EntityClass<T>, column: string, keys: readonly unknown[]): Promise<T[]> {
  if (!keys.length) return [];
  const mapper = mapperFor(em, entity as EntityClass<object>);
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select ${mapper.columns} from "${mapper.table}" where "${column}" in (${keys.map(() => '?').join(', ')})`,
    [...keys],
  );
  return rows.map((row) => mapper.build(row) as T);
}

/** For a statement that joins `entity` as `alias`: its select list, each column renamed with `prefix`. */
export function readOnlyColumns(em: EntityManager, entity: EntityClass<object>, alias: string, prefix: string): string {
  return mapperFor(em, entity).prefixedColumns(alias, prefix);
}

/** The read-only value in a row selected with `readOnlyColumns` (null when the join found nothing). */
export function readOnlyFromRow<T extends object>(em: EntityManager, entity: EntityClass<T>, row: Record<string, unknown>, prefix: string): T | null {
  const mapper = mapperFor(em, entity as EntityClass<object>);
  return row[`${prefix}id`] == null ? null : (mapper.build(row, prefix) as T);
}

/** The properties a read-only value of `entity` has: select these, then build with `readOnlyFromRow(…, '')`. */
export function readOnlyProperties(em: EntityManager, entity: EntityClass<object>): string[] {
  return mapperFor(em, entity).properties;
}
