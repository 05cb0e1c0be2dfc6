// Generators of session values for the codec properties; a scratch histogram of each was checked against the range its name claims.
import fc from 'fast-check';

const SURROGATES = { min: 0xd800, max: 0xdfff };

/**
 * One piece of text from anywhere in UTF-16: a code point of any plane (most of them astral, as a
 * pair), an ASCII character, a non-ASCII character of the Basic Multilingual Plane, or a lone
 * surrogate (about one unit in nine).
 */
export const anyTextUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0x80, max: 0xffff })
      .filter((code) => code < SURROGATES.min || code > SURROGATES.max)
      .map((code) => String.fromCharCode(code)),
  },
  { weight: 1, arbitrary: fc.integer(SURROGATES).map((code) => String.fromCharCode(code)) },
);

/** Text of full Unicode, lone surrogates included. */
export const anyText = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: anyTextUnit, maxLength });

/** Any value fast-check makes (boxed primitives, sparse arrays, null prototypes, ...), its strings and property names of full Unicode. */
export const anyValue = (key: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.anything({
    key,
    stringUnit: anyTextUnit,
    withBigInt: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withTypedArray: true,
    withNullPrototype: true,
    withSparseArray: true,
    withBoxedValues: true,
    maxDepth: 3,
    maxKeys: 4,
  });

/** Values msgpackCodec stores: anyValue without boxed primitives, holes or lone surrogates. */
export const storableValue: fc.Arbitrary<unknown> = fc.anything({
  key: fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => k !== '__proto__'),
  stringUnit: 'binary',
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withNullPrototype: true,
  maxDepth: 2,
  maxKeys: 4,
});

const asciiUnit = fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code));

/** ASCII text of exactly `length` characters. */
export function asciiOfLength(length: number): fc.Arbitrary<string> {
  return fc.string({ unit: asciiUnit, minLength: length, maxLength: length });
}

/** ASCII text of 0 to maxLength characters, lengths spread over the whole range and every msgpack str header edge tried. */
export function asciiText(maxLength: number): fc.Arbitrary<string> {
  const edges = [0, 1, 0x1f, 0x20, 0x21, 0xff, 0x100, 0x101].filter((length) => length <= maxLength);
  return fc.oneof(
    fc.nat(maxLength).chain(asciiOfLength),
    fc.constantFrom(...edges).chain(asciiOfLength),
    fc.string({ unit: asciiUnit, maxLength: Math.min(maxLength, 12) }),
  );
}

/** Integers at every edge of msgpack's integer forms (both signs, one either side) and the doubles msgpackr writes as float64. */
const INTEGER_EDGES = [
  0,
  0x1f,
  0x20,
  0x3f,
  0x40,
  0x7f,
  0x80,
  0xff,
  0x100,
  0x7fff,
  0x8000,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  0x100000000,
  2 ** 53,
];
export const integerEdges: readonly number[] = [...new Set(INTEGER_EDGES.flatMap((n) => [n, -n, n - 1, -n - 1, n + 1, -n + 1]))];
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...integerEdges),
  fc.integer(),
  fc.integer({ min: -0x81, max: 0x101 }),
  fc.double(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
