import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql';

/** The smallest value `type` accepts: required fields only, one list item, the first enum value. */
export function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(fields.map((field) => [field.name, sampleValue(field.type)]));
  }
  if (isScalarType(type)) return SCALAR_SAMPLES[getNamedType(type).name] ?? 'x';
  return null;
}

const SCALAR_SAMPLES: Record<string, unknown> = {
  Int: 1,
  Float: 1.5,
  Boolean: true,
  String: 'x',
  ID: 'x',
  DateTime: '2026-01-01T00:00:00.000Z',
};
